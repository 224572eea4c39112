"""One If-None-Match matcher for every route (RFC 9110 13.1.2: weak comparison, lists, ``*``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from gateway.domain.order_page import build_page
from gateway.domain.payments import DEFAULT_PAYMENT_METHODS
from gateway.edge.services.pages import StoredPage
from gateway.http.etags import none_match
from gateway.settings import EdgeSettings
from tests.edge_app import ITEM, SEED, USER, running_edge, send_request, token_for

TAG = '"3f2a-br"'


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (TAG, True),
        (f"W/{TAG}", True),  # a weak validator of the same tag, as a cache sends it back
        (f'"other", {TAG}', True),
        ("*", True),
        ("", False),
        ('"3f2a-br-extra"', False),
        ('"3f2a"', False),
        (f'"x{TAG[1:]}', False),  # holds the tag's text, is another tag
    ],
)
def test_if_none_match(header: str, matches: bool) -> None:
    assert none_match(header, TAG) is matches


@pytest.fixture
async def edge(tmp_path: Path) -> AsyncIterator[Starlette]:
    settings = EdgeSettings(
        secret="etag-test-secret-long-enough", central_url="http://127.0.0.1:9", data_dir=tmp_path
    )
    async with running_edge(settings) as app:
        # A prerendered page: one the node keeps, so that its validator means something next time.
        page = build_page(
            ITEM, ITEM.specs[0], 1, coupons={}, address=SEED.addresses[USER][0],
            payment_methods=DEFAULT_PAYMENT_METHODS, remote_prefixes=(), idempotency_key="k",
        )  # fmt: skip
        app.state.edge.pages.put(USER, StoredPage(page, {}, 0.0, 1.0))
        yield app


@pytest.mark.parametrize(
    "path", [f"/v1/order-page?sku={ITEM.sku}&spec={ITEM.specs[0]}&qty=2", f"/v1/catalog/items/{ITEM.sku}"]
)
async def test_every_route_revalidates_by_the_same_rules(edge: Starlette, path: str) -> None:
    headers = {"authorization": f"Bearer {token_for(edge)}"}
    status, answered, _ = await send_request(edge, "GET", path, [b""], headers)
    assert status == 200
    etag = answered["etag"]
    for header in (etag, f"W/{etag}", f'"stale", {etag}', "*"):
        status, _, _ = await send_request(edge, "GET", path, [b""], {**headers, "if-none-match": header})
        assert status == 304, header
