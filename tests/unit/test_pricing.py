from __future__ import annotations

import pytest

from gateway.domain.pricing import Pricing, price_order
from gateway.models import Coupon
from gateway.seed import COUPONS

SEEDED = {coupon.code: coupon for coupon in COUPONS}


def _price(unit_price_cents: int, codes: list[str], qty: int = 1) -> Pricing:
    return price_order(unit_price_cents, qty, codes, SEEDED)


def _discounts(pricing: Pricing) -> dict[str, int]:
    return {coupon.code: coupon.discount_cents for coupon in pricing.applied}


def _rejections(pricing: Pricing) -> list[tuple[int, str, str]]:
    return [(r.position, r.code, r.reason) for r in pricing.rejected]


def test_no_coupons_totals_to_the_subtotal() -> None:
    pricing = _price(12_990, [], qty=3)
    assert (pricing.unit_price_cents, pricing.qty) == (12_990, 3)
    assert pricing.subtotal_cents == 38_970
    assert pricing.discount_cents == 0
    assert pricing.total_cents == 38_970
    assert pricing.applied == ()
    assert pricing.rejected == ()


def test_an_amount_off_coupon_is_taken_off_the_subtotal() -> None:
    pricing = _price(5_990, ["c-10off99"], qty=2)
    assert pricing.subtotal_cents == 11_980
    assert _discounts(pricing) == {"c-10off99": 1_000}
    assert pricing.applied[0].title == "满99减10"
    assert pricing.total_cents == 10_980


def test_percent_off_rounds_the_discount_down_to_the_cent() -> None:
    pricing = _price(1_999, ["c-95pct"])  # 5% of 19.99 is 0.9995
    assert _discounts(pricing) == {"c-95pct": 99}
    assert pricing.total_cents == 1_900


def test_percent_is_taken_from_the_subtotal_before_amount_off_coupons() -> None:
    # 12% of 200.00 is 24.00; had the 10.00 come off first, it would be 12% of 190.00.
    pricing = _price(20_000, ["c-10off99", "c-88pct"])
    assert [coupon.code for coupon in pricing.applied] == ["c-88pct", "c-10off99"]
    assert _discounts(pricing) == {"c-88pct": 2_400, "c-10off99": 1_000}
    assert pricing.discount_cents == 3_400
    assert pricing.total_cents == 16_600


def test_any_number_of_stackable_coupons_combine_with_one_exclusive() -> None:
    codes = ["c-10off99", "c-newuser15", "c-30off299", "c-night5", "c-freeship"]
    pricing = _price(30_000, codes)
    assert pricing.rejected == ()
    assert _discounts(pricing) == {
        "c-10off99": 1_000,
        "c-newuser15": 1_500,
        "c-30off299": 3_000,
        "c-night5": 500,
        "c-freeship": 800,
    }
    assert pricing.total_cents == 30_000 - 6_800


def test_a_second_exclusive_coupon_is_rejected_and_names_the_first() -> None:
    pricing = _price(30_000, ["c-30off299", "c-10off99", "c-95pct"])
    assert _discounts(pricing) == {"c-30off299": 3_000, "c-10off99": 1_000}
    assert _rejections(pricing) == [(2, "c-95pct", "not_stackable")]
    assert "满299减30" in pricing.rejected[0].message
    assert pricing.total_cents == 26_000


def test_an_exclusive_coupon_below_its_minimum_spend_leaves_room_for_another() -> None:
    pricing = _price(50_000, ["c-100off999", "c-30off299"])
    assert _rejections(pricing) == [(0, "c-100off999", "min_spend")]
    assert _discounts(pricing) == {"c-30off299": 3_000}
    assert pricing.total_cents == 47_000


@pytest.mark.parametrize(
    ("subtotal", "applies"),
    [(9_900, True), (9_899, False)],
)
def test_minimum_spend_is_inclusive(subtotal: int, applies: bool) -> None:
    pricing = _price(subtotal, ["c-10off99"])
    assert bool(pricing.applied) is applies
    assert pricing.total_cents == (subtotal - 1_000 if applies else subtotal)
    if not applies:
        assert _rejections(pricing) == [(0, "c-10off99", "min_spend")]
        assert pricing.rejected[0].message == "满99减10 needs a 99.00 spend"


def test_minimum_spend_is_checked_against_the_whole_order_not_one_unit() -> None:
    assert _discounts(_price(5_000, ["c-10off99"], qty=2)) == {"c-10off99": 1_000}


def test_a_coupon_listed_twice_applies_once() -> None:
    pricing = _price(20_000, ["c-newuser15", "c-newuser15"])
    assert _discounts(pricing) == {"c-newuser15": 1_500}
    assert _rejections(pricing) == [(1, "c-newuser15", "duplicate")]
    assert pricing.total_cents == 18_500


def test_unknown_codes_are_rejected_at_their_position() -> None:
    pricing = _price(20_000, ["c-newuser15", "c-bogus", "c-freeship"])
    assert _rejections(pricing) == [(1, "c-bogus", "unknown")]
    assert _discounts(pricing) == {"c-newuser15": 1_500, "c-freeship": 800}


def test_positions_follow_the_order_list_across_several_rejections() -> None:
    pricing = _price(50_000, ["c-bogus", "c-30off299", "c-100off999", "c-30off299", "c-95pct"])
    assert _rejections(pricing) == [
        (0, "c-bogus", "unknown"),
        (2, "c-100off999", "min_spend"),
        (3, "c-30off299", "duplicate"),
        (4, "c-95pct", "not_stackable"),
    ]
    assert _discounts(pricing) == {"c-30off299": 3_000}


def test_amount_off_coupons_never_take_the_total_below_zero() -> None:
    pricing = _price(990, ["c-newuser15", "c-freeship"])
    assert _discounts(pricing) == {"c-newuser15": 990, "c-freeship": 0}
    assert pricing.discount_cents == pricing.subtotal_cents
    assert pricing.total_cents == 0


def test_amount_off_after_percent_is_capped_by_what_remains() -> None:
    pricing = _price(1_000, ["c-newuser15", "c-95pct"])
    assert _discounts(pricing) == {"c-95pct": 50, "c-newuser15": 950}
    assert pricing.total_cents == 0


def test_percent_coupons_each_take_their_share_of_the_subtotal() -> None:
    coupons = {
        "p10": Coupon("p10", "percent_off", 10, 0, True, "九折"),
        "p15": Coupon("p15", "percent_off", 15, 0, True, "85折"),
    }
    pricing = price_order(3_333, 1, ["p10", "p15"], coupons)
    assert _discounts(pricing) == {"p10": 333, "p15": 499}
    assert pricing.total_cents == 2_501
