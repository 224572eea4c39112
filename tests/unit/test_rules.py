from __future__ import annotations

from datetime import datetime

import msgspec
import pytest
from msgspec.structs import replace

from gateway.domain.orders import CHINA_STANDARD_TIME as CST
from gateway.domain.pricing import price_order
from gateway.domain.rules import (
    RULES,
    Finding,
    Flag,
    OrderFacts,
    Rule,
    RulePolicy,
    ShippingAddress,
    evaluate,
)
from gateway.models import Address, Gift, Item, OrderRequest
from gateway.seed import COUPONS
from tests.unit.order_fixtures import HOME, PHONE

SEEDED = {coupon.code: coupon for coupon in COUPONS}
AFTERNOON = datetime(2026, 11, 27, 14, 0, tzinfo=CST)
LATE_NIGHT = datetime(2026, 11, 27, 23, 30, tzinfo=CST)
POLICY = RulePolicy()

FROM_BOOK = ShippingAddress(
    HOME.name, HOME.phone, HOME.province, HOME.city, HOME.county, HOME.adcode, HOME.detail, "book"
)
NEW_INLINE = ShippingAddress(
    "王芳", "13800138000", "北京市", "北京市", "东城区", "110101", "东华门大街1号", "inline_text", 0.95
)
UNVERIFIED = ShippingAddress("", "", None, None, None, None, None, "unverified", 0.0)


def _order(**changes: object) -> OrderRequest:
    fields: dict[str, object] = {
        "sku": "sku-00042",
        "spec": "black-128g",
        "qty": 1,
        "payment_method": "alipay",
        "address_id": "a-0042-0",
    }
    return OrderRequest(**(fields | changes))  # type: ignore[arg-type]


def _facts(
    order: OrderRequest | None = None,
    *,
    item: Item | None = PHONE,
    address: ShippingAddress = FROM_BOOK,
    saved: tuple[Address, ...] | None = (HOME,),
    priced: bool = True,
    at: datetime = AFTERNOON,
) -> OrderFacts:
    order = order or _order()
    pricing = None
    if priced and item is not None:
        pricing = price_order(item.price_cents, order.qty, order.coupons, SEEDED)
    return OrderFacts(order, item, address, saved, pricing, at)


def _flags(facts: OrderFacts, policy: RulePolicy = POLICY) -> dict[str, Flag]:
    flags = evaluate(facts, policy)
    assert len({flag.code for flag in flags}) == len(flags)
    return {flag.code: flag for flag in flags}


def _priced_at(price_cents: int) -> Item:
    return msgspec.structs.replace(PHONE, price_cents=price_cents)


def test_a_clean_order_raises_no_flags() -> None:
    assert evaluate(_facts(), POLICY) == []


@pytest.mark.parametrize(
    ("code", "blocking", "field"),
    [
        ("incomplete_address", True, "address"),
        ("address_unverified", True, "address_id"),
        ("catalog_unverified", True, "sku"),
        ("spec_conflict", True, "spec"),
        ("stacked_coupons", True, "coupons"),
        ("coupon_not_applied", False, "coupons"),
        ("remote_county", True, "address"),
        ("payment_risk", True, "payment_method"),
        ("unusual_quantity", True, "qty"),
        ("unusual_address", False, "address"),
        ("gift_details_needed", False, "gift"),
    ],
)
def test_rule_table_declares_which_flags_hold_an_order(code: str, blocking: bool, field: str) -> None:
    rule = next(rule for rule in RULES if rule.code == code)
    assert (rule.blocking, rule.field) == (blocking, field)


def test_rule_codes_are_unique() -> None:
    assert len({rule.code for rule in RULES}) == len(RULES) == 11


# ShippingAddress.complete and incomplete_address


