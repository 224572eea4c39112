"""Rate budgets on a real edge, at their shipped defaults: bursts from one address or one shopper meet 429
with Retry-After; with the Redis cache tier, every edge of a region draws on one count."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import httpx
import pytest

from gateway.settings import EdgeSettings
from gateway.signing import SessionSigner
from tests.nodes import cluster, order_body, start_edge

pytestmark = pytest.mark.integration

# What an operator gets without setting anything (the test nodes lift the budgets otherwise).
SHIPPED = {
    f"EDGE_{field.name.upper()}": str(field.default)
    for field in dataclasses.fields(EdgeSettings)
    if field.name.startswith("rate_")
}


async def _burst(url: str, count: int, **request: object) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=10) as client:
        answers: list[httpx.Response] = []
        for start in range(0, count, 50):
            batch = min(50, count - start)
            answers += await asyncio.gather(*(client.post(url, **request) for _ in range(batch)))  # type: ignore[arg-type]
        return answers


def _refusals(answers: list[httpx.Response]) -> list[httpx.Response]:
    refused = [answer for answer in answers if answer.status_code == 429]
    for answer in refused:
        assert answer.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(answer.headers["retry-after"]) <= 60
    assert all(answer.status_code in (200, 201, 202, 429) for answer in answers)
    return refused


def test_bursts_of_logins_from_one_address_and_signals_from_one_shopper_meet_429(tmp_path: Path) -> None:
    with cluster(tmp_path, extra_env=SHIPPED) as nodes:
        logins = asyncio.run(_burst(f"{nodes.edge.url}/v1/sessions", 300, json={"user_id": "u-0007"}))
        assert 200 <= len(_refusals(logins)) <= 300 - 60, "60 a minute from one address, the rest refused"
        token = SessionSigner(nodes.secret).issue("u-0008")[0]
        signals = asyncio.run(
            _burst(
                f"{nodes.edge.url}/v1/signals",
                300,
                json={"events": [{"t": 1.0, "type": "view", "sku": "sku-00042"}]},
                headers={"authorization": f"Bearer {token}"},
            )
        )
        # 120 at once, then one more each half second while the burst lasts (a few seconds here).
        assert 300 - 120 - 20 <= len(_refusals(signals)) <= 300 - 120, "120 a minute for one shopper"


def test_edges_sharing_the_redis_tier_share_a_shoppers_budget(tmp_path: Path, redis_url: str) -> None:
    env = {**SHIPPED, "EDGE_CACHE_BACKEND": "redis", "EDGE_CACHE_REDIS_URL": redis_url}
    with cluster(tmp_path, extra_env=env) as nodes:
        other = start_edge(nodes.supervisor, nodes.central.url, tmp_path / "other")
        token = SessionSigner(nodes.secret).issue("u-0001")[0]
        statuses = []
        for n in range(24):
            url = (nodes.edge.url if n % 2 else other.url) + "/v1/orders"
            headers = {"authorization": f"Bearer {token}", "idempotency-key": f"shared-{n}"}
            statuses.append(httpx.post(url, json=order_body(), headers=headers, timeout=10).status_code)
        assert statuses.count(202) == 20, statuses
        assert statuses.count(429) == 4, "the two edges counted one budget of 20 a minute"
