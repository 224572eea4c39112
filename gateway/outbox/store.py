"""The edge's durable order queue: SQLite in WAL mode with a writer thread that group-commits.

An order is acknowledged only after the transaction holding it has committed (``synchronous=FULL``
by default, so the WAL is fsynced). Concurrent appends share one commit: the writer thread takes
everything queued while the previous commit was on disk, writes it in one transaction, and settles
all the waiting requests with a single callback into the event loop.

Point reads (replays, status) run on the event loop thread with their own connection: an indexed
lookup in a WAL database costs a few microseconds, less than a hop to a thread and back, and WAL
readers never wait for the writer.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

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
    central_status TEXT,
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS orders_pending ON orders(seq) WHERE forwarded_at IS NULL;
CREATE INDEX IF NOT EXISTS orders_forwarded ON orders(forwarded_at) WHERE forwarded_at IS NOT NULL;
"""
_MAX_GROUP = 512


class OutboxUnavailable(Exception):
    """Nothing was stored: the queue is at its bound (``depth``), the disk is full (``disk``) or
    the database failed (``error``). The caller answers 503 and acknowledges nothing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OutboxLocked(RuntimeError):
    """Another process already owns this outbox."""


@dataclass(frozen=True, slots=True)
class NewOrder:
    order_id: str
    user_id: str
    idempotency_key: str
    fingerprint: str
    status: str
    payload: bytes
    response: bytes


@dataclass(frozen=True, slots=True)
class StoredOrder:
    seq: int
    order_id: str
    user_id: str
    fingerprint: str
    status: str
    response: bytes
    created_at: float
    forwarded_at: float | None
    central_status: str | None


@dataclass(frozen=True, slots=True)
class PendingOrder:
    seq: int
    order_id: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class Appended:
    order: StoredOrder
    created: bool  # False: the idempotency key was already stored (by this or an earlier process)


_COLUMNS = "seq, order_id, user_id, fingerprint, status, response, created_at, forwarded_at, central_status"


def _stored(row: tuple[Any, ...]) -> StoredOrder:
    return StoredOrder(*row)


class _Write:
    __slots__ = ("apply", "future", "result")

    def __init__(self, apply: Callable[[sqlite3.Connection], Any], future: asyncio.Future[Any]) -> None:
        self.apply = apply
        self.future = future
        self.result: Any = None


class Outbox:
    def __init__(
        self,
        path: Path,
        *,
        synchronous: str = "FULL",
        max_depth: int = 100_000,
        max_bytes: int = 2 << 30,
    ) -> None:
        if synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
            raise ValueError(f"synchronous must be FULL, NORMAL or EXTRA, not {synchronous!r}")
        self.path = path
        self._synchronous = synchronous.upper()
        self._max_depth = max_depth
        self._max_bytes = max_bytes
        self._writes: queue.SimpleQueue[_Write | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._reader: sqlite3.Connection | None = None
        # The forwarder's batch reads are larger: a thread of their own, with their own connection.
        self._batch_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-batches")
        self._batch_reader: sqlite3.Connection | None = None
        self._lock_file: IO[str] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queued_appends = 0
        self.depth = 0
        self.appended = asyncio.Event()
        self.commits = 0

    # -- lifecycle -------------------------------------------------------------------------------

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_file = self._take_lock()
        self._loop = asyncio.get_running_loop()
        writer = self._connect()
        writer.executescript(_SCHEMA)
        page_size = writer.execute("PRAGMA page_size").fetchone()[0]
        writer.execute(f"PRAGMA max_page_count = {max(1, self._max_bytes // page_size)}")
        self._reader = self._connect()
        self._batch_reader = self._connect()
        self.depth = self._count_pending()
        self._writer = threading.Thread(
            target=self._write_loop, args=(writer,), name="outbox-writer", daemon=True
        )
        self._writer.start()

    def close(self) -> None:
        """Finish every queued write, then stop the writer."""
        if self._writer is not None:
            self._writes.put(None)
            self._writer.join()
            self._writer = None
        self._batch_executor.shutdown(wait=True)
        for reader in (self._reader, self._batch_reader):
            if reader is not None:
                reader.close()
        self._reader = self._batch_reader = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

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
        """Open, with its writer alive and room below the depth bound."""
        alive = self._writer is not None and self._writer.is_alive()
        return alive and self.depth < self._max_depth

    # -- writes ----------------------------------------------------------------------------------

    async def append(self, order: NewOrder) -> Appended:
        """Store the order durably; return it, or the order already stored under its idempotency key."""
        if self.depth + self._queued_appends >= self._max_depth:
            raise OutboxUnavailable("depth")
        self._queued_appends += 1
        try:
            appended: Appended = await self._write(lambda db: _insert(db, order))
        finally:
            self._queued_appends -= 1
        if appended.created:
            self.depth += 1
            self.appended.set()
        return appended

    async def mark_forwarded(self, outcomes: dict[str, str]) -> int:
        """Record the central store's answer (order_id → status) for forwarded orders."""
        now = time.time()
        rows = [(now, status, order_id) for order_id, status in outcomes.items()]

        def apply(db: sqlite3.Connection) -> int:
            cursor = db.executemany(
                "UPDATE orders SET forwarded_at = ?, central_status = ?"
                " WHERE order_id = ? AND forwarded_at IS NULL",
                rows,
            )
            return cursor.rowcount

        changed: int = await self._write(apply)
        self.depth -= changed
        return changed

    async def prune(self, forwarded_before: float) -> int:
        """Forget forwarded orders older than the idempotency retention."""

        def apply(db: sqlite3.Connection) -> int:
            return db.execute("DELETE FROM orders WHERE forwarded_at < ?", (forwarded_before,)).rowcount

        pruned: int = await self._write(apply)
        return pruned

    def _write(self, apply: Callable[[sqlite3.Connection], Any]) -> asyncio.Future[Any]:
        if self._writer is None or self._loop is None:
            raise RuntimeError("outbox is not open")
        future = self._loop.create_future()
        self._writes.put(_Write(apply, future))
        return future

    def _write_loop(self, db: sqlite3.Connection) -> None:
        stopping = False
        while not stopping:
            first = self._writes.get()
            if first is None:
                break
            group = [first]
            while len(group) < _MAX_GROUP:
                try:
                    more = self._writes.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                group.append(more)
            error = self._commit(db, group)
            assert self._loop is not None  # noqa: S101 - set before the thread starts
            self._loop.call_soon_threadsafe(_settle, group, error)
        db.close()

    def _commit(self, db: sqlite3.Connection, group: list[_Write]) -> Exception | None:
        try:
            db.execute("BEGIN IMMEDIATE")
            for write in group:
                write.result = write.apply(db)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            full = isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)
            return OutboxUnavailable("disk" if full else "error")
        self.commits += 1
        return None

    # -- reads -----------------------------------------------------------------------------------

    def find(self, user_id: str, idempotency_key: str) -> StoredOrder | None:
        row = self._read(
            f"SELECT {_COLUMNS} FROM orders WHERE user_id = ? AND idempotency_key = ?",  # noqa: S608
            (user_id, idempotency_key),
        )
        return _stored(row) if row else None

    def get(self, order_id: str) -> StoredOrder | None:
        row = self._read(f"SELECT {_COLUMNS} FROM orders WHERE order_id = ?", (order_id,))  # noqa: S608
        return _stored(row) if row else None

    async def pending(self, limit: int) -> list[PendingOrder]:
        """The oldest orders not yet confirmed by the central store, in submission order."""
        reader = self._batch_reader
        if reader is None:
            raise RuntimeError("outbox is not open")

        def read() -> list[PendingOrder]:
            rows = reader.execute(
                "SELECT seq, order_id, payload FROM orders WHERE forwarded_at IS NULL ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
            return [PendingOrder(*row) for row in rows]

        return await asyncio.get_running_loop().run_in_executor(self._batch_executor, read)

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


def _insert(db: sqlite3.Connection, order: NewOrder) -> Appended:
    now = time.time()
    cursor = db.execute(
        "INSERT INTO orders"
        " (order_id, user_id, idempotency_key, fingerprint, status, payload, response, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, idempotency_key) DO NOTHING",
        (
            order.order_id,
            order.user_id,
            order.idempotency_key,
            order.fingerprint,
            order.status,
            order.payload,
            order.response,
            now,
        ),
    )
    if cursor.rowcount == 1:
        seq = cursor.lastrowid
        assert seq is not None  # noqa: S101 - an insert that changed a row has a rowid
        stored = StoredOrder(
            seq,
            order.order_id,
            order.user_id,
            order.fingerprint,
            order.status,
            order.response,
            now,
            None,
            None,
        )
        return Appended(stored, created=True)
    row = db.execute(
        f"SELECT {_COLUMNS} FROM orders WHERE user_id = ? AND idempotency_key = ?",  # noqa: S608
        (order.user_id, order.idempotency_key),
    ).fetchone()
    return Appended(_stored(row), created=False)


def _settle(group: list[_Write], error: Exception | None) -> None:
    for write in group:
        if write.future.done():  # the caller went away; its write stands regardless
            continue
        if error is None:
            write.future.set_result(write.result)
        else:
            write.future.set_exception(error)