@pytest.mark.parametrize(
    ("adcode", "county", "detail", "complete"),
    [
        ("110101", "东城区", "东华门大街1号", True),
        ("110101", "东城区", "东华门1", True),
        ("110101", "东城区", "华门1", False),
        ("110101", "东城区", None, False),
        ("110101", None, "东华门大街1号", False),
        (None, "东城区", "东华门大街1号", False),
    ],
)
def test_a_complete_address_has_a_county_code_and_a_real_street_address(
    adcode: str | None, county: str | None, detail: str | None, complete: bool
) -> None:
    address = ShippingAddress(
        "王芳", "13800138000", "北京市", "北京市", county, adcode, detail, "inline_parts"
    )
    assert address.complete is complete


def test_an_unresolved_county_is_flagged_on_address_county() -> None:
    address = ShippingAddress(
        "王芳", "13800138000", None, None, "鼓楼区", None, "中山路1号", "inline_text", 0.3
    )
    flag = _flags(_facts(address=address))["incomplete_address"]
    assert (flag.field, flag.blocking) == ("address.county", True)


@pytest.mark.parametrize("detail", [None, "1号"])
def test_a_missing_or_short_street_address_is_flagged_on_address_detail(detail: str | None) -> None:
    address = replace(NEW_INLINE, detail=detail)
    flag = _flags(_facts(address=address))["incomplete_address"]
    assert (flag.field, flag.blocking) == ("address.detail", True)


def test_a_complete_address_is_not_flagged_incomplete() -> None:
    assert "incomplete_address" not in _flags(_facts(address=NEW_INLINE))


def test_an_unverified_address_is_not_also_called_incomplete() -> None:
    assert "incomplete_address" not in _flags(_facts(address=UNVERIFIED, saved=None))


# address_unverified


def test_a_saved_address_that_could_not_be_looked_up_holds_the_order() -> None:
    flag = _flags(_facts(address=UNVERIFIED, saved=None))["address_unverified"]
    assert (flag.field, flag.blocking) == ("address_id", True)


def test_a_looked_up_saved_address_is_verified() -> None:
    assert "address_unverified" not in _flags(_facts())


# catalog_unverified


def test_an_unreachable_catalog_is_flagged_on_sku() -> None:
    flags = _flags(_facts(item=None))
    assert (flags["catalog_unverified"].field, flags["catalog_unverified"].blocking) == ("sku", True)


def test_unchecked_coupons_are_flagged_on_coupons() -> None:
    flags = _flags(_facts(_order(coupons=["c-10off99"]), priced=False))
    assert flags["catalog_unverified"].field == "coupons"
    assert "to be confirmed" in flags["catalog_unverified"].message


def test_a_checked_item_and_price_are_not_flagged_unverified() -> None:
    assert "catalog_unverified" not in _flags(_facts(_order(coupons=["c-10off99"])))


# spec_conflict


def test_an_out_of_stock_spec_is_flagged() -> None:
    flag = _flags(_facts(_order(spec="blue-128g")))["spec_conflict"]
    assert (flag.field, flag.blocking) == ("spec", True)
    assert flag.message == "spec blue-128g is out of stock"


def test_ordering_more_than_the_spec_has_is_flagged_with_both_numbers() -> None:
    flag = _flags(_facts(_order(spec="black-256g", qty=2)))["spec_conflict"]
    assert flag.message == "only 1 of spec black-256g in stock, 2 ordered"


def test_ordering_exactly_the_last_units_is_fine() -> None:
    assert "spec_conflict" not in _flags(_facts(_order(spec="black-256g", qty=1)))


def test_spec_stock_is_not_judged_without_the_catalog() -> None:
    assert "spec_conflict" not in _flags(_facts(_order(spec="blue-128g"), item=None))


# stacked_coupons


def test_exclusive_coupons_combined_hold_the_order() -> None:
    order = _order(coupons=["c-10off99", "c-30off299", "c-95pct", "c-10off99"])
    flags = _flags(_facts(order))
    stacked = flags["stacked_coupons"]
    assert (stacked.field, stacked.blocking) == ("coupons.2", True)
    assert "全场95折 cannot be combined with 满299减30" in stacked.message
    assert "listed twice" not in stacked.message
    not_applied = flags["coupon_not_applied"]
    assert (not_applied.field, not_applied.blocking) == ("coupons.3", False)
    assert "c-10off99 is listed twice" in not_applied.message


