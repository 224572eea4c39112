"""Request and response structs shared by the edge and the central store (msgspec).

msgspec decodes and validates in one pass straight from bytes; see the README for the measurement
that chose it over pydantic.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

UserId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Sku = Annotated[str, msgspec.Meta(pattern=r"^sku-\d{5,8}$")]


class SessionRequest(msgspec.Struct, forbid_unknown_fields=False):
    user_id: UserId


class SessionGrant(msgspec.Struct):
    token: str
    user_id: str
    expires_at: int


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
