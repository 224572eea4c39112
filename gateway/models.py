"""Request and response structs shared by the edge and the central store (msgspec).

msgspec decodes and validates in one pass straight from bytes; see the README for the measurement
that chose it over pydantic.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

import msgspec

SKU_PATTERN = re.compile(r"sku-\d{5,8}")
USER_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
UserId = Annotated[str, msgspec.Meta(pattern=f"^{USER_ID_PATTERN.pattern}$")]
Sku = Annotated[str, msgspec.Meta(pattern=r"^sku-\d{5,8}$")]
Phone = Annotated[str, msgspec.Meta(pattern=r"^1[3-9]\d{9}$")]
# Text a shopper types is stored, shown to reviewers and printed on labels: no NUL, no terminal
# control sequences (ESC), no other C0 or C1 controls; tabs and line breaks are kept.
_PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=_PRINTABLE)]
_DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$"
# What each pattern asks for, in words: validation messages name these instead of the regex.
PATTERN_WORDS = {
    _PRINTABLE: "text without control characters",
    _DATE_TIME: "a date-time with an offset, like 2026-11-27T10:00:00+08:00",
    f"^{USER_ID_PATTERN.pattern}$": "a user id of letters, digits, '.', '_' and '-'",
    r"^sku-\d{5,8}$": "a sku like sku-00042",
    r"^1[3-9]\d{9}$": "a mainland mobile number like 13800138000",
}


def text_field(max_length: int, min_length: int = 0) -> object:
    """A free-text field: bounded, and printable as :data:`ShortText` is."""
    return msgspec.Meta(min_length=min_length, max_length=max_length, pattern=_PRINTABLE)


class ItemChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An operator's change to an item; every change bumps the item's version."""

    price_cents: Annotated[int, msgspec.Meta(ge=0, le=100_000_000)] | None = None
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=120)] | None = None
    spec_stock: dict[str, Annotated[int, msgspec.Meta(ge=0)]] | None = None


class NewItem(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An item as an operator (or the replay tool) puts it into the catalog."""

    title: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    category: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    price_cents: Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]
    specs: Annotated[list[ShortText], msgspec.Meta(min_length=1, max_length=64)]
    spec_stock: dict[str, Annotated[int, msgspec.Meta(ge=0)]] = {}


class NewAddress(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An address to save, already resolved to its county (the edge resolves free text first)."""

    name: ShortText
    phone: Phone
    province: Annotated[str, text_field(32, 2)]
    city: Annotated[str, text_field(32, 2)]
    county: Annotated[str, text_field(32, 2)]
    adcode: Annotated[str, msgspec.Meta(pattern=r"^\d{6}$")]
    detail: Annotated[str, text_field(200, 2)]
    is_default: bool = False


class Change(msgspec.Struct, frozen=True):
    """One entry of the central store's change feed: what changed, and its version after."""

    seq: int
    kind: str  # "item" | "book"
    key: str
    version: int


class ChangeFeed(msgspec.Struct, frozen=True):
    changes: list[Change]
    next: int


class Coupon(msgspec.Struct, frozen=True):
    code: str
    kind: str  # "amount_off" | "percent_off"
    value: int  # cents for amount_off, percent for percent_off
    min_spend_cents: int
    stackable: bool
    title: str


class SessionRequest(msgspec.Struct, forbid_unknown_fields=False):
    user_id: UserId


class SessionGrant(msgspec.Struct):
    token: str
    user_id: str
    expires_at: int


class BatchResult(msgspec.Struct, frozen=True):
    """The central store's answer for one order of a batch: stored now, or before (``duplicate``)."""

    order_id: str
    status: str
    duplicate: bool = False


class BatchResults(msgspec.Struct, frozen=True):
    """One result per order of a batch, in the batch's order."""

    results: list[BatchResult]


class Item(msgspec.Struct, frozen=True):
    """A catalog item as the central store serves it and the edge caches it."""

    sku: str
    title: str
    category: str
    price_cents: int
    specs: list[str]
    spec_stock: dict[str, int]
    stock: int
    version: int
    updated_at: float


class Address(msgspec.Struct, frozen=True):
    address_id: str
    name: str
    phone: str
    province: str
    city: str
    county: str
    adcode: str
    detail: str
    is_default: bool = False


class AddressBook(msgspec.Struct, frozen=True):
    user_id: str
    addresses: list[Address]
    version: int = 0


class InlineAddress(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Either free ``text`` or the structured parts; which parts are missing is a rule's concern.

    msgspec only decodes a union of structs when it is tagged, and the contract's two shapes are
    untagged, so both live in one struct and the shape is checked here.
    """

    name: ShortText
    phone: Phone
    text: Annotated[str, text_field(200, 2)] | None = None
    province: Annotated[str, text_field(32)] | None = None
    city: Annotated[str, text_field(32)] | None = None
    county: Annotated[str, text_field(32)] | None = None
    detail: Annotated[str, text_field(200)] | None = None

    def __post_init__(self) -> None:
        structured = (self.province, self.city, self.county, self.detail)
        if self.text is None and not any(structured):
            raise ValueError("give either `text` or `province`, `city`, `county` and `detail`")
        if self.text is not None and any(structured):
            raise ValueError("give `text` or the structured parts, not both")


class Gift(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    greeting: Annotated[str, text_field(100)] | None = None
    # RFC 3339 with an offset, e.g. "2026-11-27T10:00:00+08:00"; kept as written.
    deliver_at: Annotated[str, msgspec.Meta(max_length=40, pattern=_DATE_TIME)] | None = None

    def __post_init__(self) -> None:
        if self.deliver_at is not None:
            try:  # the pattern checks the shape; this, that the day exists
                datetime.fromisoformat(self.deliver_at)
            except ValueError:
                raise ValueError(f"deliver_at {self.deliver_at!r} is not a date that exists") from None


class OrderRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    sku: Sku
    spec: ShortText
    qty: Annotated[int, msgspec.Meta(ge=1, le=200)]
    payment_method: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    address_id: ShortText | None = None
    address: InlineAddress | None = None
    coupons: Annotated[list[ShortText], msgspec.Meta(max_length=5)] = []
    note: Annotated[str, text_field(200)] = ""
    gift: bool | Gift | None = None
