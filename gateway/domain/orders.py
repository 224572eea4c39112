"""Assess an order: check it against what the edge knows, price it, flag it, and pack it for review.

Everything here is synchronous and free of I/O: the caller fetches the item, the address book and
the coupons (or learns that it could not in time) and passes them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec

from gateway.domain.address import AddressResolver
from gateway.domain.payments import PaymentCatalog
from gateway.domain.pricing import Pricing, price_order
from gateway.domain.rules import Flag, OrderFacts, RulePolicy, ShippingAddress, evaluate
from gateway.models import Address, AddressBook, Coupon, Item, OrderRequest

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


class OrderRejected(Exception):
    """The order cannot be accepted as sent; ``field`` names what to fix."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message


class Assessment(msgspec.Struct, frozen=True):
    status: str  # "accepted" | "needs_review"
    flags: list[Flag]
    pricing: Pricing | None
    address: ShippingAddress
    review_packet: dict[str, Any]


class OrderContext(msgspec.Struct, frozen=True):
    """What the edge could gather for one order; ``None`` means it could not be reached in time."""

    item: Item | None
    book: AddressBook | None
    coupons: Mapping[str, Coupon] | None


def assess(
    order: OrderRequest,
    context: OrderContext,
    *,
    order_id: str,
    user_id: str,
    edge: str,
    now: float,
    resolver: AddressResolver,
    payments: PaymentCatalog,
    policy: RulePolicy,
) -> Assessment:
    _check_shape(order, context, payments)
    saved = tuple(context.book.addresses) if context.book is not None else None
    address = _shipping_address(order, saved, resolver)
    # Without the coupon list, an order that names no coupons can still be priced.
    coupons = context.coupons if context.coupons is not None or order.coupons else {}
    pricing = None
    if context.item is not None and coupons is not None:
        pricing = price_order(context.item.price_cents, order.qty, order.coupons, coupons)
        unknown = next((r for r in pricing.rejected if r.reason == "unknown"), None)
        if unknown is not None:
            raise OrderRejected(f"coupons.{unknown.position}", "unknown_coupon", unknown.message)
    local_time = datetime.fromtimestamp(now, UTC).astimezone(CHINA_STANDARD_TIME)
    facts = OrderFacts(order, context.item, address, saved, pricing, local_time)
    flags = evaluate(facts, policy)
    status = "needs_review" if any(flag.blocking for flag in flags) else "accepted"
    packet = _review_packet(facts, flags, order_id, user_id, edge)
    packet["status"] = status
    return Assessment(status, flags, pricing, address, packet)


def _check_shape(order: OrderRequest, context: OrderContext, payments: PaymentCatalog) -> None:
    if (order.address_id is None) == (order.address is None):
        raise OrderRejected("address", "address_required", "give exactly one of `address_id` and `address`")
    if order.payment_method not in payments:
        raise OrderRejected(
            "payment_method",
            "unknown_payment_method",
            f"unknown payment method {order.payment_method!r}; one of {', '.join(payments.ids)}",
        )
    if context.item is not None and order.spec not in context.item.specs:
        raise OrderRejected(
            "spec",
            "spec_not_offered",
            f"{order.sku} has no spec {order.spec!r}; offered: {', '.join(context.item.specs)}",
        )
    book = context.book
    if (
        book is not None
        and order.address_id is not None
        and all(a.address_id != order.address_id for a in book.addresses)
    ):
        raise OrderRejected("address_id", "unknown_address", f"no saved address {order.address_id}")


def _shipping_address(
    order: OrderRequest, saved: tuple[Address, ...] | None, resolver: AddressResolver
) -> ShippingAddress:
    if order.address_id is not None:
        match = next((a for a in saved or () if a.address_id == order.address_id), None)
        if match is None:  # the book could not be reached; _check_shape rejected unknown ids
            return ShippingAddress("", "", None, None, None, None, None, "unverified", 0.0)
        return ShippingAddress(
            match.name,
            match.phone,
            match.province,
            match.city,
            match.county,
            match.adcode,
            match.detail,
            "book",
        )
    inline = order.address
    if inline is None:  # _check_shape refuses this first; said again here, where the type needs it
        raise OrderRejected("address", "address_required", "give exactly one of `address_id` and `address`")
    text = (
        inline.text
        if inline.text is not None
        else "".join(part for part in (inline.province, inline.city, inline.county) if part)
    )
    resolution = resolver.resolve(text)
    division = resolution.division if resolution.certain else None
    detail = resolution.detail if inline.text is not None else inline.detail
    town = resolution.town if division is not None else None
    return ShippingAddress(
        name=inline.name,
        phone=inline.phone,
        province=division.province if division else inline.province,
        city=division.city if division else inline.city,
        county=division.county if division else inline.county,
        adcode=division.adcode if division else None,
        detail=detail or None,
        source="inline_text" if inline.text is not None else "inline_parts",
        confidence=resolution.confidence,
        town=town.name if town else None,
        town_code=town.code if town else None,
        village=resolution.village or None if town else None,
    )


def _review_packet(
    facts: OrderFacts, flags: list[Flag], order_id: str, user_id: str, edge: str
) -> dict[str, Any]:
    """Everything a reviewer needs, so that deciding never needs a lookup."""
    order, item, address = facts.order, facts.item, facts.address
    return {
        "order_id": order_id,
        "edge": edge,
        "user_id": user_id,
        "placed_at": facts.local_time.isoformat(timespec="seconds"),
        "summary": {
            "sku": order.sku,
            "title": item.title if item else None,
            "category": item.category if item else None,
            "spec": order.spec,
            "qty": order.qty,
            "unit_price_cents": item.price_cents if item else None,
            "catalog_version": item.version if item else None,
            "stock_for_spec": item.spec_stock.get(order.spec) if item else None,
        },
        "address": _address(address, order.address_id),
        "pricing": _pricing(facts.pricing),
        "payment_method": order.payment_method,
        "note": order.note,
        "gift": _gift(order),
        "flags": [
            {"code": f.code, "message": f.message, "field": f.field, "blocking": f.blocking} for f in flags
        ],
    }


def _address(address: ShippingAddress, address_id: str | None) -> dict[str, Any]:
    # Spelled out rather than dataclasses.asdict, which deep-copies every field and was half the
    # cost of assessing an order.
    return {
        "name": address.name,
        "phone": address.phone,
        "province": address.province,
        "city": address.city,
        "county": address.county,
        "adcode": address.adcode,
        "town": address.town,
        "town_code": address.town_code,
        "village": address.village,
        "detail": address.detail,
        "source": address.source,
        "address_id": address_id,
        "resolution_confidence": round(address.confidence, 2),
    }


def _pricing(pricing: Pricing | None) -> dict[str, Any] | None:
    if pricing is None:
        return None
    return {
        "subtotal_cents": pricing.subtotal_cents,
        "discount_cents": pricing.discount_cents,
        "total_cents": pricing.total_cents,
        "coupons": [
            {"code": c.code, "title": c.title, "discount_cents": c.discount_cents} for c in pricing.applied
        ],
        "rejected_coupons": [
            {"code": r.code, "reason": r.reason, "message": r.message} for r in pricing.rejected
        ],
    }


def _gift(order: OrderRequest) -> bool | dict[str, str | None] | None:
    if order.gift is None or order.gift is False:
        return None
    if order.gift is True:
        return True
    return {"greeting": order.gift.greeting, "deliver_at": order.gift.deliver_at}
