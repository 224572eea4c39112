"""The edge's durable order queue: SQLite in WAL mode, group-committed.

An order is acknowledged only after the transaction holding it has committed (``synchronous=FULL``
by default, so the WAL is fsynced). Concurrent appends share one commit (see ``group_commit``), and
the orders of a group are inserted with a single ``executemany``.

Point reads (replays, status) run on the event loop thread with their own connection: an indexed
lookup in a WAL database costs a few microseconds, less than a hop to a thread and back, and WAL
readers never wait for the writer.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import IO, Any

import msgspec

from gateway.outbox.group_commit import CommitFailed, CommitterClosed, GroupCommitter, settle_future

# AUTOINCREMENT writes its sqlite_sequence page in every commit: one of about six pages a single
# order's commit writes, copied again at each checkpoint. A plain rowid would do, since it is one
# past the largest and pruning keeps the newest order, and this code reads and writes outboxes made
# either way (tested). New outboxes still get AUTOINCREMENT, because the release before this one
# reads sqlite_sequence and could not take an outbox without it back after a rollback; the schema
# can change once no such release is left to roll back to.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL,
    payload BLOB NOT NULL,
    response BLOB NOT NULL,
    created_at REAL NOT NULL,
    forwarded_at REAL,
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS orders_pending ON orders(seq) WHERE forwarded_at IS NULL;
CREATE INDEX IF NOT EXISTS orders_forwarded ON orders(forwarded_at) WHERE forwarded_at IS NOT NULL;
"""


