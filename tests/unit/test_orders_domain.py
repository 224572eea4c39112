from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from gateway.divisions import load_divisions
from gateway.domain.address import AddressResolver
from gateway.domain.orders import CHINA_STANDARD_TIME as CST
from gateway.domain.orders import Assessment, OrderContext, OrderRejected, assess
from gateway.domain.payments import PaymentCatalog
from gateway.domain.rules import RulePolicy
from gateway.errors import ApiError
from gateway.models import AddressBook, Gift, InlineAddress, OrderRequest
from gateway.seed import COUPONS
from gateway.settings import DEFAULT_PAYMENT_METHODS
from gateway.validation import decode_json
from tests.unit.order_fixtures import HOME, OFFICE, PHONE

AFTERNOON = datetime(2026, 11, 27, 14, 0, tzinfo=CST)
PAYMENTS = PaymentCatalog(DEFAULT_PAYMENT_METHODS, b"a-test-redirect-key")
SEEDED = {coupon.code: coupon for coupon in COUPONS}

BOOK = AddressBook("u-0042", [HOME, OFFICE], version=2)
CONTEXT = OrderContext(PHONE, BOOK, SEEDED)
BEIJING_TEXT = InlineAddress(name="李雷", phone="13900139000", text="北京市东城区 东华门大街1号")


@pytest.fixture(scope="module")
def resolver() -> AddressResolver:
    return AddressResolver(load_divisions())


def _order(**changes: object) -> OrderRequest:
    fields: dict[str, object] = {
        "sku": "sku-00042",
        "spec": "black-128g",
        "qty": 1,
        "payment_method": "alipay",
        "address_id": "a-0042-0",
    }
    return OrderRequest(**(fields | changes))  # type: ignore[arg-type]


def _assess(
    resolver: AddressResolver,
    order: OrderRequest,
    context: OrderContext = CONTEXT,
    *,
    at: datetime = AFTERNOON,
    policy: RulePolicy | None = None,
) -> Assessment:
    return assess(
        order,
        context,
        order_id="o-test-1",
        user_id="u-0042",
        edge="edge-east",
        now=at.timestamp(),
        resolver=resolver,
        payments=PAYMENTS,
        policy=policy or RulePolicy(),
    )


def _rejection(
    resolver: AddressResolver, order: OrderRequest, context: OrderContext = CONTEXT
) -> OrderRejected:
    with pytest.raises(OrderRejected) as caught:
        _assess(resolver, order, context)
    return caught.value


def _codes(assessment: Assessment) -> list[str]:
    return [flag.code for flag in assessment.flags]


# Rejections: what the storefront must fix, by field


@pytest.mark.parametrize(
    "order",
    [_order(address_id=None), _order(address=BEIJING_TEXT)],
    ids=["neither", "both"],
)
def test_exactly_one_of_address_id_and_address_is_required(
    resolver: AddressResolver, order: OrderRequest
) -> None:
    rejected = _rejection(resolver, order)
    assert (rejected.field, rejected.code) == ("address", "address_required")


def test_an_unknown_payment_method_is_rejected_with_the_choices(resolver: AddressResolver) -> None:
    rejected = _rejection(resolver, _order(payment_method="paypal"))
    assert (rejected.field, rejected.code) == ("payment_method", "unknown_payment_method")
    assert "'paypal'" in rejected.message
    assert "alipay" in rejected.message
    assert "cash_on_delivery" in rejected.message


def test_a_spec_the_item_does_not_offer_is_rejected_with_the_offered_specs(resolver: AddressResolver) -> None:
    rejected = _rejection(resolver, _order(spec="red-1tb"))
    assert (rejected.field, rejected.code) == ("spec", "spec_not_offered")
    assert "black-128g, black-256g, blue-128g" in rejected.message


def test_an_address_id_missing_from_the_book_is_rejected(resolver: AddressResolver) -> None:
    rejected = _rejection(resolver, _order(address_id="a-9999-0"))
    assert (rejected.field, rejected.code) == ("address_id", "unknown_address")


def test_an_unknown_coupon_is_rejected_at_its_position(resolver: AddressResolver) -> None:
    rejected = _rejection(resolver, _order(coupons=["c-10off99", "c-bogus"]))
    assert (rejected.field, rejected.code) == ("coupons.1", "unknown_coupon")
    assert "c-bogus" in rejected.message


def test_the_address_shape_is_checked_before_the_payment_method(resolver: AddressResolver) -> None:
    rejected = _rejection(resolver, _order(address_id=None, payment_method="paypal"))
    assert rejected.field == "address"


# Accepted or held for review


