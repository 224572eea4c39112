from __future__ import annotations

from typing import Annotated

import msgspec
import pytest

from gateway.errors import ApiError
from gateway.validation import decode_json


class Address(msgspec.Struct, forbid_unknown_fields=True):
    phone: Annotated[str, msgspec.Meta(pattern=r"^1\d{10}$")]


class Order(msgspec.Struct, forbid_unknown_fields=True):
    qty: Annotated[int, msgspec.Meta(ge=1, le=99)]
    coupons: list[Annotated[str, msgspec.Meta(max_length=8)]] = []
    address: Address | None = None


def _field(body: bytes) -> tuple[int, str, str | None]:
    with pytest.raises(ApiError) as caught:
        decode_json(body, Order)
    return caught.value.status, caught.value.code, caught.value.field


def test_valid_body_decodes() -> None:
    order = decode_json(b'{"qty": 2, "address": {"phone": "13800138000"}}', Order)
    assert order.qty == 2
    assert order.address == Address(phone="13800138000")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"qty": 0}', "qty"),
        (b'{"qty": "2"}', "qty"),
        (b"{}", "qty"),
        (b'{"qty": 1, "coupons": ["ok", "far-too-long"]}', "coupons.1"),
        (b'{"qty": 1, "address": {"phone": "12"}}', "address.phone"),
        (b'{"qty": 1, "address": {}}', "address.phone"),
        (b'{"qty": 1, "surprise": true}', "surprise"),
        (b"[]", "body"),
    ],
)
def test_invalid_fields_are_422_with_a_dotted_path(body: bytes, field: str) -> None:
    assert _field(body) == (422, "invalid_field", field)


@pytest.mark.parametrize("body", [b"{", b'{"qty": 1,}', b"\xff\xfe"])
def test_malformed_json_is_400(body: bytes) -> None:
    assert _field(body) == (400, "malformed_json", "body")


def test_empty_body_is_400() -> None:
    assert _field(b"") == (400, "empty_body", "body")
