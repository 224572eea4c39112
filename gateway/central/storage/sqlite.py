"""The embedded central store: one SQLite file in WAL mode, driven from a single worker thread.

sqlite3 connections belong to one thread, and the central store's writes must be serialised
anyway, so every call runs on one dedicated executor thread; the event loop never blocks on disk.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import orjson

from gateway.central.storage.base import IngestOrder, IngestResult, ReviewItem, SeedData, StoredOrderRow
from gateway.models import Address, AddressBook, Coupon, Item

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    sku TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    specs TEXT NOT NULL,
    spec_stock TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    user_id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    book_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS addresses (
    address_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(user_id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    province TEXT NOT NULL,
    city TEXT NOT NULL,
    county TEXT NOT NULL,
    adcode TEXT NOT NULL,
    detail TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS addresses_by_user ON addresses(user_id);
CREATE TABLE IF NOT EXISTS orders (
    arrival INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL UNIQUE,
    edge TEXT NOT NULL,
    edge_seq INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    status TEXT NOT NULL,
    packet BLOB NOT NULL,
    stored_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_edge ON orders(edge, arrival);
CREATE TABLE IF NOT EXISTS review_queue (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL UNIQUE REFERENCES orders(order_id),
    queued_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS coupons (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    value INTEGER NOT NULL,
    min_spend_cents INTEGER NOT NULL,
    stackable INTEGER NOT NULL,
    title TEXT NOT NULL
);
"""


