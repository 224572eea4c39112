"""Exception-order rules, as data: each rule is a code, whether it blocks, a focus field and a check.

A check looks at the precomputed :class:`OrderFacts` and returns a :class:`Finding` when the order
needs attention. Adding a rule is adding one entry to :data:`RULES`; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import msgspec

from gateway.domain.pricing import Pricing
from gateway.models import Address, Item, OrderRequest


class ShippingAddress(msgspec.Struct, frozen=True):
    """Where the order goes, as far as the edge could tell."""

    name: str
    phone: str
    province: str | None
    city: str | None
    county: str | None
    adcode: str | None
    detail: str | None
    source: str  # "book" | "inline_text" | "inline_parts" | "unverified"
    confidence: float = 1.0
    town: str | None = None  # the 乡镇 or 街道, where the text names one
    town_code: str | None = None  # its nine-digit code
    village: str | None = None  # the 村 or 社区 written after it

    @property
    def complete(self) -> bool:
        return bool(self.adcode and self.county and self.detail and len(self.detail) >= 4)


class OrderFacts(msgspec.Struct, frozen=True):
    order: OrderRequest
    item: Item | None  # None: the catalog could not be reached in time
    address: ShippingAddress
    saved_addresses: tuple[Address, ...] | None  # None: the address book could not be reached
    pricing: Pricing | None
    local_time: datetime


@dataclass(frozen=True, slots=True)
class RulePolicy:
    remote_adcode_prefixes: tuple[str, ...] = ()
    # Towns remote even where their county is not (islands, mountain townships): nine-digit codes.
    remote_town_codes: frozenset[str] = frozenset()
    night_hours: tuple[int, int] = (22, 6)
    risky_amount_cents: int = 200_000
    cash_on_delivery_limit_cents: int = 100_000
    normal_qty_by_category: Mapping[str, int] = field(default_factory=lambda: {"food": 5})
    normal_qty: int = 2
    far_above_factor: int = 5

    def is_night(self, moment: datetime) -> bool:
        start, end = self.night_hours
        if start <= end:
            return start <= moment.hour < end
        return moment.hour >= start or moment.hour < end  # the window wraps past midnight


class Finding(msgspec.Struct, frozen=True):
    message: str
    field: str | None = None  # overrides the rule's focus field


class Flag(msgspec.Struct, frozen=True):
    code: str
    message: str
    field: str
    blocking: bool


Check = Callable[[OrderFacts, RulePolicy], Finding | None]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    blocking: bool
    field: str
    check: Check


def _incomplete_address(facts: OrderFacts, _: RulePolicy) -> Finding | None:
    address = facts.address
    if address.source == "unverified" or address.complete:
        return None
    if not address.adcode:
        return Finding("the county could not be determined from the address", "address.county")
    return Finding("the street address is missing or too short to deliver to", "address.detail")


def _address_unverified(facts: OrderFacts, _: RulePolicy) -> Finding | None:
    if facts.address.source != "unverified":
        return None
    return Finding("the saved address could not be looked up; confirm it before shipping")


def _catalog_unverified(facts: OrderFacts, _: RulePolicy) -> Finding | None:
    if facts.item is None:
        return Finding("the item, spec and price could not be checked against the catalog in time")
    if facts.pricing is None:
        return Finding("the coupons could not be checked in time; the total is to be confirmed", "coupons")
    return None


def _spec_conflict(facts: OrderFacts, _: RulePolicy) -> Finding | None:
    if facts.item is None:
        return None
    stock = facts.item.spec_stock.get(facts.order.spec, 0)
    if stock >= facts.order.qty:
        return None
    if stock == 0:
        return Finding(f"spec {facts.order.spec} is out of stock")
    return Finding(f"only {stock} of spec {facts.order.spec} in stock, {facts.order.qty} ordered")


def _stacked_coupons(facts: OrderFacts, _: RulePolicy) -> Finding | None:
    return _coupon_finding(facts, stacked=True)


def _coupon_not_applied(facts: OrderFacts, _: RulePolicy) -> Finding | None:
    return _coupon_finding(facts, stacked=False)


def _coupon_finding(facts: OrderFacts, stacked: bool) -> Finding | None:
    """Exclusive coupons combined need a person; a coupon that merely does not apply is reported."""
    if facts.pricing is None:
        return None
    rejected = [r for r in facts.pricing.rejected if (r.reason == "not_stackable") == stacked]
    if not rejected:
        return None
    reasons = "; ".join(r.message for r in rejected)
    return Finding(f"coupons not applied: {reasons}", f"coupons.{rejected[0].position}")


def _remote_county(facts: OrderFacts, policy: RulePolicy) -> Finding | None:
    address = facts.address
    adcode = address.adcode
    if adcode and adcode.startswith(policy.remote_adcode_prefixes):
        return Finding(f"{address.county} ({adcode}) is a remote county: confirm carrier and delivery time")
    if address.town_code and address.town_code in policy.remote_town_codes:
        return Finding(
            f"{address.town} ({address.town_code}) in {address.county} is a remote town: "
            "confirm carrier and delivery time"
        )
    return None


def _is_new_address(facts: OrderFacts) -> bool:
    """No saved address is this one: same county, same street once the town written is set aside
    (a saved 红锦大道12号 is the 龙溪街道红锦大道12号 typed now)."""
    saved = facts.saved_addresses
    address = facts.address
    if saved is None or address.source in ("book", "unverified"):
        return False
    street = _street(address.detail, address.town)
    return not any(a.adcode == address.adcode and _street(a.detail, address.town) == street for a in saved)


def _street(detail: str | None, town: str | None) -> str | None:
    if detail and town and detail.startswith(town):
        return detail[len(town) :]
    return detail


def _payment_risk(facts: OrderFacts, policy: RulePolicy) -> Finding | None:
    if facts.pricing is None:
        return None
    total = facts.pricing.total_cents
    if total >= policy.risky_amount_cents and _is_new_address(facts) and policy.is_night(facts.local_time):
        return Finding(f"{total / 100:.2f} to a never-used address at night")
    if facts.order.payment_method == "cash_on_delivery" and total > policy.cash_on_delivery_limit_cents:
        return Finding(f"cash on delivery of {total / 100:.2f} exceeds the limit")
    return None


def _unusual_address(facts: OrderFacts, _: RulePolicy) -> Finding | None:
    if not _is_new_address(facts):
        return None
    town = facts.address.town
    where = f" in {town}" if town else ""
    return Finding(f"this address{where} differs from the saved ones; save it to the address book?")


def _unusual_quantity(facts: OrderFacts, policy: RulePolicy) -> Finding | None:
    category = facts.item.category if facts.item else ""
    normal = policy.normal_qty_by_category.get(category, policy.normal_qty)
    if facts.order.qty <= normal * policy.far_above_factor:
        return None
    return Finding(
        f"quantity {facts.order.qty} is far above the usual {normal} for {category or 'this item'}"
    )


def _gift_details(facts: OrderFacts, _: RulePolicy) -> Finding | None:
    gift = facts.order.gift
    if not gift:
        return None
    wanted = ("greeting", "deliver_at")
    missing = list(wanted) if gift is True else [name for name in wanted if not getattr(gift, name)]
    if not missing:
        return None
    return Finding(f"gift order: please add {' and '.join(missing)}", f"gift.{missing[0]}")


RULES: tuple[Rule, ...] = (
    Rule("incomplete_address", True, "address", _incomplete_address),
    Rule("address_unverified", True, "address_id", _address_unverified),
    Rule("catalog_unverified", True, "sku", _catalog_unverified),
    Rule("spec_conflict", True, "spec", _spec_conflict),
    Rule("stacked_coupons", True, "coupons", _stacked_coupons),
    Rule("coupon_not_applied", False, "coupons", _coupon_not_applied),
    Rule("remote_county", True, "address", _remote_county),
    Rule("payment_risk", True, "payment_method", _payment_risk),
    Rule("unusual_quantity", True, "qty", _unusual_quantity),
    Rule("unusual_address", False, "address", _unusual_address),
    Rule("gift_details_needed", False, "gift", _gift_details),
)


def evaluate(facts: OrderFacts, policy: RulePolicy, rules: tuple[Rule, ...] = RULES) -> list[Flag]:
    flags = []
    for rule in rules:
        finding = rule.check(facts, policy)
        if finding is not None:
            flags.append(Flag(rule.code, finding.message, finding.field or rule.field, rule.blocking))
    return flags
