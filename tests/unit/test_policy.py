"""One table of cases for the request policy, run on every way into the edge: the plain ASGI ack lane,
a JSON route behind the middleware stack, and the order page's form behind the same stack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import orjson
import pytest
from starlette.applications import Starlette

from gateway.settings import EdgeSettings, ServerSettings
from tests.edge_app import HANGUP, ORDER, STALLED, policy_of, running_edge, send_request, token_for

BODY_LIMIT = 1024


@dataclass(frozen=True)
class Way:
    name: str
    route: str
    target: str
    content_type: str
    by_cookie: bool

    def headers(self, app: Starlette, key: str) -> dict[str, str]:
        headers = {"content-type": self.content_type, "idempotency-key": key}
        if self.by_cookie:
            headers["cookie"] = f"session={token_for(app)}"
        else:
            headers["authorization"] = f"Bearer {token_for(app)}"
        return headers

    def body(self, key: str) -> bytes:
        if self.content_type == "application/json" and self.target == "/v1/orders":
            return ORDER
        if self.target == "/v1/address/resolve":
            return orjson.dumps({"text": "江苏省南京市鼓楼区中山路100号"})
        order = orjson.loads(ORDER)
        return urlencode({**order, "idempotency_key": key}).encode()


WAYS = [
    Way("ack lane", "order_ack", "/v1/orders", "application/json", by_cookie=False),
    Way("json route", "address", "/v1/address/resolve", "application/json", by_cookie=False),
    Way("order form", "payment_redirect", "/v1/orders", "application/x-www-form-urlencoded", by_cookie=True),
]


@pytest.fixture
async def edge(tmp_path: Path) -> AsyncIterator[Starlette]:
    settings = EdgeSettings(
        secret="policy-test-secret-long-enough",
        central_url="http://127.0.0.1:9",
        data_dir=tmp_path,
        max_body_bytes=BODY_LIMIT,
        rate_orders_per_address="5/minute",
        rate_address_per_address="5/minute",
        server=ServerSettings(max_inflight_requests=2, body_read_timeout_seconds=0.05),
    )
    async with running_edge(settings) as app:
        yield app


def _count(app: Starlette, route: str) -> int:
    return int(policy_of(app).stats.snapshot().get(route, {}).get("count", 0))


@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.name)
async def test_an_answered_request_carries_server_timing_and_is_recorded(edge: Starlette, way: Way) -> None:
    status, headers, _ = await send_request(
        edge, "POST", way.target, [way.body("k1")], way.headers(edge, "k1")
    )
    assert status is not None
    assert status < 400, headers
    assert headers["server-timing"].rsplit(", ", 1)[-1].startswith("total;dur=")
    assert _count(edge, way.route) == 1


@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.name)
@pytest.mark.parametrize("declared", [True, False], ids=["declared", "streamed"])
async def test_a_body_over_the_limit_is_413_and_the_connection_closes(
    edge: Starlette, way: Way, declared: bool
) -> None:
    big = b"x" * (BODY_LIMIT + 1)
    chunks = [big] if declared else [big[:600], big[600:]]
    status, headers, body = await send_request(
        edge, "POST", way.target, chunks, way.headers(edge, "k2"), declare_length=declared
    )
    assert (status, body["error"]["code"], body["error"]["field"]) == (413, "body_too_large", "body")
    assert headers["connection"] == "close"
    assert "total;dur=" in headers["server-timing"]
    assert _count(edge, way.route) == 1
    assert edge.state.edge.outbox.depth == 0


@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.name)
async def test_a_body_that_stops_arriving_is_408_and_holds_no_inflight_slot(
    edge: Starlette, way: Way
) -> None:
    policy = policy_of(edge)
    policy.gauge.inflight = policy.limits.max_inflight  # a full node: the trickler must not be shed as 503
    status, headers, body = await send_request(
        edge, "POST", way.target, [b'{"sk', STALLED], way.headers(edge, "k3"), declare_length=False
    )
    assert (status, body["error"]["code"], headers["connection"]) == (408, "body_timeout", "close")
    assert policy.gauge.inflight == policy.limits.max_inflight


@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.name)
async def test_a_client_gone_mid_body_is_neither_answered_nor_counted(edge: Starlette, way: Way) -> None:
    status, _, _ = await send_request(
        edge, "POST", way.target, [b'{"sk', HANGUP], way.headers(edge, "k4"), declare_length=False
    )
    assert status is None
    assert _count(edge, way.route) == 0
    assert edge.state.edge.outbox.depth == 0


@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.name)
async def test_past_the_inflight_limit_a_request_is_shed_once_its_body_is_in(
    edge: Starlette, way: Way
) -> None:
    policy = policy_of(edge)
    policy.gauge.inflight = policy.limits.max_inflight
    status, headers, body = await send_request(
        edge, "POST", way.target, [way.body("k5")], way.headers(edge, "k5")
    )
    assert (status, body["error"]["code"], headers["retry-after"]) == (503, "overloaded", "1")
    assert _count(edge, way.route) == 1
    assert edge.state.edge.outbox.depth == 0


@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.name)
async def test_past_the_addresss_rate_budget_a_request_is_429_with_retry_after(
    edge: Starlette, way: Way
) -> None:
    answers = [
        await send_request(
            edge, "POST", way.target, [way.body(f"r{n}")], way.headers(edge, f"r{n}"), client="10.0.0.9"
        )
        for n in range(6)
    ]
    assert all(status != 429 for status, _, _ in answers[:5])
    status, headers, body = answers[5]
    assert (status, body["error"]["code"]) == (429, "rate_limited")
    assert 1 <= int(headers["retry-after"]) <= 60
    other_address = await send_request(
        edge, "POST", way.target, [way.body("r9")], way.headers(edge, "r9"), client="10.0.0.10"
    )
    assert other_address[0] != 429