def test_a_coupon_below_its_minimum_spend_is_reported_without_holding_the_order() -> None:
    order = _order(coupons=["c-100off999"])
    flags = _flags(_facts(order, item=_priced_at(1_990)))
    assert "stacked_coupons" not in flags
    assert flags["coupon_not_applied"].blocking is False
    assert flags["coupon_not_applied"].field == "coupons.0"
    assert "999.00" in flags["coupon_not_applied"].message


def test_coupons_that_all_apply_are_not_flagged() -> None:
    flags = _flags(_facts(_order(coupons=["c-10off99", "c-30off299"])))
    assert "stacked_coupons" not in flags
    assert "coupon_not_applied" not in flags


# remote_county

LHASA = ShippingAddress(
    "次仁", "13800138000", "西藏自治区", "拉萨市", "城关区", "540102", "北京中路1号", "inline_text", 0.95
)
REMOTE = RulePolicy(remote_adcode_prefixes=("54", "65"))


def test_a_remote_county_is_flagged_with_its_name_and_code() -> None:
    flag = _flags(_facts(address=LHASA, saved=(HOME,)), REMOTE)["remote_county"]
    assert (flag.field, flag.blocking) == ("address", True)
    assert "城关区 (540102)" in flag.message


def test_a_county_outside_the_remote_prefixes_is_not_flagged() -> None:
    assert "remote_county" not in _flags(_facts(address=NEW_INLINE), REMOTE)


def test_no_county_is_remote_when_none_are_configured() -> None:
    assert "remote_county" not in _flags(_facts(address=LHASA))


def test_an_address_without_a_county_code_is_not_called_remote() -> None:
    assert "remote_county" not in _flags(_facts(address=UNVERIFIED, saved=None), REMOTE)


# 东极镇 is an island town of 舟山's 普陀区, a county no prefix makes remote.
DONGJI = ShippingAddress(
    "王芳", "13800138000", "浙江省", "舟山市", "普陀区", "330903", "东极镇庙子湖村8号", "inline_text", 0.9,
    town="东极镇", town_code="330903105", village="庙子湖村",
)  # fmt: skip
REMOTE_TOWNS = RulePolicy(remote_adcode_prefixes=("54", "65"), remote_town_codes=frozenset({"330903105"}))


def test_a_remote_town_is_flagged_in_a_county_that_is_not_remote() -> None:
    flag = _flags(_facts(address=DONGJI, saved=(HOME,)), REMOTE_TOWNS)["remote_county"]
    assert (flag.field, flag.blocking) == ("address", True)
    assert "东极镇 (330903105) in 普陀区 is a remote town" in flag.message


def test_other_towns_of_that_county_are_not_remote() -> None:
    elsewhere = replace(DONGJI, town="沈家门街道", town_code="330903001", detail="沈家门街道海莲路1号")
    assert "remote_county" not in _flags(_facts(address=elsewhere, saved=(HOME,)), REMOTE_TOWNS)
    assert "remote_county" not in _flags(_facts(address=DONGJI, saved=(HOME,)), REMOTE)


# payment_risk


@pytest.mark.parametrize(
    ("hour", "minute", "night"),
    [
        (21, 59, False),
        (22, 0, True),
        (23, 30, True),
        (0, 0, True),
        (5, 59, True),
        (6, 0, False),
        (14, 0, False),
    ],
)
def test_night_runs_from_22_to_6_china_time(hour: int, minute: int, night: bool) -> None:
    moment = datetime(2026, 11, 27, hour, minute, tzinfo=CST)
    assert POLICY.is_night(moment) is night
    flags = _flags(_facts(address=NEW_INLINE, at=moment))
    assert ("payment_risk" in flags) is night


