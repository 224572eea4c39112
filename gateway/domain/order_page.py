"""The order page's data (:class:`OrderPage`): what the shopper is about to buy, priced.

The page is built from reference data the caller has already fetched; everything here is plain and
synchronous, with no lookups and no I/O. :func:`render_variant` reprices a page for another spec or
quantity from the page's own data, so a change keeps a good prerender. Its HTML is ``page_html``'s.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from gateway.domain.payments import PaymentMethod
from gateway.domain.pricing import price_order
from gateway.domain.privacy import masked
from gateway.models import Address, Coupon, Item

QTY_MIN, QTY_MAX = 1, 200
NOTE_MAX_LENGTH = 200
GREETING_MAX_LENGTH = 100
ADDRESS_HINT = "请添加收货地址"

# Every name the form can post; the form decoder of POST /v1/orders reads exactly these.
# ``address_id`` is sent when the shopper has a saved address, ``name``/``phone``/``text`` (an
# inline address, resolved like /v1/address/resolve) when not. ``coupons`` may repeat.
FORM_FIELDS = (
    "idempotency_key", "sku", "spec", "qty", "address_id", "name", "phone", "text",
    "coupons", "payment_method", "note", "gift", "gift_greeting", "gift_deliver_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DeliveryEstimate:
    days_min: int
    days_max: int
    label: str


def _estimate(days_min: int, days_max: int) -> DeliveryEstimate:
    return DeliveryEstimate(days_min, days_max, f"预计{days_min}-{days_max}天送达")


def delivery_estimate(adcode: str | None, remote_prefixes: tuple[str, ...]) -> DeliveryEstimate:
    """How long delivery takes, from the county's adcode alone: a heuristic, not a carrier quote.

    * no address, or not a six-digit adcode: 2-7 days (we cannot tell, so say so widely);
    * a remote county (its adcode starts with one of ``remote_prefixes``): 5-10 days;
    * a city district (county part of the adcode 01-20, 市辖区): 2-3 days;
    * any other county or county-level city (21-99, 县 / 县级市): 3-5 days.
    """
    if adcode is None or len(adcode) != 6 or not (adcode.isascii() and adcode.isdigit()):
        return _estimate(2, 7)
    if remote_prefixes and adcode.startswith(remote_prefixes):
        return _estimate(5, 10)
    if int(adcode[4:]) <= 20:
        return _estimate(2, 3)
    return _estimate(3, 5)


@dataclass(frozen=True, slots=True)
class CouponOffer:
    """A coupon that applies to this order on its own, with what it takes off."""

    code: str
    title: str
    discount_cents: int
    stackable: bool


@dataclass(frozen=True, slots=True)
class OrderPage:
    sku: str
    title: str
    category: str
    version: int
    unit_price_cents: int
    specs: tuple[tuple[str, int], ...]  # every spec of the item with its stock, in catalog order
    spec: str
    qty: int
    # Every coupon the shopper holds (code, coupon), kept so another quantity can be repriced.
    held_coupons: tuple[tuple[str, Coupon], ...]
    subtotal_cents: int
    offers: tuple[CouponOffer, ...]  # those that apply, largest discount first
    address: Address | None
    delivery: DeliveryEstimate
    payment_methods: tuple[tuple[str, str], ...]  # (id, title)
    idempotency_key: str

    @property
    def spec_stock(self) -> int:
        return dict(self.specs).get(self.spec, 0)

    @property
    def best_offer(self) -> CouponOffer | None:
        return self.offers[0] if self.offers else None

    @property
    def total_cents(self) -> int:
        """The total with the best single coupon (stacking is the pricing rules' business)."""
        best = self.best_offer
        return self.subtotal_cents - (best.discount_cents if best else 0)

    def model(self) -> dict[str, Any]:
        """The page as JSON for app clients (lists and plain values only, so it round-trips)."""
        best = self.best_offer
        return {
            "product": {
                "sku": self.sku,
                "title": self.title,
                "category": self.category,
                "version": self.version,
            },
            "spec": {"name": self.spec, "stock": self.spec_stock},
            "specs": [{"name": name, "stock": stock} for name, stock in self.specs],
            "qty": self.qty,
            "qty_range": {"min": QTY_MIN, "max": QTY_MAX},
            "unit_price_cents": self.unit_price_cents,
            "subtotal_cents": self.subtotal_cents,
            "coupons": [
                {
                    "code": offer.code,
                    "title": offer.title,
                    "discount_cents": offer.discount_cents,
                    "stackable": offer.stackable,
                }
                for offer in self.offers
            ],
            "best_coupon": best.code if best else None,
            "total_cents": self.total_cents,
            "address": _address_model(self.address),
            "address_hint": None if self.address else ADDRESS_HINT,
            "delivery": {
                "days_min": self.delivery.days_min,
                "days_max": self.delivery.days_max,
                "label": self.delivery.label,
            },
            "payment_methods": [{"id": id_, "title": title} for id_, title in self.payment_methods],
            "gift": {
                "greeting": {"max_length": GREETING_MAX_LENGTH},
                "deliver_at": {"format": "date-time", "max_length": 40},
            },
            "note": {"max_length": NOTE_MAX_LENGTH},
            "idempotency_key": self.idempotency_key,
        }


def _address_model(address: Address | None) -> dict[str, Any] | None:
    return msgspec.structs.asdict(masked(address)) if address is not None else None


def _check_qty(qty: int) -> None:
    if not QTY_MIN <= qty <= QTY_MAX:
        raise ValueError(f"qty must be {QTY_MIN}..{QTY_MAX}, not {qty}")


def _offers(unit_price_cents: int, qty: int, held: tuple[tuple[str, Coupon], ...]) -> tuple[CouponOffer, ...]:
    """Each held coupon priced alone against this order; those that apply, best first."""
    by_code = dict(held)
    offers = []
    for code, coupon in held:
        pricing = price_order(unit_price_cents, qty, (code,), by_code)
        if pricing.applied:
            applied = pricing.applied[0]
            offers.append(CouponOffer(code, applied.title, applied.discount_cents, coupon.stackable))
    # Stable sort: equal discounts keep the holder's order, so output is deterministic.
    return tuple(sorted(offers, key=lambda offer: -offer.discount_cents))


def build_page(
    item: Item,
    spec: str,
    qty: int,
    *,
    coupons: Mapping[str, Coupon],
    address: Address | None,
    payment_methods: Sequence[PaymentMethod],
    remote_prefixes: tuple[str, ...],
    idempotency_key: str,
) -> OrderPage:
    """The order page for one item, spec and quantity; ``ValueError`` for an unknown spec or bad qty."""
    if spec not in item.specs:
        raise ValueError(f"{item.sku} has no spec {spec!r}")
    _check_qty(qty)
    held = tuple(coupons.items())
    return OrderPage(
        sku=item.sku,
        title=item.title,
        category=item.category,
        version=item.version,
        unit_price_cents=item.price_cents,
        specs=tuple((name, item.spec_stock.get(name, 0)) for name in item.specs),
        spec=spec,
        qty=qty,
        held_coupons=held,
        subtotal_cents=item.price_cents * qty,
        offers=_offers(item.price_cents, qty, held),
        address=address,
        delivery=delivery_estimate(address.adcode if address else None, remote_prefixes),
        payment_methods=tuple((method.id, method.title) for method in payment_methods),
        idempotency_key=idempotency_key,
    )


def render_qty_variant(page: OrderPage, qty: int) -> OrderPage:
    """The same page for another quantity, repriced from the page's own data (no lookups)."""
    return render_variant(page, spec=page.spec, qty=qty)


def render_variant(page: OrderPage, *, spec: str, qty: int) -> OrderPage:
    """The same page for another spec and quantity, from the page's own data (no lookups): the page
    knows every spec's stock and every coupon the shopper holds, and prices do not vary by spec."""
    _check_qty(qty)
    if spec not in dict(page.specs):
        raise ValueError(f"{page.sku} has no spec {spec!r}")
    if (spec, qty) == (page.spec, page.qty):
        return page
    return dataclasses.replace(
        page,
        spec=spec,
        qty=qty,
        subtotal_cents=page.unit_price_cents * qty,
        offers=_offers(page.unit_price_cents, qty, page.held_coupons),
    )