def test_a_clean_order_to_a_saved_address_is_accepted_and_priced(resolver: AddressResolver) -> None:
    assessment = _assess(resolver, _order(qty=2, coupons=["c-30off299", "c-newuser15"]))
    assert assessment.status == "accepted"
    assert assessment.flags == []
    assert assessment.pricing is not None
    assert assessment.pricing.subtotal_cents == 519_980
    assert assessment.pricing.total_cents == 519_980 - 3_000 - 1_500
    assert (assessment.address.source, assessment.address.adcode) == ("book", "320106")
    assert assessment.address.detail == HOME.detail


def test_a_blocking_flag_holds_the_order_for_review(resolver: AddressResolver) -> None:
    assessment = _assess(resolver, _order(spec="blue-128g"))
    assert assessment.status == "needs_review"
    assert _codes(assessment) == ["spec_conflict"]
    assert assessment.review_packet["status"] == "needs_review"


def test_only_non_blocking_flags_still_accept_the_order(resolver: AddressResolver) -> None:
    assessment = _assess(resolver, _order(address_id=None, address=BEIJING_TEXT, gift=True))
    assert assessment.status == "accepted"
    assert _codes(assessment) == ["unusual_address", "gift_details_needed"]
    assert assessment.review_packet["status"] == "accepted"


def test_a_coupon_that_does_not_apply_holds_the_order(resolver: AddressResolver) -> None:
    assessment = _assess(resolver, _order(coupons=["c-30off299", "c-95pct"]))
    assert assessment.status == "needs_review"
    assert [(f.code, f.field) for f in assessment.flags] == [("stacked_coupons", "coupons.1")]
    assert assessment.pricing is not None
    assert assessment.pricing.total_cents == 259_990 - 3_000


# What the edge could not check becomes a flag, never an error


def test_an_unreachable_catalog_is_flagged_and_leaves_the_order_unpriced(resolver: AddressResolver) -> None:
    order = _order(spec="no-such-spec", coupons=["c-bogus"])
    assessment = _assess(resolver, order, OrderContext(None, BOOK, SEEDED))
    assert assessment.status == "needs_review"
    assert [(f.code, f.field) for f in assessment.flags] == [("catalog_unverified", "sku")]
    assert assessment.pricing is None
    packet = assessment.review_packet
    assert packet["pricing"] is None
    assert packet["summary"]["title"] is None
    assert packet["summary"]["unit_price_cents"] is None
    assert packet["summary"]["spec"] == "no-such-spec"


def test_an_unreachable_address_book_is_flagged_on_address_id(resolver: AddressResolver) -> None:
    assessment = _assess(resolver, _order(address_id="a-9999-0"), OrderContext(PHONE, None, SEEDED))
    assert assessment.status == "needs_review"
    assert [(f.code, f.field) for f in assessment.flags] == [("address_unverified", "address_id")]
    address = assessment.review_packet["address"]
    assert (address["source"], address["address_id"], address["adcode"]) == ("unverified", "a-9999-0", None)
    assert address["resolution_confidence"] == 0.0


def test_unreachable_coupons_are_flagged_when_the_order_names_some(resolver: AddressResolver) -> None:
    assessment = _assess(resolver, _order(coupons=["c-bogus"]), OrderContext(PHONE, BOOK, None))
    assert assessment.status == "needs_review"
    assert [(f.code, f.field) for f in assessment.flags] == [("catalog_unverified", "coupons")]
    assert assessment.pricing is None


def test_an_order_without_coupons_is_priced_without_the_coupon_list(resolver: AddressResolver) -> None:
    assessment = _assess(resolver, _order(qty=2), OrderContext(PHONE, BOOK, None))
    assert assessment.status == "accepted"
    assert assessment.flags == []
    assert assessment.pricing is not None
    assert assessment.pricing.total_cents == 519_980


# Inline addresses


def test_inline_text_is_resolved_to_a_county_with_the_street_address_after_it(
    resolver: AddressResolver,
) -> None:
    address = _assess(resolver, _order(address_id=None, address=BEIJING_TEXT)).address
    assert (address.province, address.city, address.county, address.adcode) == (
        "北京市", "北京市", "东城区", "110101",
    )  # fmt: skip
    assert address.detail == "东华门大街1号"
    assert (address.name, address.phone, address.source) == ("李雷", "13900139000", "inline_text")
    assert address.confidence == pytest.approx(0.95)


