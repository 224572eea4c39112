"""Order totals with coupons applied, and why any coupon was not.

Rules of combination: any number of stackable coupons, plus at most one exclusive coupon; a
coupon whose minimum spend is not met does not apply; discounts never exceed the subtotal.
Percentages are applied to the subtotal before amount-off coupons, and round down to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from gateway.models import Coupon


class AppliedCoupon(msgspec.Struct, frozen=True):
    code: str
    title: str
    discount_cents: int


class RejectedCoupon(msgspec.Struct, frozen=True):
    position: int  # index in the order's coupon list, for the error's field path
    code: str
    reason: str  # "unknown" | "duplicate" | "min_spend" | "not_stackable"
    message: str


class Pricing(msgspec.Struct, frozen=True):
    unit_price_cents: int
    qty: int
    subtotal_cents: int
    applied: tuple[AppliedCoupon, ...]
    rejected: tuple[RejectedCoupon, ...]
    discount_cents: int

    @property
    def total_cents(self) -> int:
        return self.subtotal_cents - self.discount_cents


def price_order(
    unit_price_cents: int, qty: int, codes: Sequence[str], coupons: Mapping[str, Coupon]
) -> Pricing:
    subtotal = unit_price_cents * qty
    accepted: list[Coupon] = []
    rejected: list[RejectedCoupon] = []
    seen: set[str] = set()
    exclusive: Coupon | None = None
    for position, code in enumerate(codes):
        coupon = coupons.get(code)
        if code in seen:
            rejected.append(RejectedCoupon(position, code, "duplicate", f"{code} is listed twice"))
        elif coupon is None:
            rejected.append(RejectedCoupon(position, code, "unknown", f"no coupon {code}"))
        elif subtotal < coupon.min_spend_cents:
            rejected.append(
                RejectedCoupon(
                    position,
                    code,
                    "min_spend",
                    f"{coupon.title} needs a {coupon.min_spend_cents / 100:.2f} spend",
                )
            )
        elif not coupon.stackable and exclusive is not None:
            rejected.append(
                RejectedCoupon(
                    position,
                    code,
                    "not_stackable",
                    f"{coupon.title} cannot be combined with {exclusive.title}",
                )
            )
        else:
            exclusive = exclusive if coupon.stackable else coupon
            accepted.append(coupon)
        seen.add(code)

    applied: list[AppliedCoupon] = []
    remaining = subtotal
    for coupon in sorted(accepted, key=lambda c: c.kind != "percent_off"):
        off = subtotal * coupon.value // 100 if coupon.kind == "percent_off" else coupon.value
        off = min(off, remaining)
        remaining -= off
        applied.append(AppliedCoupon(coupon.code, coupon.title, off))
    return Pricing(unit_price_cents, qty, subtotal, tuple(applied), tuple(rejected), subtotal - remaining)
