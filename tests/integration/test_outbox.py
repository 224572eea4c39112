"""The outbox against a real SQLite file: durability, group commit, idempotency, bounds."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from pathlib import Path

import pytest

from gateway.outbox import store
from gateway.outbox.group_commit import CommitFailed
from gateway.outbox.store import NewOrder, Outbox, OutboxLocked, OutboxUnavailable


def _order(n: int, user: str = "u-0001", key: str | None = None, fingerprint: str = "f") -> NewOrder:
    return NewOrder(
        order_id=f"o-{n}",
        user_id=user,
        idempotency_key=key or f"k-{n}",
        fingerprint=fingerprint,
        status="accepted",
        payload=b'{"order_id": "o-%d"}' % n,
        response=b'{"ack": %d}' % n,
    )


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[Outbox]:
    box = Outbox(tmp_path / "outbox.sqlite3")
    box.open()
    yield box
    await box.close()


async def test_appended_orders_survive_a_reopen(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.sqlite3")
    box.open()
    appended = await box.append(_order(1))
    await box.close()

    again = Outbox(tmp_path / "outbox.sqlite3")
    again.open()
    try:
        stored = again.get("o-1")
        assert stored is not None
        assert stored.seq == appended.order.seq
        assert stored.response == b'{"ack": 1}'
        assert again.depth == 1
        assert [p.order_id for p in await again.pending(10)] == ["o-1"]
    finally:
        await again.close()


async def test_concurrent_appends_share_commits_and_keep_submission_order(outbox: Outbox) -> None:
    results = await asyncio.gather(*(outbox.append(_order(n)) for n in range(300)))
    assert all(r.created for r in results)
    seqs = [r.order.seq for r in results]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 300
    assert outbox.commits < 300, "group commit: many orders per transaction"
    assert outbox.depth == 300
    pending = await outbox.pending(1000)
    assert [p.seq for p in pending] == seqs


async def test_same_key_returns_the_stored_order_not_a_second_one(outbox: Outbox) -> None:
    first = await outbox.append(_order(1, key="same"))
    second = await outbox.append(_order(2, key="same", fingerprint="other"))
    assert first.created
    assert not second.created
    assert second.order.order_id == "o-1"
    assert second.order.fingerprint == "f"
    assert outbox.get("o-2") is None
    assert outbox.depth == 1
    found = outbox.find("u-0001", "same")
    assert found is not None
    assert found.order_id == "o-1"
    assert outbox.find("u-0002", "same") is None, "keys are scoped per user"


async def test_depth_bound_refuses_without_storing(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.sqlite3", max_depth=2)
    box.open()
    try:
        await box.append(_order(1))
        await box.append(_order(2))
        with pytest.raises(OutboxUnavailable) as refused:
            await box.append(_order(3))
        assert refused.value.reason == "depth"
        assert box.get("o-3") is None
        assert not box.writable
        await box.mark_forwarded([1])
        assert box.writable
        assert (await box.append(_order(3))).created
    finally:
        await box.close()


async def test_full_disk_refuses_and_keeps_what_was_stored(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.sqlite3", max_bytes=64 * 1024)
    box.open()
    try:
        big = b"x" * 4000
        stored = 0
        refusal = None
        for n in range(100):
            try:
                await box.append(_with_payload(_order(n), big))
            except OutboxUnavailable as refused:
                refusal = refused
                break
            stored += 1
        assert refusal is not None
        assert refusal.reason == "disk"
        assert 0 < stored < 100
        assert box.depth == stored
        assert len(await box.pending(1000)) == stored
    finally:
        await box.close()


def _with_payload(order: NewOrder, payload: bytes) -> NewOrder:
    return NewOrder(
        order.order_id,
        order.user_id,
        order.idempotency_key,
        order.fingerprint,
        order.status,
        payload,
        order.response,
    )


async def test_one_process_per_outbox(tmp_path: Path, outbox: Outbox) -> None:
    with pytest.raises(OutboxLocked):
        Outbox(outbox.path).open()


async def test_confirmations_with_gaps_mark_exactly_the_confirmed_orders(outbox: Outbox) -> None:
    seqs = [(await outbox.append(_order(n))).order.seq for n in range(6)]
    confirmed = [seqs[4], seqs[0], seqs[1], seqs[3], seqs[0]]  # o-2 and o-5 left out, o-0 twice
    assert await outbox.mark_forwarded(confirmed) == 4
    assert outbox.depth == 2
    assert [p.order_id for p in await outbox.pending(10)] == ["o-2", "o-5"]


async def test_forwarded_orders_leave_the_queue_and_are_pruned_later(outbox: Outbox) -> None:
    seqs = [(await outbox.append(_order(n))).order.seq for n in range(3)]
    assert await outbox.mark_forwarded(seqs[:2]) == 2
    assert await outbox.mark_forwarded(seqs[:1]) == 0, "already forwarded"
    assert outbox.depth == 1
    assert [p.order_id for p in await outbox.pending(10)] == ["o-2"]
    forwarded = outbox.get("o-1")
    assert forwarded is not None
    assert forwarded.forwarded_at is not None
    assert await outbox.prune(forwarded_before=0) == 0
    assert await outbox.prune(forwarded_before=forwarded.forwarded_at + 1) == 2
    assert outbox.get("o-1") is None
    assert outbox.get("o-2") is not None, "pending orders are never pruned"


@pytest.fixture(params=["autoincrement", "rowid"])
async def either_outbox(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Outbox]:
    """An outbox made with AUTOINCREMENT (as this release and earlier ones make them) or without it
    (as a later one may): this code must keep writing either, after a rollback too (see
    ``store._SCHEMA``)."""
    path = tmp_path / "outbox.sqlite3"
    seq = "seq INTEGER PRIMARY KEY" + (" AUTOINCREMENT" if request.param == "autoincrement" else "")
    schema, made = re.subn(r"seq INTEGER PRIMARY KEY( AUTOINCREMENT)?", seq, store._SCHEMA)
    assert made == 1, "the seq column is no longer where this fixture looks for it"
    with closing(sqlite3.connect(path)) as made_by_that_release:
        made_by_that_release.executescript(schema)
        sequence = made_by_that_release.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
        assert (sequence.fetchone() is not None) == (request.param == "autoincrement")
    box = Outbox(path)
    box.open()
    yield box
    await box.close()


async def test_seqs_keep_growing_after_everything_forwarded_is_pruned(either_outbox: Outbox) -> None:
    outbox = either_outbox
    seqs = [(await outbox.append(_order(n))).order.seq for n in range(3)]
    await outbox.mark_forwarded(seqs)
    newest = outbox.get("o-2")
    assert newest is not None
    assert newest.forwarded_at is not None
    assert await outbox.prune(forwarded_before=newest.forwarded_at + 1) == 2
    assert outbox.get("o-2") is not None, "the newest order is kept: the next seq follows it"
    assert (await outbox.append(_order(3))).order.seq == seqs[-1] + 1


async def test_each_append_is_told_the_seq_its_row_was_stored_under(either_outbox: Outbox) -> None:
    outbox = either_outbox
    first = [await outbox.append(_order(n)) for n in range(3)]
    with closing(sqlite3.connect(outbox.path)) as other, other:  # the newest row goes, as pruning never does
        other.execute("DELETE FROM orders WHERE seq = ?", (first[-1].order.seq,))
    # A group that also marks o-0 and prunes it: its appends' seqs still come from their own inserts.
    marked = asyncio.ensure_future(outbox.mark_forwarded([first[0].order.seq]))
    pruned = asyncio.ensure_future(outbox.prune(forwarded_before=time.time() + 60))
    appended = await asyncio.gather(*(outbox.append(_order(n)) for n in range(3, 6)))
    assert (await marked, await pruned) == (1, 1)
    assert outbox.get("o-0") is None
    for result in appended:
        stored = outbox.get(result.order.order_id)
        assert stored is not None
        assert result.order.seq == stored.seq
    assert [a.order.seq for a in appended] == list(range(appended[0].order.seq, appended[0].order.seq + 3))


def _disk_full() -> sqlite3.OperationalError:
    """The error SQLite raises when the disk (or max_page_count) is full, result code and all."""
    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = sqlite3.SQLITE_FULL
    return error


def test_a_full_disk_is_told_by_its_result_code_not_by_a_word_in_the_message() -> None:
    assert CommitFailed(_disk_full()).disk_full
    assert not CommitFailed(sqlite3.OperationalError("no such column: fullname")).disk_full
    assert not CommitFailed(sqlite3.OperationalError("database is locked, queue full")).disk_full


async def test_a_failed_group_does_not_wedge_later_appends(outbox: Outbox) -> None:
    def failing(db: object) -> None:
        raise _disk_full()

    first = asyncio.ensure_future(outbox.append(_order(0)))
    await asyncio.sleep(0)  # the append queues its row
    await asyncio.sleep(0)  # its group begins; its COMMIT is on the helper thread now
    broken = outbox._write(failing)  # the next group: a write that fails, then an order
    refused = asyncio.ensure_future(outbox.append(_order(1)))
    await asyncio.sleep(0)
    assert (await first).created
    with pytest.raises(Exception, match="full"):
        await broken
    with pytest.raises(OutboxUnavailable):
        await refused
    appended = await outbox.append(_order(2))
    assert appended.created
    assert outbox.get("o-1") is None
    assert outbox.depth == 2


async def test_an_order_arriving_as_its_group_fails_goes_into_the_next_group(outbox: Outbox) -> None:
    def failing(db: object) -> None:
        raise _disk_full()

    first = asyncio.ensure_future(outbox.append(_order(0)))
    await asyncio.sleep(0)
    await asyncio.sleep(0)  # its COMMIT is on the helper thread; what follows waits for the next group
    broken = outbox._write(failing)
    refused = asyncio.ensure_future(outbox.append(_order(1)))
    await asyncio.sleep(0)
    with pytest.raises(Exception, match="full"):
        await broken  # the group has failed; its appends have not heard yet
    late = await outbox.append(_order(2))  # decided at once, in this step: a group of its own
    assert late.created
    with pytest.raises(OutboxUnavailable):
        await refused
    assert (await first).created


async def test_appends_after_a_close_and_reopen_are_stored(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.sqlite3")
    box.open()
    await box.close()
    with pytest.raises(RuntimeError, match="not open"):
        await box.append(_order(0))
    box.open()
    try:
        appended = await asyncio.wait_for(box.append(_order(1)), timeout=10)
        assert appended.created
        assert [order.order_id for order in await box.pending(10)] == ["o-1"]
    finally:
        await box.close()


async def test_an_append_while_closing_is_refused_as_unavailable_and_the_queued_one_lands(
    tmp_path: Path,
) -> None:
    box = Outbox(tmp_path / "outbox.sqlite3")
    box.open()
    queued = asyncio.ensure_future(box.append(_order(1)))
    await asyncio.sleep(0)  # the append queues its group
    await asyncio.sleep(0)  # the group begins: its statements run, its COMMIT goes to the thread
    closing = asyncio.ensure_future(box.close())
    await asyncio.sleep(0)
    try:
        with pytest.raises(OutboxUnavailable) as refused:
            await box.append(_order(2))  # a group of its own, after closing began
    finally:
        async with asyncio.timeout(10):
            await closing
    assert refused.value.reason == "closing"
    assert (await queued).created
    box.open()
    try:
        assert [order.order_id for order in await box.pending(10)] == ["o-1"]
    finally:
        await box.close()


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():  # noqa: ASYNC110 - the commit lands on a helper thread
        await asyncio.sleep(0.01)


async def test_an_append_whose_caller_left_still_counts(outbox: Outbox) -> None:
    leaving = asyncio.ensure_future(outbox.append(_order(1)))
    await asyncio.sleep(0)
    leaving.cancel()
    await asyncio.wait_for(_until(lambda: outbox.depth == 1), timeout=10)
    assert outbox.get("o-1") is not None, "the order was committed all the same"
    assert outbox.depth == 1
    assert len(await outbox.pending(10)) == 1
