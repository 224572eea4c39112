"""pytest-benchmark figures for the order page renderer (``make bench``).

In ``make test`` these run once each as plain tests (benchmarking is disabled there), so they also
check that every benchmarked call still returns the right thing.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from functools import partial

from pytest_benchmark.fixture import BenchmarkFixture

from gateway.central.seed import build_seed
from gateway.domain.render import OrderPage, build_page, compress, render_html
from gateway.settings import DEFAULT_PAYMENT_METHODS

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
