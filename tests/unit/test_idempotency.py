"""The idempotency claim: one request per key at a time, duplicates wait or get 409, never two orders."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.domain.budgets import Deadline
from gateway.edge.services.idempotency import IdempotencyGuard
from gateway.errors import ApiError
from gateway.outbox.store import Outbox, StoredOrder


@pytest.fixture
async def guard(tmp_path: Path) -> AsyncIterator[IdempotencyGuard]:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    outbox.open()
    yield IdempotencyGuard(outbox)
    await outbox.close()


def _stored(fingerprint: str, answer: bytes) -> StoredOrder:
    return StoredOrder(1, "o-1", "u-1", fingerprint, "accepted", answer, 0.0, None)


async def test_a_duplicate_waits_for_the_first_and_then_sees_its_answer(guard: IdempotencyGuard) -> None:
    seen: list[object] = []

    async def first() -> None:
        async with guard.claim("u-1", "k", Deadline.after(1.0)) as prior:
            seen.append(prior)
            await asyncio.sleep(0.05)
            guard.remember("u-1", "k", _stored("f", b"answer"))

    async def duplicate() -> None:
        await asyncio.sleep(0.01)
        async with guard.claim("u-1", "k", Deadline.after(1.0)) as prior:
            seen.append(prior)

    await asyncio.gather(first(), duplicate())
    assert seen == [None, ("f", b"answer")]


async def test_a_duplicate_that_runs_out_of_time_gets_409(guard: IdempotencyGuard) -> None:
    async with guard.claim("u-1", "k", Deadline.after(1.0)):
        with pytest.raises(ApiError) as refused:
            async with guard.claim("u-1", "k", Deadline.after(0.02)):
                pytest.fail("two holders of one key")
    assert (refused.value.status, refused.value.code) == (409, "idempotency_key_in_use")


async def test_the_key_is_free_again_after_its_holder_fails_or_is_cancelled(guard: IdempotencyGuard) -> None:
    with pytest.raises(RuntimeError):
        async with guard.claim("u-1", "k", Deadline.after(1.0)):
            raise RuntimeError("assessment failed")

    async def held_forever() -> None:
        async with guard.claim("u-1", "k", Deadline.after(1.0)):
            await asyncio.sleep(10)

    holder = asyncio.ensure_future(held_forever())
    await asyncio.sleep(0.01)
    holder.cancel()
    async with asyncio.timeout(0.5):
        async with guard.claim("u-1", "k", Deadline.after(0.4)) as prior:
            assert prior is None


async def test_past_its_bound_the_guard_forgets_the_oldest_answer_first(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "bounded.sqlite3")
    outbox.open()
    try:
        guard = IdempotencyGuard(outbox, remember=2)
        for key in ("k1", "k2", "k3"):
            guard.remember("u-1", key, _stored(f"f-{key}", key.encode()))
        assert guard.stored("u-1", "k1") is None  # forgotten, and never stored in this outbox
        assert guard.stored("u-1", "k2") == ("f-k2", b"k2")
        assert guard.stored("u-1", "k3") == ("f-k3", b"k3")
    finally:
        await outbox.close()
