"""pytest-benchmark figures for the order page renderer (``make bench``).

In ``make test`` these run once each as plain tests (benchmarking is disabled there), so they also
check that every benchmarked call still returns the right thing.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from functools import partial
from urllib.parse import quote

from pytest_benchmark.fixture import BenchmarkFixture

from gateway.domain.order_page import OrderPage, build_page
from gateway.domain.page_html import render_html
from gateway.edge.services.pages import StoredPage
from gateway.http.compression import compress
from gateway.seed import build_seed
from gateway.settings import DEFAULT_PAYMENT_METHODS
from tests.benchmarks.asgi import EdgeInProcess, call

REMOTE = ("54", "63", "65", "5132", "5133")


def _order_page() -> Callable[[], OrderPage]:
    """build_page with its inputs bound: a shoe (27 specs), every seeded coupon, a saved address."""
    seed = build_seed(items=50, users=20)
    item = max(seed.items, key=lambda i: len(i.specs))
    address = next(book[0] for book in seed.addresses.values() if book)
    return partial(
        build_page,
        item,
        item.specs[0],
        2,
        coupons={coupon.code: coupon for coupon in seed.coupons},
        address=address,
        payment_methods=DEFAULT_PAYMENT_METHODS,
        remote_prefixes=REMOTE,
        idempotency_key="4f0c2a8e-6a53-4c3e-9d1e-2b7f0e9c1a55",
    )


def test_build_and_render_order_page(benchmark: BenchmarkFixture) -> None:
    order_page = _order_page()

    def build_and_render() -> str:
        return render_html(order_page())

    html = benchmark(build_and_render)
    assert html.startswith("<!doctype html>")
    assert 'action="/v1/orders"' in html


def test_compress_order_page_gzip_and_brotli(benchmark: BenchmarkFixture) -> None:
    html = render_html(_order_page()())
    body = benchmark(compress, html)
    assert gzip.decompress(body.gzip) == body.html
    assert len(body.brotli) < len(body.gzip) < len(body.html)


def test_order_page_exact_hit_via_the_fast_path_x1000(
    benchmark: BenchmarkFixture, edge: EdgeInProcess
) -> None:
    """A prerendered page served to its shopper: the fast path ahead of the middleware stack."""
    page = _order_page()()
    context = edge.context
    context.pages.put(
        "u-0001", StoredPage(page, {(page.spec, page.qty): compress(render_html(page))}, 0.0, 1.0)
    )
    token, _ = context.signer.issue("u-0001")
    context.signer.verify(token)  # a shopper's token is verified on their first request
    path = f"/v1/order-page?sku={page.sku}&spec={quote(page.spec)}&qty={page.qty}"
    headers = {"authorization": f"Bearer {token}", "accept-encoding": "gzip, deflate, br"}

    async def hits() -> tuple[int, dict[str, str], bytes]:
        for _ in range(999):
            await call(edge.app, "GET", path, headers=headers)
        return await call(edge.app, "GET", path, headers=headers)

    status, answer_headers, body = benchmark(lambda: edge.run(hits()))  # type: ignore[misc]
    assert (status, answer_headers["x-prerender-variant"]) == (200, "exact")
    assert answer_headers["content-encoding"] == "br"
    assert body == context.pages.get("u-0001", page.sku).variants[page.spec, page.qty].brotli  # type: ignore[union-attr]
