"""WAL checkpoints run on the checkpointer's thread, never inside an acknowledgement's commit."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from gateway.outbox.store import NewOrder, Outbox


def _order(n: int) -> NewOrder:
    return NewOrder(f"o-{n}", "u-0001", f"k-{n}", "f", "accepted", b"{}", b'{"ack": %d}' % n)


def _orders_in_the_database_file(outbox: Path, scratch: Path) -> int:
    """What a checkpoint has copied into the database file: a copy without its WAL sees only that."""
    scratch.mkdir()
    shutil.copy(outbox, scratch / outbox.name)
    db = sqlite3.connect(scratch / outbox.name)
    try:
        tables = db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'orders'").fetchone()[0]
        return int(db.execute("SELECT count(*) FROM orders").fetchone()[0]) if tables else 0
    finally:
        db.close()


async def _append_one_commit_at_a_time(outbox: Outbox, count: int) -> None:
    for n in range(count):
        await outbox.append(_order(n))


async def _checkpoints_after(outbox: Outbox, seen: int) -> None:
    # Polled: the count moves on the checkpointer's thread, which knows no event loop.
    while outbox.checkpointer.checkpoints < seen + 2:  # noqa: ASYNC110 - so one began after the last commit
        await asyncio.sleep(0.01)


@asynccontextmanager
async def _opened(path: Path, checkpoint_seconds: float = 0.2) -> AsyncIterator[Outbox]:
    outbox = Outbox(path, checkpoint_seconds=checkpoint_seconds)
    outbox.open()
    try:
        yield outbox
    finally:
        await outbox.close()


async def test_the_checkpointer_copies_committed_orders_into_the_database(tmp_path: Path) -> None:
    async with _opened(tmp_path / "outbox.sqlite3", checkpoint_seconds=0.01) as outbox:
        await asyncio.gather(*(outbox.append(_order(n)) for n in range(50)))
        await asyncio.wait_for(_checkpoints_after(outbox, outbox.checkpointer.checkpoints), timeout=10)
        assert _orders_in_the_database_file(outbox.path, tmp_path / "copy") == 50


async def test_commits_do_not_checkpoint_however_long_the_wal_grows(tmp_path: Path) -> None:
    # SQLite's own automatic checkpoint would run inside the commit that passes 1,000 WAL pages.
    async with _opened(tmp_path / "outbox.sqlite3", checkpoint_seconds=3600) as outbox:
        await _append_one_commit_at_a_time(outbox, 400)
        assert outbox.commits == 400
        wal_pages = (tmp_path / "outbox.sqlite3-wal").stat().st_size // 4096
        assert wal_pages > 1000, "enough commits to have crossed the automatic threshold"
        assert _orders_in_the_database_file(outbox.path, tmp_path / "copy") == 0
        assert outbox.checkpointer.checkpoints == 0


async def test_orders_stay_readable_while_the_wal_is_checkpointed_under_writes(tmp_path: Path) -> None:
    async with _opened(tmp_path / "outbox.sqlite3", checkpoint_seconds=0.001) as outbox:
        await _append_one_commit_at_a_time(outbox, 300)
        assert outbox.checkpointer.checkpoints > 0
        assert [o.order_id for o in await outbox.pending(1000)] == [f"o-{n}" for n in range(300)]
    async with _opened(tmp_path / "outbox.sqlite3") as reopened:
        assert reopened.depth == 300
