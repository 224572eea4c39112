"""pytest-benchmark figures for the per-request kernels of the edge (``make bench``).

In ``make test`` these run once each as plain tests (benchmarking is disabled there), so they also
check that every benchmarked call still returns the right thing.
"""

from __future__ import annotations

import asyncio

from pytest_benchmark.fixture import BenchmarkFixture

from gateway.cache.items import CachedItem
from gateway.central.seed import build_seed
from gateway.edge.central_client import CentralClient
from gateway.edge.reference import Reference
from gateway.models import SessionRequest
from gateway.signing import SessionSigner
from gateway.validation import decode_json

SECRET = "benchmark-secret-of-enough-length"


def test_verify_session_token(benchmark: BenchmarkFixture) -> None:
    signer = SessionSigner(SECRET)
    token, _ = signer.issue("u-0001")
    assert benchmark(signer.verify, token).user_id == "u-0001"


def test_decode_session_request(benchmark: BenchmarkFixture) -> None:
    assert benchmark(decode_json, b'{"user_id": "u-0001"}', SessionRequest).user_id == "u-0001"


def test_item_cache_hit_x1000(benchmark: BenchmarkFixture) -> None:
    """A thousand hits per round, so the event loop's own entry cost does not swamp the figure."""
    item = build_seed(items=1, users=0).items[0]
    reference = Reference(CentralClient("http://127.0.0.1:9", "unused"), 60, 60)
    loop = asyncio.new_event_loop()

    async def lookups() -> tuple[CachedItem | None, bool]:
        for _ in range(999):
            await reference.item_entry(item.sku, time_limit=0.1)
        return await reference.item_entry(item.sku, time_limit=0.1)

    loop.run_until_complete(reference.put_item(item))
    try:
        entry, hit = benchmark(lambda: loop.run_until_complete(lookups()))
    finally:
        loop.close()
    assert hit
    assert entry is not None
    assert entry.etag == f'"{item.sku}-v{item.version}"'
