"""The embedded central store: one SQLite file in WAL mode, driven from a single worker thread.

sqlite3 connections belong to one thread, and the central store's writes must be serialised
anyway, so every call runs on one dedicated executor thread; the event loop never blocks on disk.
The statements live in ``sqlite_catalog`` and ``sqlite_orders``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from gateway.central.storage import sqlite_catalog as catalog
from gateway.central.storage import sqlite_orders as order_rows
from gateway.central.storage.base import IngestOrder, IngestResult, ReviewItem, StoredOrderRow
from gateway.central.storage.sqlite_db import SCHEMA, scalar
from gateway.models import Address, AddressBook, Change, Coupon, Item, ItemChange, NewAddress, NewItem
from gateway.seed import SeedData

T = TypeVar("T")
_TABLES = ("items", "users", "addresses", "coupons", "orders", "review_queue", "changes")


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
        return await self._run(lambda: scalar(self._require(), "SELECT COUNT(*) FROM items") == 0)

    async def seed(self, data: SeedData) -> None:
        await self._run(lambda: catalog.seed(self._require(), data))

    async def get_item(self, sku: str) -> Item | None:
        return await self._run(lambda: catalog.get_item(self._require(), sku))

    async def update_item(self, sku: str, change: ItemChange) -> Item | None:
        return await self._run(lambda: catalog.update_item(self._require(), sku, change))

    async def put_item(self, sku: str, new: NewItem) -> Item:
        return await self._run(lambda: catalog.put_item(self._require(), sku, new))

    async def ensure_user(self, user_id: str) -> bool:
        return await self._run(lambda: catalog.ensure_user(self._require(), user_id))

    async def address_book(self, user_id: str) -> AddressBook | None:
        return await self._run(lambda: catalog.address_book(self._require(), user_id))

    async def add_address(self, user_id: str, new: NewAddress) -> Address:
        return await self._run(lambda: catalog.add_address(self._require(), user_id, new))

    async def coupons(self) -> list[Coupon]:
        return await self._run(lambda: catalog.coupons(self._require()))

    async def changes(self, after: int, limit: int) -> list[Change]:
        return await self._run(lambda: catalog.changes(self._require(), after, limit))

    async def change_head(self) -> int:
        return await self._run(lambda: catalog.change_head(self._require()))

    async def counts(self) -> dict[str, int]:
        db = self._require()
        return await self._run(lambda: {t: scalar(db, f"SELECT COUNT(*) FROM {t}") for t in _TABLES})  # noqa: S608

    async def ingest(self, edge: str, orders: list[IngestOrder]) -> list[IngestResult]:
        return await self._run(lambda: order_rows.ingest(self._require(), edge, orders))

    async def orders(self, edge: str | None, after: int, limit: int) -> list[StoredOrderRow]:
        return await self._run(lambda: order_rows.list_orders(self._require(), edge, after, limit))

    async def review_queue(self, after: int, limit: int) -> list[tuple[int, ReviewItem]]:
        return await self._run(lambda: order_rows.review_queue(self._require(), after, limit))

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
        db.execute("PRAGMA busy_timeout=5000")
        db.executescript(SCHEMA)
        self._db = db
