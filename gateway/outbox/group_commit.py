"""Group commit for one SQLite connection: the writes that arrive while a commit is on its way to
disk share the next transaction.

The statements of a group run on the event loop thread, and only the ``COMMIT`` (the fsync) runs on
a helper thread. Running the inserts on a writer thread instead was measured to be slower on a
single core: sqlite3 releases the GIL around every statement, so the writer waited on the event
loop for the GIL once per row. Here a group costs two hand-offs between threads, whatever its size,
and the event loop keeps serving requests while the disk flushes. SQLite's automatic checkpoint
runs inside ``COMMIT``, so it too stays off the event loop.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

Apply = Callable[[sqlite3.Connection], Any]


class CommitFailed(Exception):
    """The group's transaction was rolled back; ``disk_full`` tells a full disk from other errors."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.disk_full = isinstance(cause, sqlite3.OperationalError) and "full" in str(cause)


class _Write:
    __slots__ = ("apply", "future", "result")

    def __init__(self, apply: Apply, future: asyncio.Future[Any]) -> None:
        self.apply = apply
        self.future = future
        self.result: Any = None


class GroupCommitter:
    def __init__(self, db: sqlite3.Connection, loop: asyncio.AbstractEventLoop) -> None:
        self._db = db
        self._loop = loop
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-commit")
        self._queue: list[_Write] = []
        self._busy = False
        self._idle = asyncio.Event()
        self._idle.set()
        self.commits = 0

    def submit(self, apply: Apply) -> asyncio.Future[Any]:
        """Run ``apply(db)`` in the next group; the future settles once that group has committed."""
        write = _Write(apply, self._loop.create_future())
        if not self._queue and not self._busy:
            # Let the rest of this turn of the loop add its writes to the same group.
            self._loop.call_soon(self._begin)
        self._queue.append(write)
        self._idle.clear()
        return write.future

    async def close(self) -> None:
        """Finish every submitted write, then release the commit thread."""
        await self._idle.wait()
        self._executor.shutdown(wait=True)

    def _begin(self) -> None:
        if self._busy or not self._queue:
            return
        group, self._queue = self._queue, []
        self._busy = True
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for write in group:
                write.result = write.apply(self._db)
        except Exception as exc:  # any failure ends the group; the connection must not stay mid-transaction
            self._rollback()
            self._finish(group, CommitFailed(exc))
            return
        committing = self._loop.run_in_executor(self._executor, self._commit)
        committing.add_done_callback(lambda done: self._finish(group, done.result()))

    def _commit(self) -> CommitFailed | None:
        """Never raises: the group must always be finished, or every later write would wait."""
        try:
            self._db.execute("COMMIT")
        except Exception as exc:
            self._rollback()
            return CommitFailed(exc)
        return None

    def _rollback(self) -> None:
        try:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the transaction is already gone

    def _finish(self, group: list[_Write], error: CommitFailed | None) -> None:
        for write in group:
            if write.future.done():  # the caller went away; what it wrote stands regardless
                continue
            if error is None:
                write.future.set_result(write.result)
            else:
                write.future.set_exception(error)
        if error is None:
            self.commits += 1
        self._busy = False
        if self._queue:
            self._begin()
        else:
            self._idle.set()