def test_a_large_sum_to_a_new_address_at_night_is_held() -> None:
    flag = _flags(_facts(address=NEW_INLINE, at=LATE_NIGHT))["payment_risk"]
    assert (flag.field, flag.blocking) == ("payment_method", True)
    assert flag.message == "2599.90 to a never-used address at night"


@pytest.mark.parametrize(("price_cents", "risky"), [(200_000, True), (199_999, False)])
def test_night_risk_starts_at_the_risky_amount(price_cents: int, risky: bool) -> None:
    facts = _facts(item=_priced_at(price_cents), address=NEW_INLINE, at=LATE_NIGHT)
    assert ("payment_risk" in _flags(facts)) is risky


def test_night_risk_counts_the_total_after_coupons() -> None:
    order = _order(coupons=["c-30off299"])
    facts = _facts(order, item=_priced_at(202_000), address=NEW_INLINE, at=LATE_NIGHT)
    assert "payment_risk" not in _flags(facts)


def test_a_large_sum_to_a_saved_address_at_night_is_not_risky() -> None:
    assert "payment_risk" not in _flags(_facts(at=LATE_NIGHT))


def test_a_retyped_saved_address_is_not_new_at_night() -> None:
    retyped = replace(FROM_BOOK, source="inline_parts")
    assert "payment_risk" not in _flags(_facts(address=retyped, at=LATE_NIGHT))


@pytest.mark.parametrize(("price_cents", "held"), [(100_001, True), (100_000, False)])
def test_cash_on_delivery_above_the_limit_is_held_by_day_too(price_cents: int, held: bool) -> None:
    facts = _facts(_order(payment_method="cash_on_delivery"), item=_priced_at(price_cents))
    flags = _flags(facts)
    assert ("payment_risk" in flags) is held
    if held:
        assert flags["payment_risk"].message == "cash on delivery of 1000.01 exceeds the limit"


def test_the_cash_on_delivery_limit_applies_only_to_cash_on_delivery() -> None:
    assert "payment_risk" not in _flags(_facts(item=_priced_at(150_000)))


def test_payment_risk_is_not_judged_without_a_price() -> None:
    facts = _facts(_order(coupons=["c-10off99"]), address=NEW_INLINE, priced=False, at=LATE_NIGHT)
    assert "payment_risk" not in _flags(facts)


# unusual_address


def test_an_address_unlike_any_saved_one_is_a_non_blocking_suggestion() -> None:
    flag = _flags(_facts(address=NEW_INLINE))["unusual_address"]
    assert (flag.field, flag.blocking) == ("address", False)


def test_a_first_address_for_an_empty_book_is_unusual() -> None:
    assert "unusual_address" in _flags(_facts(address=NEW_INLINE, saved=()))


SAVED_IN_TOWN = msgspec.structs.replace(
    HOME, province="浙江省", city="舟山市", county="普陀区", adcode="330903", detail="庙子湖村8号"
)


def test_a_saved_address_typed_again_with_its_town_is_not_unusual() -> None:
    assert "unusual_address" not in _flags(_facts(address=DONGJI, saved=(SAVED_IN_TOWN,)))


def test_another_street_in_the_town_is_unusual_and_the_flag_names_the_town() -> None:
    moved = replace(DONGJI, detail="东极镇东福山村2号")
    flag = _flags(_facts(address=moved, saved=(SAVED_IN_TOWN,)))["unusual_address"]
    assert flag.message == "this address in 东极镇 differs from the saved ones; save it to the address book?"


@pytest.mark.parametrize(
    ("address", "saved"),
    [
        (replace(FROM_BOOK, source="inline_text"), (HOME,)),
        (FROM_BOOK, (HOME,)),
        (NEW_INLINE, None),
        (UNVERIFIED, None),
    ],
    ids=["same-as-saved", "from-book", "book-unreachable", "unverified"],
)
def test_addresses_that_are_known_or_cannot_be_compared_are_not_unusual(
    address: ShippingAddress, saved: tuple[Address, ...] | None
) -> None:
    assert "unusual_address" not in _flags(_facts(address=address, saved=saved))


