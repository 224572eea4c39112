"""pytest-benchmark figures for durable acknowledgements in-process (``make bench``).

Thirty-two orders at once, as thirty-two shoppers' requests would arrive on a busy edge, each
through the ASGI lane, validated, assessed and committed to the outbox (WAL, ``synchronous=FULL``:
the figure includes the group's fsync). Reference data is in the cache first, as on a warm edge;
the central store is unreachable, so forwarding takes no part.
"""

from __future__ import annotations

import asyncio
import itertools

import orjson
from pytest_benchmark.fixture import BenchmarkFixture

from gateway.edge.services.reference import COUPONS_KEY, book_key
from gateway.models import AddressBook
from gateway.seed import COUPONS, build_seed
from tests.benchmarks.asgi import EdgeInProcess, call

CONCURRENT = 32
SEED = build_seed(items=50, users=5)


def test_acknowledge_32_concurrent_orders(benchmark: BenchmarkFixture, edge: EdgeInProcess) -> None:
    item, user = SEED.items[42], "u-0001"
    reference = edge.context.reference
    book = AddressBook(user, SEED.addresses[user])
    edge.run(reference.put_item(item))
    edge.run(reference.cache.put(book_key(user), book, reference._book_loader(user)))
    edge.run(reference.cache.put(COUPONS_KEY, {c.code: c for c in COUPONS}, reference._coupons_loader()))
    token, _ = edge.context.signer.issue(user)
    body = orjson.dumps(
        {"sku": item.sku, "spec": item.specs[0], "qty": 1, "payment_method": "alipay",
         "address_id": book.addresses[0].address_id}
    )  # fmt: skip
    keys = itertools.count()

    def headers() -> dict[str, str]:
        return {"authorization": f"Bearer {token}", "idempotency-key": f"bench-{next(keys)}"}

    async def orders() -> list[int]:
        requests = [call(edge.app, "POST", "/v1/orders", body, headers()) for _ in range(CONCURRENT)]
        return [status for status, _, _ in await asyncio.gather(*requests)]

    statuses = benchmark(lambda: edge.run(orders()))
    assert statuses == [202] * CONCURRENT
    assert edge.context.outbox.depth >= CONCURRENT