class OutboxUnavailable(Exception):
    """Nothing was stored: the queue is at its bound (``depth``), the disk is full (``disk``), the
    database failed (``error``) or the outbox is closing (``closing``). The caller answers 503 and
    acknowledges nothing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OutboxLocked(RuntimeError):
    """Another process already owns this outbox."""


class NewOrder(msgspec.Struct, frozen=True):
    order_id: str
    user_id: str
    idempotency_key: str
    fingerprint: str
    status: str
    payload: bytes
    response: bytes


class StoredOrder(msgspec.Struct, frozen=True):
    seq: int
    order_id: str
    user_id: str
    fingerprint: str
    status: str
    response: bytes
    created_at: float
    forwarded_at: float | None


class PendingOrder(msgspec.Struct, frozen=True):
    seq: int
    order_id: str
    payload: bytes


class _RowGroup:
    """The rows of one group commit and the appends waiting for them."""

    __slots__ = ("rows", "waiters")

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.waiters: list[asyncio.Future[int | tuple[Any, ...]]] = []


class Appended(msgspec.Struct, frozen=True):
    order: StoredOrder
    created: bool  # False: the idempotency key was already stored (by this or an earlier process)


_COLUMNS = "seq, order_id, user_id, fingerprint, status, response, created_at, forwarded_at"


def _stored(row: tuple[Any, ...]) -> StoredOrder:
    return StoredOrder(*row)


_INSERT = (
    "INSERT INTO orders"
    " (order_id, user_id, idempotency_key, fingerprint, status, payload, response, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, idempotency_key) DO NOTHING"
)
_BY_KEY = f"SELECT {_COLUMNS} FROM orders WHERE user_id = ? AND idempotency_key = ?"  # noqa: S608


class Outbox:
    def __init__(
        self,
        path: Path,
        *,
        synchronous: str = "FULL",
        max_depth: int = 100_000,
        max_bytes: int = 2 << 30,
        on_commit: Callable[[float], None] | None = None,
    ) -> None:
        if synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
            raise ValueError(f"synchronous must be FULL, NORMAL or EXTRA, not {synchronous!r}")
        self.path = path
        self._synchronous = synchronous.upper()
        self._max_depth = max_depth
        self._max_bytes = max_bytes
        self._on_commit = on_commit  # seconds each group's COMMIT took (see GroupCommitter)
        self._writer_db: sqlite3.Connection | None = None
        self._committer: GroupCommitter | None = None
        self._group: _RowGroup | None = None  # rows waiting for the next group commit
        self._reader: sqlite3.Connection | None = None
        # The forwarder's batch reads are larger: a thread of their own, with their own connection.
        self._batch_executor: ThreadPoolExecutor | None = None
        self._batch_reader: sqlite3.Connection | None = None
        self._lock_file: IO[str] | None = None
        self._queued_appends = 0
        self.depth = 0
        self.appended = asyncio.Event()

    # -- lifecycle -------------------------------------------------------------------------------

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_file = self._take_lock()
        self._writer_db = writer = self._connect()
        writer.executescript(_SCHEMA)
        page_size = writer.execute("PRAGMA page_size").fetchone()[0]
        writer.execute(f"PRAGMA max_page_count = {max(1, self._max_bytes // page_size)}")
        self._reader = self._connect()
        self._batch_reader = self._connect()
        self._batch_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-batches")
        self.depth = self._count_pending()
        self._committer = GroupCommitter(writer, asyncio.get_running_loop(), self._on_commit)

    async def close(self) -> None:
        """Finish every submitted write, then close the database."""
        if self._committer is not None:
            await self._committer.close()
            self._committer = None
        if self._batch_executor is not None:
            self._batch_executor.shutdown(wait=True)
            self._batch_executor = None
        for connection in (self._writer_db, self._reader, self._batch_reader):
            if connection is not None:
                connection.close()
        self._writer_db = self._reader = self._batch_reader = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    @property
    def commits(self) -> int:
        return self._committer.commits if self._committer else 0

    def _take_lock(self) -> IO[str]:
        lock = (self.path.parent / f"{self.path.name}.lock").open("w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise OutboxLocked(f"another process is using the outbox at {self.path}") from None
        lock.write(str(os.getpid()))
        lock.flush()
        return lock

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={self._synchronous}")
        db.execute("PRAGMA busy_timeout=5000")
        return db

    @property
    def writable(self) -> bool:
        """Open, with room below the depth bound."""
        return self._committer is not None and self.depth < self._max_depth

    # -- writes ----------------------------------------------------------------------------------

    async def append(self, order: NewOrder) -> Appended:
        """Store the order durably; return it, or the order already stored under its idempotency key."""
        if self.depth + self._queued_appends >= self._max_depth:
            raise OutboxUnavailable("depth")
        created_at = time.time()
        row = (
            order.order_id,
            order.user_id,
            order.idempotency_key,
            order.fingerprint,
            order.status,
            order.payload,
            order.response,
            created_at,
        )
        self._queued_appends += 1
        try:
            result = await self._insert(row)
        except CommitFailed as failed:
            raise OutboxUnavailable("disk" if failed.disk_full else "error") from None
        except CommitterClosed:
            raise OutboxUnavailable("closing") from None
        finally:
            self._queued_appends -= 1
        if not isinstance(result, int):
            return Appended(_stored(result), created=False)
        stored = StoredOrder(
            result,
            order.order_id,
            order.user_id,
            order.fingerprint,
            order.status,
            order.response,
            created_at,
            None,
        )
        return Appended(stored, created=True)

    async def mark_forwarded(self, seqs: list[int]) -> int:
        """Record that the central store confirmed these orders; they leave the queue."""
        now = time.time()
        # A confirmed batch is nearly always one run of consecutive seqs: one statement per run.
        rows = [(now, first, last) for first, last in _runs(sorted(set(seqs)))]

        def apply(db: sqlite3.Connection) -> int:
            cursor = db.executemany(
                "UPDATE orders SET forwarded_at = ? WHERE seq BETWEEN ? AND ? AND forwarded_at IS NULL",
                rows,
            )
            return cursor.rowcount

        changed: int = await self._write(apply)
        self.depth -= changed
        return changed

    async def prune(self, forwarded_before: float, limit: int = 1000) -> int:
        """Forget up to ``limit`` forwarded orders older than the idempotency retention, except the
        newest order, whose seq the next one's follows in an outbox without AUTOINCREMENT (see
        ``_SCHEMA``). Its idempotency key is kept with it: a retry under that key, however late,
        is answered with that order.

        In slices, because a group's statements run on the event loop thread.
        """

        def apply(db: sqlite3.Connection) -> int:
            return db.execute(
                "DELETE FROM orders WHERE seq IN (SELECT seq FROM orders WHERE forwarded_at < ?"
                " AND seq < (SELECT MAX(seq) FROM orders) LIMIT ?)",
                (forwarded_before, limit),
            ).rowcount

        pruned: int = await self._write(apply)
        return pruned

    def _write(self, apply: Callable[[sqlite3.Connection], Any]) -> asyncio.Future[Any]:
        return self._open_committer().submit(apply)

    def _open_committer(self) -> GroupCommitter:
        if self._committer is None:
            raise RuntimeError("outbox is not open")
        return self._committer

    async def _insert(self, row: tuple[Any, ...]) -> int | tuple[Any, ...]:
        """Queue the row for the next group; its seq once committed, or the row stored under its key."""
        group = self._group
        # None once the group's statements ran, or once it ended (settling clears it in the same
        # call that tells its appends): later rows need a group of their own.
        if group is None:
            group = _RowGroup()
            committer = self._open_committer()  # raises if closed, before the group is kept
            committer.submit_settling(partial(self._insert_rows, group), partial(self._group_settled, group))
            self._group = group
        # A future per row, not one shared: a caller that leaves cancels only its own.
        waiter: asyncio.Future[int | tuple[Any, ...]] = asyncio.get_running_loop().create_future()
        group.rows.append(row)
        group.waiters.append(waiter)
        return await waiter

    def _insert_rows(self, group: _RowGroup, db: sqlite3.Connection) -> list[int | tuple[Any, ...]]:
        if self._group is group:
            self._group = None  # rows queued from here on belong to the next group
        return _insert_all(db, group.rows)

    def _group_settled(self, group: _RowGroup, outcome: list[int | tuple[Any, ...]] | CommitFailed) -> None:
        """Answer the group's appends, and account for its orders whether or not they still wait."""
        if self._group is group:
            self._group = None
        if isinstance(outcome, CommitFailed):
            for waiter in group.waiters:
                settle_future(waiter, outcome)
            return
        for waiter, result in zip(group.waiters, outcome, strict=True):
            settle_future(waiter, result)
        created = sum(isinstance(result, int) for result in outcome)
        if created:
            self.depth += created
            self.appended.set()

    # -- reads -----------------------------------------------------------------------------------

    def find(self, user_id: str, idempotency_key: str) -> StoredOrder | None:
        row = self._read(_BY_KEY, (user_id, idempotency_key))
        return _stored(row) if row else None

    def get(self, order_id: str) -> StoredOrder | None:
        row = self._read(f"SELECT {_COLUMNS} FROM orders WHERE order_id = ?", (order_id,))  # noqa: S608
        return _stored(row) if row else None

    async def pending(self, limit: int) -> list[PendingOrder]:
        """The oldest orders not yet confirmed by the central store, in submission order."""
        reader, executor = self._batch_reader, self._batch_executor
        if reader is None or executor is None:
            raise RuntimeError("outbox is not open")

        def read() -> list[PendingOrder]:
            rows = reader.execute(
                "SELECT seq, order_id, payload FROM orders WHERE forwarded_at IS NULL ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
            return [PendingOrder(*row) for row in rows]

        return await asyncio.get_running_loop().run_in_executor(executor, read)

    def oldest_pending_age(self, now: float | None = None) -> float:
        row = self._read("SELECT MIN(created_at) FROM orders WHERE forwarded_at IS NULL", ())
        if not row or row[0] is None:
            return 0.0
        return max(0.0, (time.time() if now is None else now) - float(row[0]))

    def _count_pending(self) -> int:
        row = self._read("SELECT COUNT(*) FROM orders WHERE forwarded_at IS NULL", ())
        return int(row[0]) if row else 0

    def _read(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._require_reader().execute(sql, params).fetchone()
        return row

    def _require_reader(self) -> sqlite3.Connection:
        if self._reader is None:
            raise RuntimeError("outbox is not open")
        return self._reader


def _runs(seqs: list[int]) -> list[tuple[int, int]]:
    """Sorted seqs as (first, last) runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for seq in seqs:
        if runs and runs[-1][1] == seq - 1:
            runs[-1] = (runs[-1][0], seq)
        else:
            runs.append((seq, seq))
    return runs


def _insert_all(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> list[int | tuple[Any, ...]]:
    """Insert a group's orders in one statement: each one's seq, or the row already under its key."""
    before = db.total_changes
    db.executemany(_INSERT, rows)
    if db.total_changes - before == len(rows):
        # One writer inside one transaction: the rows were given consecutive seqs.
        last = db.execute("SELECT last_insert_rowid()").fetchone()[0]
        return list(range(last - len(rows) + 1, last + 1))
    results: list[int | tuple[Any, ...]] = []
    for row in rows:  # some keys were already stored: look each one up
        stored = db.execute(_BY_KEY, (row[1], row[2])).fetchone()
        results.append(stored[0] if stored[1] == row[0] else stored)
    return results