class SqliteStorage:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="central-sqlite")
        self._db: sqlite3.Connection | None = None

    async def open(self) -> None:
        await self._run(self._open)

    async def close(self) -> None:
        if self._db is not None:
            await self._run(self._require().close)
            self._db = None
        self._executor.shutdown(wait=True)

    async def is_empty(self) -> bool:
        return await self._run(lambda: self._scalar("SELECT COUNT(*) FROM items") == 0)

    async def seed(self, data: SeedData) -> None:
        await self._run(lambda: self._seed(data))

    async def get_item(self, sku: str) -> Item | None:
        return await self._run(lambda: self._get_item(sku))

    async def ensure_user(self, user_id: str) -> bool:
        return await self._run(lambda: self._ensure_user(user_id))

    async def address_book(self, user_id: str) -> AddressBook | None:
        return await self._run(lambda: self._address_book(user_id))

    async def coupons(self) -> list[Coupon]:
        return await self._run(self._coupons)

    async def counts(self) -> dict[str, int]:
        return await self._run(self._counts)

    async def ingest(self, edge: str, orders: list[IngestOrder]) -> list[IngestResult]:
        return await self._run(lambda: self._ingest(edge, orders))

    async def orders(self, edge: str | None, after: int, limit: int) -> list[StoredOrderRow]:
        return await self._run(lambda: self._orders(edge, after, limit))

    async def review_queue(self, after: int, limit: int) -> list[tuple[int, ReviewItem]]:
        return await self._run(lambda: self._review_queue(after, limit))

    async def _run(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def _require(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("storage is not open")
        return self._db

    def _open(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript(_SCHEMA)
        self._db = db

    def _scalar(self, sql: str, *params: object) -> int:
        row = self._require().execute(sql, params).fetchone()
        return int(row[0])

    def _seed(self, data: SeedData) -> None:
        db = self._require()
        now = time.time()
        with _transaction(db):
            db.executemany(
                "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        item.sku,
                        item.title,
                        item.category,
                        item.price_cents,
                        orjson.dumps(item.specs).decode(),
                        orjson.dumps(item.spec_stock).decode(),
                        item.version,
                        item.updated_at,
                    )
                    for item in data.items
                ],
            )
            db.executemany(
                "INSERT OR IGNORE INTO users (user_id, created_at) VALUES (?, ?)",
                [(user_id, now) for user_id in data.addresses],
            )
            db.executemany(
                "INSERT OR REPLACE INTO addresses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        address.address_id,
                        user_id,
                        address.name,
                        address.phone,
                        address.province,
                        address.city,
                        address.county,
                        address.adcode,
                        address.detail,
                        int(address.is_default),
                    )
                    for user_id, book in data.addresses.items()
                    for address in book
                ],
            )
            db.executemany(
                "INSERT OR REPLACE INTO coupons VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (c.code, c.kind, c.value, c.min_spend_cents, int(c.stackable), c.title)
                    for c in data.coupons
                ],
            )

    def _get_item(self, sku: str) -> Item | None:
        row = (
            self._require()
            .execute(
                "SELECT sku, title, category, price_cents, specs, spec_stock, version, updated_at"
                " FROM items WHERE sku = ?",
                (sku,),
            )
            .fetchone()
        )
        if row is None:
            return None
        spec_stock: dict[str, int] = orjson.loads(row[5])
        return Item(
            sku=row[0],
            title=row[1],
            category=row[2],
            price_cents=row[3],
            specs=orjson.loads(row[4]),
            spec_stock=spec_stock,
            stock=sum(spec_stock.values()),
            version=row[6],
            updated_at=row[7],
        )

    def _ensure_user(self, user_id: str) -> bool:
        cursor = self._require().execute(
            "INSERT OR IGNORE INTO users (user_id, created_at) VALUES (?, ?)", (user_id, time.time())
        )
        return cursor.rowcount == 1

    def _address_book(self, user_id: str) -> AddressBook | None:
        db = self._require()
        user = db.execute("SELECT book_version FROM users WHERE user_id = ?", (user_id,)).fetchone()
        if user is None:
            return None
        rows = db.execute(
            "SELECT address_id, name, phone, province, city, county, adcode, detail, is_default"
            " FROM addresses WHERE user_id = ? ORDER BY is_default DESC, address_id",
            (user_id,),
        ).fetchall()
        addresses = [
            Address(
                address_id=r[0],
                name=r[1],
                phone=r[2],
                province=r[3],
                city=r[4],
                county=r[5],
                adcode=r[6],
                detail=r[7],
                is_default=bool(r[8]),
            )
            for r in rows
        ]
        return AddressBook(user_id=user_id, addresses=addresses, version=int(user[0]))

    def _coupons(self) -> list[Coupon]:
        rows = self._require().execute("SELECT * FROM coupons ORDER BY code").fetchall()
        return [Coupon(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows]

    def _ingest(self, edge: str, orders: list[IngestOrder]) -> list[IngestResult]:
        db = self._require()
        now = time.time()
        results = []
        with _transaction(db):
            for order in orders:
                inserted = db.execute(
                    "INSERT INTO orders (order_id, edge, edge_seq, user_id, status, packet, stored_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING",
                    (order.order_id, edge, order.edge_seq, order.user_id, order.status, order.packet, now),
                ).rowcount
                if inserted and order.status == "needs_review":
                    db.execute(
                        "INSERT INTO review_queue (order_id, queued_at) VALUES (?, ?)", (order.order_id, now)
                    )
                if inserted:
                    results.append(IngestResult(order.order_id, order.status, duplicate=False))
                else:
                    row = db.execute(
                        "SELECT status FROM orders WHERE order_id = ?", (order.order_id,)
                    ).fetchone()
                    results.append(IngestResult(order.order_id, row[0], duplicate=True))
        return results

    def _orders(self, edge: str | None, after: int, limit: int) -> list[StoredOrderRow]:
        sql = "SELECT arrival, order_id, edge, edge_seq, user_id, status, stored_at FROM orders"
        sql += " WHERE arrival > ?"
        params: list[object] = [after]
        if edge is not None:
            sql += " AND edge = ?"
            params.append(edge)
        rows = self._require().execute(f"{sql} ORDER BY arrival LIMIT ?", (*params, limit)).fetchall()
        return [StoredOrderRow(*row) for row in rows]

    def _review_queue(self, after: int, limit: int) -> list[tuple[int, ReviewItem]]:
        rows = (
            self._require()
            .execute(
                "SELECT q.position, o.order_id, o.edge, q.queued_at, o.packet FROM review_queue q"
                " JOIN orders o ON o.order_id = q.order_id WHERE q.position > ? ORDER BY q.position LIMIT ?",
                (after, limit),
            )
            .fetchall()
        )
        return [(row[0], ReviewItem(row[1], row[2], row[3], row[4])) for row in rows]

    def _counts(self) -> dict[str, int]:
        return {
            table: self._scalar(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names
            for table in ("items", "users", "addresses", "coupons", "orders", "review_queue")
        }


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error (the connection runs in autocommit mode)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
