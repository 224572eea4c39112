"""The plain ASGI lane for JSON orders: what it takes, what it leaves to the application, and how it
answers. The request policy it shares with the stack is tested once for both, in ``test_policy.py``."""

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
from gateway.edge.services.reference import book_key
from gateway.http.middleware import DEADLINE_SCOPE_KEY
from gateway.models import Address, AddressBook
from gateway.settings import EdgeSettings, ServerSettings
from tests.edge_app import ORDER, SEED, USER, running_edge, send_request, token_for


@pytest.fixture
async def edge(tmp_path: Path) -> AsyncIterator[Starlette]:
    settings = EdgeSettings(
        secret="lane-test-secret-long-enough",
        central_url="http://127.0.0.1:9",
        data_dir=tmp_path,
        max_body_bytes=1024,
        server=ServerSettings(max_inflight_requests=2),
    )
    async with running_edge(settings) as app:
        yield app


def _token(app: Starlette) -> str:
    return token_for(app)


async def _post(
    app: Starlette, chunks: list[bytes], headers: dict[str, str] | list[tuple[str, str]], **options: Any
) -> tuple[int | None, dict[str, str], Any]:
    return await send_request(app, "POST", "/v1/orders", chunks, headers, **options)


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
    assert edge.state.edge.route_stats.snapshot()["order_ack"]["count"] == 1
    replay_status, replay_headers, replayed = await _post(edge, [ORDER], _headers(edge))
    assert (replay_status, replay_headers["idempotent-replayed"], replayed) == (202, "true", ack)


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
    assert edge.state.edge.route_stats.snapshot()["order_ack"]["count"] == 1


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


async def test_a_retry_is_answered_past_the_shoppers_budget_even_when_this_process_forgot_its_key(
    tmp_path: Path,
) -> None:
    settings = EdgeSettings(
        secret="lane-test-secret-long-enough",
        central_url="http://127.0.0.1:9",
        data_dir=tmp_path,
        rate_orders_per_shopper="1/minute",
    )
    async with running_edge(settings) as app:
        first = await _post(app, [ORDER], _headers(app, "budget-1"))
        assert first[0] == 202
        assert (await _post(app, [ORDER], _headers(app, "budget-2")))[0] == 429
        app.state.edge.idempotency._recent.clear()  # as after a restart: only the outbox knows the key
        status, headers, answer = await _post(app, [ORDER], _headers(app, "budget-1"))
        assert (status, headers["idempotent-replayed"], answer) == (202, "true", first[2])
