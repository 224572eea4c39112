"""What the central store needs from its storage, independent of the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from gateway.models import Address, AddressBook, Item


@dataclass(frozen=True, slots=True)
class Coupon:
    code: str
    kind: str  # "amount_off" | "percent_off"
    value: int  # cents for amount_off, percent for percent_off
    min_spend_cents: int
    stackable: bool
    title: str


@dataclass(frozen=True, slots=True)
class SeedData:
    items: list[Item]
    addresses: dict[str, list[Address]]
    coupons: list[Coupon] = field(default_factory=list)


class CentralStorage(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def is_empty(self) -> bool: ...

    async def seed(self, data: SeedData) -> None: ...

    async def get_item(self, sku: str) -> Item | None: ...

    async def ensure_user(self, user_id: str) -> bool:
        """Create the user with an empty address book if unknown; True when it was created."""
        ...

    async def address_book(self, user_id: str) -> AddressBook | None: ...

    async def coupons(self) -> list[Coupon]: ...

    async def counts(self) -> dict[str, int]: ...