def test_a_town_in_inline_text_reaches_the_address_the_packet_and_the_remote_rule(
    resolver: AddressResolver,
) -> None:
    inline = InlineAddress(name="李雷", phone="13900139000", text="浙江省舟山市普陀区东极镇庙子湖村8号")
    policy = RulePolicy(remote_town_codes=frozenset({"330903105"}))
    assessment = _assess(resolver, _order(address_id=None, address=inline), policy=policy)
    address = assessment.address
    assert (address.adcode, address.town, address.town_code, address.village) == (
        "330903", "东极镇", "330903105", "庙子湖村",
    )  # fmt: skip
    assert assessment.review_packet["address"]["town_code"] == "330903105"
    flag = next(f for f in assessment.flags if f.code == "remote_county")
    assert "东极镇 (330903105) in 普陀区 is a remote town" in flag.message
    assert "remote_county" not in _codes(_assess(resolver, _order(address_id=None, address=inline)))


def test_inline_parts_are_resolved_and_keep_their_street_address(resolver: AddressResolver) -> None:
    inline = InlineAddress(
        name="李雷",
        phone="13900139000",
        province="江苏省",
        city="南京市",
        county="鼓楼区",
        detail="中山路1号",
    )
    assessment = _assess(resolver, _order(address_id=None, address=inline))
    address = assessment.address
    assert (address.adcode, address.detail, address.source) == ("320106", "中山路1号", "inline_parts")
    assert "incomplete_address" not in _codes(assessment)


def test_an_ambiguous_county_in_text_is_held_on_address_county(resolver: AddressResolver) -> None:
    inline = InlineAddress(name="李雷", phone="13900139000", text="鼓楼区中山路1号")
    assessment = _assess(resolver, _order(address_id=None, address=inline))
    assert assessment.address.adcode is None
    assert assessment.status == "needs_review"
    flag = next(f for f in assessment.flags if f.code == "incomplete_address")
    assert (flag.field, flag.blocking) == ("address.county", True)
    assert assessment.review_packet["address"]["resolution_confidence"] == 0.3


def test_ambiguous_inline_parts_keep_what_the_shopper_typed(resolver: AddressResolver) -> None:
    inline = InlineAddress(name="李雷", phone="13900139000", county="鼓楼区", detail="中山路1号")
    address = _assess(resolver, _order(address_id=None, address=inline)).address
    assert (address.province, address.city, address.county) == (None, None, "鼓楼区")
    assert (address.adcode, address.detail) == (None, "中山路1号")


def test_an_inline_address_equal_to_a_saved_one_is_not_unusual(resolver: AddressResolver) -> None:
    inline = InlineAddress(name="王芳", phone="13800138000", text="北京市海淀区中关村大街27号")
    assessment = _assess(resolver, _order(address_id=None, address=inline))
    assert assessment.status == "accepted"
    assert assessment.flags == []


def test_an_inline_address_is_not_compared_when_the_book_is_unreachable(resolver: AddressResolver) -> None:
    order = _order(address_id=None, address=BEIJING_TEXT)
    assessment = _assess(resolver, order, OrderContext(PHONE, None, SEEDED))
    assert assessment.flags == []


# Night-time payment risk uses China Standard Time, whatever the server's clock zone


@pytest.mark.parametrize(
    ("placed_at", "local", "held"),
    [
        (datetime(2026, 11, 27, 15, 30, tzinfo=UTC), "2026-11-27T23:30:00+08:00", True),
        (datetime(2026, 11, 27, 21, 59, tzinfo=UTC), "2026-11-28T05:59:00+08:00", True),
        (datetime(2026, 11, 27, 22, 0, tzinfo=UTC), "2026-11-28T06:00:00+08:00", False),
        (datetime(2026, 11, 27, 6, 0, tzinfo=UTC), "2026-11-27T14:00:00+08:00", False),
    ],
)
def test_a_large_sum_to_a_new_address_is_held_at_night_in_china(
    resolver: AddressResolver, placed_at: datetime, local: str, held: bool
) -> None:
    assessment = _assess(resolver, _order(address_id=None, address=BEIJING_TEXT), at=placed_at)
    assert assessment.review_packet["placed_at"] == local
    assert ("payment_risk" in _codes(assessment)) is held
    assert assessment.status == ("needs_review" if held else "accepted")


def test_a_large_sum_to_a_saved_address_at_night_is_accepted(resolver: AddressResolver) -> None:
    assessment = _assess(resolver, _order(), at=datetime(2026, 11, 27, 23, 30, tzinfo=CST))
    assert assessment.status == "accepted"


# The review packet: everything a reviewer needs without a lookup


