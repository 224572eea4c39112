"""WAL checkpoints on a thread of their own, off the path of every acknowledgement.

SQLite's automatic checkpoint runs inside the ``COMMIT`` that crosses its threshold, so one group in
a few hundred also copied the WAL back into the database and fsynced it: measured at half the
maximum ack rate, 63-77 commits a run took over 5 ms (up to 25 ms), and every order queued behind
such a group waited with it. With automatic checkpoints off on the writer and PASSIVE checkpoints
here instead, 3-13 commits a run took over 5 ms. A PASSIVE checkpoint never waits for the writer or
readers and never blocks them; it copies what it can, and once everything is copied the writer
starts the WAL over, so the file keeps its size and a commit's fsync never grows it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Checkpointer:
    def __init__(self, connect: Callable[[], sqlite3.Connection], every_seconds: float) -> None:
        self._connect = connect
        self._every_seconds = every_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.checkpoints = 0
        self.wal_frames = 0  # frames in the WAL at the last checkpoint; all copied once it is reset

    def start(self) -> None:
        db = self._connect()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(db,), name="outbox-checkpoint", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self, db: sqlite3.Connection) -> None:
        try:
            while not self._stop.wait(self._every_seconds):
                self._checkpoint(db)
        finally:
            db.close()

    def _checkpoint(self, db: sqlite3.Connection) -> None:
        try:
            _, frames, _ = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as error:  # e.g. a full disk: the WAL keeps the orders, try again later
            logger.warning("outbox checkpoint failed (%s); retrying in %.1fs", error, self._every_seconds)
            return
        self.checkpoints += 1
        self.wal_frames = frames
