"""The order page's plain HTML form, posted as ``application/x-www-form-urlencoded``.

Without JavaScript a form cannot send an ``Idempotency-Key`` header, so the key travels as the
``idempotency_key`` field the page was rendered with. Fields are checked by the same struct as
JSON orders; a date-time from the picker has no offset and is read as China Standard Time.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import msgspec

from gateway.errors import ApiError
from gateway.models import OrderRequest
from gateway.validation import describe

_CHINA_OFFSET = "+08:00"


def decode_form(body: bytes) -> tuple[str | None, OrderRequest]:
    """(the idempotency key, the order), or a 4xx naming the field."""
    try:
        fields = parse_qs(body.decode(), keep_blank_values=False, strict_parsing=False, max_num_fields=64)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(
            400, "malformed_form", "the form body is not valid UTF-8 form data", field="body"
        ) from None
    one = {name: values[-1] for name, values in fields.items()}
    order: dict[str, Any] = {
        name: one[name]
        for name in ("sku", "spec", "qty", "payment_method", "address_id", "note")
        if name in one
    }
    if "coupons" in fields:
        order["coupons"] = fields["coupons"]
    if "address_id" not in one and any(name in one for name in ("name", "phone", "text")):
        order["address"] = {name: one[name] for name in ("name", "phone", "text") if name in one}
    if one.get("gift"):
        deliver_at = one.get("gift_deliver_at")
        if deliver_at and len(deliver_at) <= 16:  # "2026-11-27T10:00" from <input type=datetime-local>
            deliver_at = f"{deliver_at}:00{_CHINA_OFFSET}"
        gift = {"greeting": one.get("gift_greeting"), "deliver_at": deliver_at}
        order["gift"] = {key: value for key, value in gift.items() if value} or True
    try:
        return one.get("idempotency_key"), msgspec.convert(order, OrderRequest, strict=False)
    except msgspec.ValidationError as exc:
        message, field = describe(exc)
        raise ApiError(422, "invalid_field", message, field=field) from None