# unusual_quantity


@pytest.mark.parametrize(
    ("category", "qty", "unusual"),
    [("phones", 10, False), ("phones", 11, True), ("food", 25, False), ("food", 26, True)],
)
def test_quantity_far_above_the_usual_for_its_category_is_held(
    category: str, qty: int, unusual: bool
) -> None:
    item = msgspec.structs.replace(PHONE, category=category, spec_stock={"black-128g": 200})
    flags = _flags(_facts(_order(qty=qty), item=item))
    assert ("unusual_quantity" in flags) is unusual
    if unusual:
        assert (flags["unusual_quantity"].field, flags["unusual_quantity"].blocking) == ("qty", True)


def test_quantity_without_the_catalog_is_judged_against_the_default() -> None:
    flag = _flags(_facts(_order(qty=11), item=None))["unusual_quantity"]
    assert flag.message == "quantity 11 is far above the usual 2 for this item"


def test_the_usual_quantity_per_category_is_policy() -> None:
    policy = RulePolicy(normal_qty_by_category={"phones": 3})
    assert "unusual_quantity" not in _flags(_facts(_order(qty=15)), policy)
    assert "unusual_quantity" in _flags(_facts(_order(qty=16)), policy)


# gift_details_needed


@pytest.mark.parametrize(
    ("gift", "field"),
    [
        (True, "gift.greeting"),
        (Gift(), "gift.greeting"),
        (Gift(greeting="生日快乐"), "gift.deliver_at"),
        (Gift(deliver_at="2026-11-28T10:00:00+08:00"), "gift.greeting"),
    ],
)
def test_a_gift_without_its_details_asks_for_them(gift: bool | Gift, field: str) -> None:
    flag = _flags(_facts(_order(gift=gift)))["gift_details_needed"]
    assert (flag.field, flag.blocking) == (field, False)


def test_a_bare_gift_asks_for_greeting_and_delivery_time() -> None:
    flag = _flags(_facts(_order(gift=True)))["gift_details_needed"]
    assert flag.message == "gift order: please add greeting and deliver_at"


@pytest.mark.parametrize(
    "gift", [None, False, Gift(greeting="生日快乐", deliver_at="2026-11-28T10:00:00+08:00")]
)
def test_no_gift_or_a_complete_gift_needs_nothing(gift: bool | Gift | None) -> None:
    assert "gift_details_needed" not in _flags(_facts(_order(gift=gift)))


# evaluate


def test_flags_come_in_rule_order_and_only_blocking_ones_block() -> None:
    order = _order(spec="blue-128g", qty=11, gift=True)
    flags = evaluate(_facts(order, address=NEW_INLINE, at=LATE_NIGHT), POLICY)
    assert [(f.code, f.blocking) for f in flags] == [
        ("spec_conflict", True),
        ("payment_risk", True),
        ("unusual_quantity", True),
        ("unusual_address", False),
        ("gift_details_needed", False),
    ]


def test_a_rule_is_one_entry_and_its_finding_may_name_a_narrower_field() -> None:
    rules = (
        Rule("always", False, "note", lambda _facts, _policy: Finding("look")),
        Rule("narrow", True, "address", lambda _facts, _policy: Finding("closer", "address.detail")),
        Rule("never", True, "qty", lambda _facts, _policy: None),
    )
    assert evaluate(_facts(), POLICY, rules) == [
        Flag("always", "look", "note", False),
        Flag("narrow", "closer", "address.detail", True),
    ]


@pytest.mark.parametrize(("hour", "night"), [(0, True), (5, True), (6, False), (12, False), (23, False)])
def test_a_night_window_that_does_not_wrap_midnight(hour: int, night: bool) -> None:
    policy = RulePolicy(night_hours=(0, 6))
    assert policy.is_night(datetime(2026, 11, 27, hour, 0, tzinfo=CST)) is night
