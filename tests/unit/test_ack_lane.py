"""The plain ASGI lane for JSON orders keeps every promise the middleware stack makes elsewhere."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from starlette.applications import Starlette
from starlette.types import Message

from gateway.cache.layer import EdgeCache
from gateway.cache.tags import MemoryTagIndex
from gateway.central.seed import COUPONS, build_seed
from gateway.edge.app import create_edge_app
from gateway.edge.context import EdgeContext
from gateway.edge.reference import COUPONS_KEY, book_key
from gateway.models import Address, AddressBook
from gateway.ops.budgets import DEADLINE_SCOPE_KEY
from gateway.settings import EdgeSettings, ServerSettings
from tests.asgi import http_scope

SEED = build_seed(items=50, users=5)
ITEM, USER = SEED.items[42], "u-0001"
ORDER = orjson.dumps(
    {"sku": ITEM.sku, "spec": ITEM.specs[0], "qty": 1, "payment_method": "alipay",
     "address_id": SEED.addresses[USER][0].address_id}
)  # fmt: skip


@pytest.fixture
async def edge(tmp_path: Path) -> AsyncIterator[Starlette]:
    settings = EdgeSettings(
        secret="lane-test-secret-long-enough",
        central_url="http://127.0.0.1:9",
        data_dir=tmp_path,
        max_body_bytes=1024,
        server=ServerSettings(max_inflight_requests=2),
    )
    app = create_edge_app(settings)
    async with app.router.lifespan_context(app):
        context: EdgeContext = app.state.edge
        reference = context.reference
        await reference.put_item(ITEM)
        book = AddressBook(USER, SEED.addresses[USER])
        await reference.cache.put(book_key(USER), book, reference._book_loader(USER))
        await reference.cache.put(COUPONS_KEY, {c.code: c for c in COUPONS}, reference._coupons_loader())
        yield app


def _token(app: Starlette) -> str:
    token: str = app.state.edge.signer.issue(USER)[0]
    return token


async def _post(
    app: Starlette,
    chunks: list[bytes],
    headers: dict[str, str] | list[tuple[str, str]],
    *,
    declare_length: bool = True,
    sent: list[Message] | None = None,
    scope_out: dict[str, Any] | None = None,
) -> tuple[int | None, dict[str, str], Any]:
    pending = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]
    sent = [] if sent is None else sent

    async def receive() -> Message:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    pairs = headers.items() if isinstance(headers, dict) else headers
    raw = [(k.lower().encode(), v.encode()) for k, v in pairs]
    if declare_length:
        raw.append((b"content-length", str(sum(map(len, chunks))).encode()))
    scope = http_scope("POST", "/v1/orders", raw)
    if scope_out is not None:
        scope_out.update(scope)
        scope = scope_out
    await app(scope, receive, send)
    start = next((m for m in sent if m["type"] == "http.response.start"), None)
    if start is None:
        return None, {}, None
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return (
        start["status"],
        {k.decode(): v.decode() for k, v in start["headers"]},
        orjson.loads(body or b"null"),
    )


def _headers(app: Starlette, key: str = "lane-1") -> dict[str, str]:
    return {
        "authorization": f"Bearer {_token(app)}",
        "idempotency-key": key,
        "content-type": "application/json",
    }


async def test_an_order_is_acknowledged_with_server_timing_and_recorded_for_its_route(
    edge: Starlette,
) -> None:
    status, headers, ack = await _post(edge, [ORDER], _headers(edge))
    assert (status, ack["status"]) == (202, "accepted")
    assert [p.split(";")[0] for p in headers["server-timing"].split(", ")] == [
        "lookup",
        "assess",
        "commit",
        "total",
    ]
    assert edge.state.edge.route_stats.percentiles["order_ack"].snapshot()["count"] == 1
    replay_status, replay_headers, replayed = await _post(edge, [ORDER], _headers(edge))
    assert (replay_status, replay_headers["idempotent-replayed"], replayed) == (202, "true", ack)


async def test_a_body_over_the_limit_is_refused_whether_declared_or_streamed(edge: Starlette) -> None:
    big = b"x" * 2048
    declared = await _post(edge, [big], _headers(edge))
    streamed = await _post(edge, [big[:1000], big[1000:]], _headers(edge), declare_length=False)
    for status, headers, body in (declared, streamed):
        assert (status, body["error"]["code"], body["error"]["field"]) == (413, "body_too_large", "body")
        assert "total;dur=" in headers["server-timing"]
    assert edge.state.edge.outbox.depth == 0


async def test_past_the_inflight_limit_orders_are_shed_with_retry_after(edge: Starlette) -> None:
    # The lane counts against the gauge the in-flight middleware uses for every other route.
    gauge = next(m.kwargs["gauge"] for m in edge.user_middleware if "gauge" in m.kwargs)
    gauge.inflight = 2
    status, headers, body = await _post(edge, [ORDER], _headers(edge))
    assert (status, body["error"]["code"], headers["retry-after"]) == (503, "overloaded", "1")
    assert edge.state.edge.outbox.depth == 0


async def test_the_first_of_repeated_headers_counts_as_in_the_application(edge: Starlette) -> None:
    headers = [("authorization", f"Bearer {_token(edge)}"), ("authorization", "Bearer not-a-token")]
    status, _, _ = await _post(edge, [ORDER], [*headers, ("idempotency-key", "lane-first")])
    assert status == 202


async def test_bad_sessions_keys_and_bodies_name_their_field(edge: Starlette) -> None:
    bad_token = {**_headers(edge), "authorization": "Bearer not-a-token"}
    no_key = {k: v for k, v in _headers(edge).items() if k != "idempotency-key"}
    cases = [
        (await _post(edge, [ORDER], bad_token), (401, "authorization")),
        (await _post(edge, [ORDER], no_key), (400, "Idempotency-Key")),
        (await _post(edge, [b'{"sku": 1}'], _headers(edge, "lane-2")), (422, "sku")),
        (await _post(edge, [b"{not json"], _headers(edge, "lane-3")), (400, "body")),
    ]
    for (status, _, body), expected in cases:
        assert (status, body["error"]["field"]) == expected


async def test_a_client_gone_before_its_body_arrived_gets_nothing_and_stores_nothing(edge: Starlette) -> None:
    status, _, _ = await _post(edge, [], _headers(edge), declare_length=False)
    assert status is None
    assert edge.state.edge.outbox.depth == 0


async def test_orders_the_lane_leaves_alone_are_answered_by_the_application(edge: Starlette) -> None:
    cookie = {"cookie": f"session={_token(edge)}", "idempotency-key": "lane-cookie"}
    scope: dict[str, Any] = {}
    status, _, ack = await _post(edge, [ORDER], cookie, scope_out=scope)
    assert (status, ack["status"]) == (202, "accepted")
    assert DEADLINE_SCOPE_KEY in scope, "answered by the application"
    empty_bearer = {**cookie, "authorization": "Bearer ", "idempotency-key": "lane-cookie-2"}
    status, _, ack = await _post(edge, [ORDER], empty_bearer)
    assert (status, ack["status"]) == (202, "accepted"), "the cookie counts when the bearer is empty"
    status, _, body = await _post(edge, [ORDER], {"idempotency-key": "lane-anonymous"})
    assert (status, body["error"]["code"]) == (401, "unauthenticated")


async def test_an_unexpected_failure_is_a_json_500_and_still_counted(
    edge: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(order: object) -> None:
        raise RuntimeError("disk controller on fire")

    monkeypatch.setattr(edge.state.edge.outbox, "append", broken)
    sent: list[Message] = []
    with pytest.raises(RuntimeError):  # re-raised after the answer, so the server logs the trace
        await _post(edge, [ORDER], _headers(edge, "lane-broken"), sent=sent)
    assert sent[0]["status"] == 500
    assert orjson.loads(sent[1]["body"])["error"]["code"] == "internal_error"
    assert edge.state.edge.route_stats.percentiles["order_ack"].snapshot()["count"] == 1


async def test_an_address_saved_through_another_worker_is_found_past_the_near_tier(edge: Starlette) -> None:
    first = await _post(edge, [ORDER], _headers(edge, "lane-near-1"))
    assert first[0] == 202, "this worker now holds the shopper's book in its near tier"
    reference = edge.state.edge.reference
    saved = Address(**{**msgspec.structs.asdict(SEED.addresses[USER][0]), "address_id": "a-0001-new"})
    another_worker = EdgeCache(reference.cache._store, MemoryTagIndex(), name="another-worker")
    book = AddressBook(USER, [*SEED.addresses[USER], saved])
    await another_worker.put(book_key(USER), book, reference._book_loader(USER))
    order = orjson.dumps({**orjson.loads(ORDER), "address_id": "a-0001-new"})
    status, headers, ack = await _post(edge, [order], _headers(edge, "lane-near-2"))
    assert (status, ack["status"]) == (202, "accepted")
    phases = [entry.split(";")[0] for entry in headers["server-timing"].split(", ")]
    assert phases == ["lookup", "lookup_again", "assess", "commit", "total"]


async def test_an_unknown_address_stays_refused_when_the_second_look_finds_no_book(edge: Starlette) -> None:
    first = await _post(edge, [ORDER], _headers(edge, "lane-gone-1"))
    assert first[0] == 202, "the shopper's book is now in the near tier"
    reference = edge.state.edge.reference
    await reference.cache._store.delete(book_key(USER))  # purged behind it; the origin is unreachable
    order = orjson.dumps({**orjson.loads(ORDER), "address_id": "a-0001-never-saved"})
    status, headers, body = await _post(edge, [order], _headers(edge, "lane-gone-2"))
    assert (status, body["error"]["code"], body["error"]["field"]) == (422, "unknown_address", "address_id")
    assert "lookup_again;dur=" in headers["server-timing"], "the second look is shown on the 422 too"
    assert edge.state.edge.outbox.depth == 1