def test_the_review_packet_carries_the_whole_order(resolver: AddressResolver) -> None:
    order = _order(
        qty=2,
        spec="black-256g",
        coupons=["c-30off299", "c-10off99", "c-95pct"],
        payment_method="cash_on_delivery",
        note="放门口",
        gift=Gift(greeting="生日快乐"),
    )
    packet = _assess(resolver, order).review_packet
    assert packet == {
        "order_id": "o-test-1",
        "edge": "edge-east",
        "user_id": "u-0042",
        "placed_at": "2026-11-27T14:00:00+08:00",
        "status": "needs_review",
        "summary": {
            "sku": "sku-00042",
            "title": "星河智能手机 43号款",
            "category": "phones",
            "spec": "black-256g",
            "qty": 2,
            "unit_price_cents": 259_990,
            "catalog_version": 3,
            "stock_for_spec": 1,
        },
        "address": {
            "name": "王芳",
            "phone": "13800138000",
            "province": "江苏省",
            "city": "南京市",
            "county": "鼓楼区",
            "adcode": "320106",
            "town": None,
            "town_code": None,
            "village": None,
            "detail": "中山路100号阳光花园3栋",
            "source": "book",
            "address_id": "a-0042-0",
            "resolution_confidence": 1.0,
        },
        "pricing": {
            "subtotal_cents": 519_980,
            "discount_cents": 4_000,
            "total_cents": 515_980,
            "coupons": [
                {"code": "c-30off299", "title": "满299减30", "discount_cents": 3_000},
                {"code": "c-10off99", "title": "满99减10", "discount_cents": 1_000},
            ],
            "rejected_coupons": [
                {
                    "code": "c-95pct",
                    "reason": "not_stackable",
                    "message": "全场95折 cannot be combined with 满299减30",
                }
            ],
        },
        "payment_method": "cash_on_delivery",
        "note": "放门口",
        "gift": {"greeting": "生日快乐", "deliver_at": None},
        "flags": [
            {
                "code": "spec_conflict",
                "message": "only 1 of spec black-256g in stock, 2 ordered",
                "field": "spec",
                "blocking": True,
            },
            {
                "code": "stacked_coupons",
                "message": "coupons not applied: 全场95折 cannot be combined with 满299减30",
                "field": "coupons.2",
                "blocking": True,
            },
            {
                "code": "payment_risk",
                "message": "cash on delivery of 5159.80 exceeds the limit",
                "field": "payment_method",
                "blocking": True,
            },
            {
                "code": "gift_details_needed",
                "message": "gift order: please add deliver_at",
                "field": "gift.deliver_at",
                "blocking": False,
            },
        ],
    }


@pytest.mark.parametrize(("gift", "packed"), [(None, None), (False, None), (True, True)])
def test_the_packet_shows_a_gift_only_when_there_is_one(
    resolver: AddressResolver, gift: bool | None, packed: bool | None
) -> None:
    assert _assess(resolver, _order(gift=gift)).review_packet["gift"] is packed


def test_the_review_packet_is_plain_json(resolver: AddressResolver) -> None:
    packet = _assess(resolver, _order(address_id=None, address=BEIJING_TEXT, gift=True)).review_packet
    assert msgspec.json.decode(msgspec.json.encode(packet)) == packet


# Request models


def _body(**fields: object) -> bytes:
    order = {"sku": "sku-00042", "spec": "black-128g", "qty": 1, "payment_method": "alipay"}
    return msgspec.json.encode(order | fields)


def _decode_error(body: bytes) -> tuple[str | None, str]:
    with pytest.raises(ApiError) as caught:
        decode_json(body, OrderRequest)
    return caught.value.field, caught.value.message


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ({"name": "李雷", "phone": "13900139000"}, "give either `text` or"),
        ({"name": "李雷", "phone": "13900139000", "text": "北京市东城区", "detail": "1号"}, "not both"),
    ],
)
def test_an_inline_address_is_either_text_or_parts(address: dict[str, str], message: str) -> None:
    field, text = _decode_error(_body(address=address))
    assert field == "address"
    assert message in text
    with pytest.raises(ValueError, match=message):
        InlineAddress(**address)


@pytest.mark.parametrize(
    "parts",
    [
        {"text": "北京市东城区东华门大街1号"},
        {"province": "江苏省", "city": "南京市", "county": "鼓楼区", "detail": "中山路1号"},
        {"county": "鼓楼区"},
    ],
)
def test_either_shape_of_inline_address_decodes(parts: dict[str, str]) -> None:
    order = decode_json(_body(address={"name": "李雷", "phone": "13900139000", **parts}), OrderRequest)
    assert order.address == InlineAddress(name="李雷", phone="13900139000", **parts)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"qty": 201}, "qty"),
        ({"qty": 0}, "qty"),
        ({"sku": "sku-1"}, "sku"),
        ({"coupons": ["a", "b", "c", "d", "e", "f"]}, "coupons"),
        ({"address": {"name": "李雷", "phone": "12800138000", "text": "北京"}}, "address.phone"),
        ({"gift": {"greeting": "生日快乐", "wrap": True}}, "gift.wrap"),
    ],
)
def test_order_fields_are_validated_by_name(fields: dict[str, object], field: str) -> None:
    assert _decode_error(_body(**fields))[0] == field
