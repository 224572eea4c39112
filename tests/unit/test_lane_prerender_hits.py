"""The prerender fast path reads a request as the application would, or leaves it to the application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.datastructures import QueryParams
from starlette.types import Message

from gateway.domain.order_page import build_page
from gateway.domain.page_html import render_html
from gateway.edge.app import create_edge_app
from gateway.edge.lanes.prerender_hits import _query
from gateway.edge.services.pages import StoredPage
from gateway.http.compression import compress
from gateway.seed import build_seed
from gateway.settings import DEFAULT_PAYMENT_METHODS, EdgeSettings
from tests.asgi import http_scope


@pytest.mark.parametrize(
    "raw",
    [
        b"sku=sku-00042&spec=black-M&qty=2",
        b"sku=sku-00042&spec=%E9%BB%91%E8%89%B2-M&qty=1",
        b"sku=sku-00042&spec=red+XL",
        b"sku=sku-00042&qty=&x=%41",  # a blank field beside an escape
        b"sku=sku-00042&sku=&x=+",  # a repeated field: the last one counts
        b"sku=sku-00042&spec=\xe9\xbb\x91&qty=1",  # raw UTF-8, read as latin-1 by both
        b"sku=sku-00042&spec=\xe9\xbb\x91+&qty=1",
        b"sku=sku-00042;spec=a&&flag",
        b"",
    ],
)
def test_a_query_reads_as_the_application_reads_it(raw: bytes) -> None:
    assert _query(raw) == dict(QueryParams(raw))


@pytest.fixture
async def edge_with_a_page(tmp_path: Path) -> AsyncIterator[tuple[Starlette, str, str]]:
    settings = EdgeSettings(
        secret="fast-path-secret-long-enough", central_url="http://127.0.0.1:9", data_dir=tmp_path
    )
    app = create_edge_app(settings)
    seed = build_seed(items=50, users=5)
    item = seed.items[42]
    page = build_page(
        item, item.specs[0], 1, coupons={}, address=seed.addresses["u-0001"][0],
        payment_methods=DEFAULT_PAYMENT_METHODS, remote_prefixes=(), idempotency_key="k",
    )  # fmt: skip
    async with app.router.lifespan_context(app):
        context = app.state.edge
        context.pages.put("u-0001", StoredPage(page, {(page.spec, 1): compress(render_html(page))}, 0.0, 1.0))
        token, _ = context.signer.issue("u-0001")
        context.signer.verify(token)
        yield app, token, f"sku={item.sku}&spec={page.spec}&qty=1"


async def _get(app: Starlette, query: str, headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(http_scope("GET", f"/v1/order-page?{query}", headers), receive, send)
    return {"status": str(sent[0]["status"])} | {k.decode(): v.decode() for k, v in sent[0]["headers"]}


async def test_an_exact_hit_is_served_and_repeated_headers_count_as_the_application_reads_them(
    edge_with_a_page: tuple[Starlette, str, str],
) -> None:
    app, token, query = edge_with_a_page
    bearer = (b"authorization", f"Bearer {token}".encode())
    hit = await _get(app, query, [bearer])
    assert (hit["status"], hit["x-prerender"], hit["x-prerender-variant"]) == ("200", "hit", "exact")
    json_first = await _get(app, query, [bearer, (b"accept", b"application/json"), (b"accept", b"text/html")])
    assert json_first["content-type"].startswith("application/json"), "the first Accept wins"


async def test_a_token_that_is_not_utf8_is_a_clean_401_not_a_500(
    edge_with_a_page: tuple[Starlette, str, str],
) -> None:
    app, _, query = edge_with_a_page
    answer = await _get(app, query, [(b"authorization", b"Bearer \xa0\xff")])
    assert answer["status"] == "401"
