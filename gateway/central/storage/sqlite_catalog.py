"""Catalog, users, address books, coupons and the change feed, on the central store's connection."""

from __future__ import annotations

import re
import sqlite3
import time

import orjson

from gateway.central.storage.sqlite_db import transaction
from gateway.models import Address, AddressBook, Change, Coupon, Item, ItemChange, NewAddress, NewItem
from gateway.seed import SeedData

_ITEM_COLUMNS = "sku, title, category, price_cents, specs, spec_stock, version, updated_at"


def seed(db: sqlite3.Connection, data: SeedData) -> None:
    now = time.time()
    with transaction(db):
        db.executemany(
            f"INSERT OR REPLACE INTO items ({_ITEM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            [_item_row(item) for item in data.items],
        )
        db.executemany(
            "INSERT OR IGNORE INTO users (user_id, created_at) VALUES (?, ?)",
            [(user_id, now) for user_id in data.addresses],
        )
        db.executemany(
            "INSERT OR REPLACE INTO addresses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [_address_row(user_id, address) for user_id, book in data.addresses.items() for address in book],
        )
        db.executemany(
            "INSERT OR REPLACE INTO coupons VALUES (?, ?, ?, ?, ?, ?)",
            [(c.code, c.kind, c.value, c.min_spend_cents, int(c.stackable), c.title) for c in data.coupons],
        )


def get_item(db: sqlite3.Connection, sku: str) -> Item | None:
    row = db.execute(f"SELECT {_ITEM_COLUMNS} FROM items WHERE sku = ?", (sku,)).fetchone()  # noqa: S608
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


def update_item(db: sqlite3.Connection, sku: str, change: ItemChange) -> Item | None:
    """Apply the change, bump the version and record it in the change feed, in one transaction."""
    with transaction(db):
        item = get_item(db, sku)
        if item is None:
            return None
        spec_stock = dict(item.spec_stock)
        if change.spec_stock is not None:
            unknown = set(change.spec_stock) - set(item.specs)
            if unknown:
                raise ValueError(f"{sku} has no spec {sorted(unknown)[0]!r}")
            spec_stock.update(change.spec_stock)
        now = time.time()
        db.execute(
            "UPDATE items SET price_cents = ?, title = ?, spec_stock = ?, version = version + 1,"
            " updated_at = ? WHERE sku = ?",
            (
                item.price_cents if change.price_cents is None else change.price_cents,
                item.title if change.title is None else change.title,
                orjson.dumps(spec_stock).decode(),
                now,
                sku,
            ),
        )
        updated = _written(get_item(db, sku), sku)
        _record_change(db, "item", sku, updated.version, now)
    return updated


def put_item(db: sqlite3.Connection, sku: str, new: NewItem) -> Item:
    """Create or replace an item (a replaced one gets the next version), recorded in the feed."""
    with transaction(db):
        existing = get_item(db, sku)
        now = time.time()
        item = Item(
            sku=sku,
            title=new.title,
            category=new.category,
            price_cents=new.price_cents,
            specs=list(new.specs),
            spec_stock={spec: new.spec_stock.get(spec, 100) for spec in new.specs},
            stock=0,
            version=existing.version + 1 if existing else 1,
            updated_at=now,
        )
        db.execute(
            f"INSERT OR REPLACE INTO items ({_ITEM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            _item_row(item),
        )
        _record_change(db, "item", sku, item.version, now)
    return _written(get_item(db, sku), sku)


def _written(item: Item | None, sku: str) -> Item:
    """The item just written, read back in the same connection: missing means the store is broken."""
    if item is None:
        raise sqlite3.DatabaseError(f"{sku} was written but cannot be read back")
    return item


def ensure_user(db: sqlite3.Connection, user_id: str) -> bool:
    cursor = db.execute(
        "INSERT OR IGNORE INTO users (user_id, created_at) VALUES (?, ?)", (user_id, time.time())
    )
    return cursor.rowcount == 1


def address_book(db: sqlite3.Connection, user_id: str) -> AddressBook | None:
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


def add_address(db: sqlite3.Connection, user_id: str, new: NewAddress) -> Address:
    """Save an address (creating the user if needed), bump the book's version, record the change."""
    now = time.time()
    with transaction(db):
        db.execute("INSERT OR IGNORE INTO users (user_id, created_at) VALUES (?, ?)", (user_id, now))
        count = int(db.execute("SELECT COUNT(*) FROM addresses WHERE user_id = ?", (user_id,)).fetchone()[0])
        is_default = new.is_default or count == 0
        if is_default:
            db.execute("UPDATE addresses SET is_default = 0 WHERE user_id = ?", (user_id,))
        address = Address(
            address_id=f"{_address_prefix(user_id)}-{_next_address_number(db, user_id)}",
            name=new.name,
            phone=new.phone,
            province=new.province,
            city=new.city,
            county=new.county,
            adcode=new.adcode,
            detail=new.detail,
            is_default=is_default,
        )
        db.execute(
            "INSERT INTO addresses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _address_row(user_id, address)
        )
        db.execute("UPDATE users SET book_version = book_version + 1 WHERE user_id = ?", (user_id,))
        version = int(
            db.execute("SELECT book_version FROM users WHERE user_id = ?", (user_id,)).fetchone()[0]
        )
        _record_change(db, "book", user_id, version, now)
    return address


def coupons(db: sqlite3.Connection) -> list[Coupon]:
    rows = db.execute(
        "SELECT code, kind, value, min_spend_cents, stackable, title FROM coupons ORDER BY code"
    )
    return [Coupon(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows.fetchall()]


def changes(db: sqlite3.Connection, after: int, limit: int) -> list[Change]:
    rows = db.execute(
        "SELECT seq, kind, key, version FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)
    ).fetchall()
    return [Change(*row) for row in rows]


def change_head(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0])


def _record_change(db: sqlite3.Connection, kind: str, key: str, version: int, now: float) -> None:
    db.execute(
        "INSERT INTO changes (kind, key, version, changed_at) VALUES (?, ?, ?, ?)", (kind, key, version, now)
    )


def _address_prefix(user_id: str) -> str:
    """Demo users' books read a-0001-0; any other id keeps a marker no user id can contain."""
    if re.fullmatch(r"u-\d+", user_id):
        return f"a-{user_id[2:]}"
    return f"a-@{user_id}"


def _next_address_number(db: sqlite3.Connection, user_id: str) -> int:
    ids = [row[0] for row in db.execute("SELECT address_id FROM addresses WHERE user_id = ?", (user_id,))]
    numbers = [
        int(address_id.rsplit("-", 1)[1]) for address_id in ids if address_id.rsplit("-", 1)[1].isdigit()
    ]
    return max(numbers, default=-1) + 1


def _item_row(item: Item) -> tuple[object, ...]:
    return (
        item.sku,
        item.title,
        item.category,
        item.price_cents,
        orjson.dumps(item.specs).decode(),
        orjson.dumps(item.spec_stock).decode(),
        item.version,
        item.updated_at,
    )


def _address_row(user_id: str, address: Address) -> tuple[object, ...]:
    return (
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
