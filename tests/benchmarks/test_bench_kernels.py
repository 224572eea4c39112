"""pytest-benchmark figures for the per-request kernels of the edge (``make bench``).

In ``make test`` these run once each as plain tests (benchmarking is disabled there), so they also
check that every benchmarked call still returns the right thing.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

from aiocache import SimpleMemoryCache
from pytest_benchmark.fixture import BenchmarkFixture

from gateway.cache.items import CachedItem
from gateway.cache.layer import EdgeCache, Loader, Policy
from gateway.cache.tags import MemoryTagIndex
from gateway.edge.services.idempotency import IdempotencyGuard
from gateway.models import SessionRequest
from gateway.outbox.store import Outbox, StoredOrder
from gateway.seed import build_seed
from gateway.signing import SessionSigner
from gateway.validation import decode_json

SECRET = "benchmark-secret-of-enough-length"


def test_verify_session_token_seen_before(benchmark: BenchmarkFixture) -> None:
    signer = SessionSigner(SECRET)
    token, _ = signer.issue("u-0001")
    assert benchmark(signer.verify, token).user_id == "u-0001"


def test_verify_session_token_first_time(benchmark: BenchmarkFixture) -> None:
    issuer, signer = SessionSigner(SECRET), SessionSigner(SECRET)
    users = iter(range(10**9))

    def new_token() -> tuple[tuple[str], dict[str, object]]:
        return (issuer.issue(f"u-{next(users)}")[0],), {}

    session = benchmark.pedantic(signer.verify, setup=new_token, rounds=2000)
    assert session.user_id.startswith("u-")


def test_decode_session_request(benchmark: BenchmarkFixture) -> None:
    assert benchmark(decode_json, b'{"user_id": "u-0001"}', SessionRequest).user_id == "u-0001"


def test_edge_cache_hit_x1000(benchmark: BenchmarkFixture) -> None:
    """A thousand hits per round, so the event loop's own entry cost does not swamp the figure."""
    item = build_seed(items=1, users=0).items[0]
    cache = EdgeCache(SimpleMemoryCache(timeout=None), MemoryTagIndex(), name="bench", max_entries=1000)

    async def fetch(_: float) -> CachedItem:
        return CachedItem.of(item)

    loader = Loader(fetch, Policy(fresh_seconds=3600))
    loop = asyncio.new_event_loop()

    async def lookups() -> tuple[CachedItem | None, str]:
        for _ in range(999):
            await cache.get(item.sku, loader, 0.1)
        return await cache.get(item.sku, loader, 0.1)

    loop.run_until_complete(cache.get(item.sku, loader, 0.1))
    try:
        entry, found = benchmark(lambda: loop.run_until_complete(lookups()))
    finally:
        loop.close()
    assert found == "hit"
    assert entry is not None
    assert entry.etag == f'"{item.sku}-v{item.version}"'


def test_remember_answers_when_full_x1000(benchmark: BenchmarkFixture, tmp_path: Path) -> None:
    """A busy edge's guard is always full: every answer it remembers forgets the oldest. This once
    cost ~20-60 µs an order (a plain dict's first key is found by scanning past the holes left by
    the keys taken from its front), where it should cost well under one. A figure to read in
    ``make bench``, not a gate: it asserts only which answers are kept."""
    guard = IdempotencyGuard(Outbox(tmp_path / "unopened.sqlite3"), remember=50_000)
    answer = StoredOrder(1, "o-1", "u-1", "f" * 64, "accepted", b"{}", 0.0, None)
    keys = itertools.count()
    for _ in range(50_000):
        guard.remember("u-1", f"k{next(keys)}", answer)

    def remember_1000() -> None:
        for _ in range(1000):
            guard.remember("u-1", f"k{next(keys)}", answer)

    benchmark(remember_1000)
    newest = next(keys) - 1
    assert guard.remembered(f"u-1\0k{newest}") == ("f" * 64, b"{}")
    assert guard.remembered(f"u-1\0k{newest - 50_000}") is None
