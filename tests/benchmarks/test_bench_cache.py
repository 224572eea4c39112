"""pytest-benchmark figures for the edge's caching and address resolution (``make bench``).

The edge app runs in-process with its central store unreachable, so every figure is the edge's
own work: items and resolutions are put in the cache first, exactly as a fill would.
"""

from __future__ import annotations

import orjson
from pytest_benchmark.fixture import BenchmarkFixture

from gateway.divisions import load_divisions
from gateway.domain.address import AddressResolver
from gateway.seed import build_seed
from tests.benchmarks.asgi import EdgeInProcess, call

ROUNDS = 1000
TEXTS = [
    "广东省深圳市南山区科技园路1号",
    "内蒙呼和浩特新城区海拉尔东路5号",
    "南京鼓楼区中山路1号",
    "四川甘孜理塘县高城镇",
    "湖北仙桃市干河街道",
    "浙江杭州西湖区文三路99号",
]


def test_item_cache_hit_via_the_endpoint_x1000(benchmark: BenchmarkFixture, edge: EdgeInProcess) -> None:
    item = build_seed(items=1, users=0).items[0]
    edge.run(edge.context.reference.put_item(item))

    async def hits() -> tuple[int, dict[str, str], bytes]:
        for _ in range(ROUNDS - 1):
            await call(edge.app, "GET", f"/v1/catalog/items/{item.sku}")
        return await call(edge.app, "GET", f"/v1/catalog/items/{item.sku}")

    status, headers, body = benchmark(lambda: edge.run(hits()))  # type: ignore[misc]
    assert (status, headers["x-cache"]) == (200, "hit")
    assert orjson.loads(body)["sku"] == item.sku


def test_etag_revalidation_x1000(benchmark: BenchmarkFixture, edge: EdgeInProcess) -> None:
    item = build_seed(items=1, users=0).items[0]
    entry = edge.run(edge.context.reference.put_item(item))
    etag = {"if-none-match": entry.etag}  # type: ignore[attr-defined]

    async def revalidations() -> tuple[int, dict[str, str], bytes]:
        for _ in range(ROUNDS - 1):
            await call(edge.app, "GET", f"/v1/catalog/items/{item.sku}", headers=etag)
        return await call(edge.app, "GET", f"/v1/catalog/items/{item.sku}", headers=etag)

    status, _, body = benchmark(lambda: edge.run(revalidations()))  # type: ignore[misc]
    assert (status, body) == (304, b"")


def test_resolve_cached_via_the_endpoint_x1000(benchmark: BenchmarkFixture, edge: EdgeInProcess) -> None:
    body = orjson.dumps({"text": TEXTS[0]})

    async def resolves() -> tuple[int, dict[str, str], bytes]:
        for _ in range(ROUNDS - 1):
            await call(edge.app, "POST", "/v1/address/resolve", body)
        return await call(edge.app, "POST", "/v1/address/resolve", body)

    status, _, answer = benchmark(lambda: edge.run(resolves()))  # type: ignore[misc]
    assert status == 200
    assert orjson.loads(answer)["adcode"] == "440305"


def test_resolve_uncached(benchmark: BenchmarkFixture) -> None:
    resolver = AddressResolver(load_divisions())
    results = benchmark(lambda: [resolver.resolve(text) for text in TEXTS])
    assert [r.division.adcode if r.division else None for r in results][:2] == ["440305", "150102"]
