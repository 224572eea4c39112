"""Order ingest and the operators' views of orders, on the central store's SQLite connection."""

from __future__ import annotations

import sqlite3
import time

from gateway.central.storage.base import IngestOrder, IngestResult, ReviewItem, StoredOrderRow
from gateway.central.storage.sqlite_db import transaction


def ingest(db: sqlite3.Connection, edge: str, orders: list[IngestOrder]) -> list[IngestResult]:
    now = time.time()
    results = []
    with transaction(db):
        for order in orders:
            inserted = db.execute(
                "INSERT INTO orders (order_id, edge, edge_seq, user_id, status, packet, stored_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING",
                (order.order_id, edge, order.edge_seq, order.user_id, order.status, order.packet, now),
            ).rowcount
            if not inserted:
                row = db.execute("SELECT status FROM orders WHERE order_id = ?", (order.order_id,)).fetchone()
                results.append(IngestResult(order.order_id, row[0], duplicate=True))
                continue
            if order.status == "needs_review":
                db.execute(
                    "INSERT INTO review_queue (order_id, queued_at) VALUES (?, ?)", (order.order_id, now)
                )
            results.append(IngestResult(order.order_id, order.status, duplicate=False))
    return results


def list_orders(db: sqlite3.Connection, edge: str | None, after: int, limit: int) -> list[StoredOrderRow]:
    sql = "SELECT arrival, order_id, edge, edge_seq, user_id, status, stored_at FROM orders WHERE arrival > ?"
    params: list[object] = [after]
    if edge is not None:
        sql += " AND edge = ?"
        params.append(edge)
    rows = db.execute(f"{sql} ORDER BY arrival LIMIT ?", (*params, limit)).fetchall()
    return [StoredOrderRow(*row) for row in rows]


def review_queue(db: sqlite3.Connection, after: int, limit: int) -> list[tuple[int, ReviewItem]]:
    rows = db.execute(
        "SELECT q.position, o.order_id, o.edge, q.queued_at, o.packet FROM review_queue q"
        " JOIN orders o ON o.order_id = q.order_id WHERE q.position > ? ORDER BY q.position LIMIT ?",
        (after, limit),
    ).fetchall()
    return [(row[0], ReviewItem(row[1], row[2], row[3], row[4])) for row in rows]
