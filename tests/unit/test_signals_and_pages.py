from __future__ import annotations

import pytest

from gateway.domain.order_page import build_page
from gateway.domain.page_html import render_html
from gateway.edge.routes.signals import parse_signal
from gateway.edge.services.pages import PageStore, StoredPage
from gateway.edge.services.signal_store import SignalStore
from gateway.http.compression import compress
from gateway.seed import build_seed


@pytest.mark.parametrize(
    "raw",
    [
        {"t": 1.5, "type": "view", "sku": "sku-00042"},
        {"t": 2, "type": "spec", "sku": "sku-00042", "spec": "red-XL"},
        {"t": 3, "type": "cart", "sku": "sku-00042", "spec": "red-XL", "qty": 2, "extra": "ignored"},
        {"t": 4, "type": "dwell", "sku": "sku-00042", "ms": 1500},
        {"t": 5, "type": "leave"},
    ],
)
def test_well_formed_signals_are_parsed(raw: dict[str, object]) -> None:
    signal = parse_signal(raw)
    assert signal is not None
    assert signal.type == raw["type"]


@pytest.mark.parametrize(
    "raw",
    [
        {"t": 1, "type": "open_order", "sku": "sku-00042"},  # never a signal
        {"t": 1, "type": "teleport", "sku": "sku-00042"},
        {"type": "view", "sku": "sku-00042"},
        {"t": "soon", "type": "view", "sku": "sku-00042"},
        {"t": float("nan"), "type": "view", "sku": "sku-00042"},
        {"t": True, "type": "view", "sku": "sku-00042"},
        {"t": 1, "type": "view"},
        {"t": 1, "type": "view", "sku": "bad sku"},
        {"t": 1, "type": "cart", "sku": "sku-00042", "qty": 0},
        {"t": 1, "type": "cart", "sku": "sku-00042", "qty": True},
        {"t": 1, "type": "dwell", "sku": "sku-00042", "ms": -1},
        {"t": 1, "type": "spec", "sku": "sku-00042", "spec": ""},
        "view",
        None,
    ],
)
def test_malformed_signals_are_skipped(raw: object) -> None:
    assert parse_signal(raw) is None


def test_signal_store_is_bounded_and_expires_idle_shoppers() -> None:
    store = SignalStore(max_shoppers=3, idle_seconds=100)
    for n in range(5):
        store.shopper(f"u-{n}", now=1000.0 + n)
    assert len(store) == 3
    assert store.get("u-0") is None
    shopper = store.shopper("u-4", now=1004.0)
    shopper.state.items["sku-00001"] = None  # type: ignore[assignment]
    assert store.shopper("u-4", now=1050.0).state.items
    assert not store.shopper("u-4", now=1200.0).state.items, "idle longer than idle_seconds starts afresh"


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def _stored(sku_index: int = 0) -> StoredPage:
    item = build_seed(items=sku_index + 1, users=0).items[sku_index]
    page = build_page(
        item,
        item.specs[0],
        1,
        coupons={},
        address=None,
        payment_methods=(),
        remote_prefixes=(),
        idempotency_key="k",
    )
    return StoredPage(page, {(page.spec, 1): compress(render_html(page))}, expires_at=0, score=1.0)


def test_pages_are_per_shopper_and_counted_as_used_once() -> None:
    pages = PageStore(ttl_seconds=60, clock=Clock())
    stored = _stored()
    pages.put("u-0001", stored)
    assert pages.get("u-0001", stored.page.sku) is stored
    assert pages.get("u-0002", stored.page.sku) is None
    pages.mark_used(stored)
    pages.mark_used(stored)
    assert (pages.made, pages.used, pages.unused) == (1, 1, 0)


def test_pages_expire_and_unserved_ones_count_as_unused() -> None:
    clock = Clock()
    pages = PageStore(ttl_seconds=60, clock=clock)
    stored = _stored()
    pages.put("u-0001", stored)
    clock.now = 61
    assert pages.get("u-0001", stored.page.sku) is None
    assert (pages.made, pages.used, pages.unused) == (1, 0, 1)


def test_an_item_change_drops_its_pages_for_everyone() -> None:
    pages = PageStore(clock=Clock())
    first, other = _stored(0), _stored(1)
    pages.put("u-0001", first)
    pages.put("u-0002", _stored(0))
    pages.put("u-0001", other)
    assert pages.drop_sku(first.page.sku) == 2
    assert pages.get("u-0001", first.page.sku) is None
    assert pages.get("u-0001", other.page.sku) is other
    assert pages.for_user("u-0002") == []


def test_the_store_is_bounded() -> None:
    pages = PageStore(max_pages=2, clock=Clock())
    for n in range(4):
        pages.put(f"u-{n}", _stored())
    assert len(pages) == 2
    assert pages.unused == 2
