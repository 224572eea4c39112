"""What the central store needs from its storage, independent of the engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from gateway.models import Address, AddressBook, Change, Coupon, Item, ItemChange, NewAddress, NewItem
from gateway.seed import SeedData


@dataclass(frozen=True, slots=True)
class IngestOrder:
    order_id: str
    edge_seq: int
    user_id: str
    status: str  # "stored" | "needs_review"
    packet: bytes  # the review packet, JSON, kept verbatim


@dataclass(frozen=True, slots=True)
class IngestResult:
    order_id: str
    status: str
    duplicate: bool


@dataclass(frozen=True, slots=True)
class StoredOrderRow:
    arrival: int
    order_id: str
    edge: str
    edge_seq: int
    user_id: str
    status: str
    stored_at: float


@dataclass(frozen=True, slots=True)
class ReviewItem:
    order_id: str
    edge: str
    queued_at: float
    packet: bytes


class CentralStorage(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def is_empty(self) -> bool: ...

    async def seed(self, data: SeedData) -> None: ...

    async def get_item(self, sku: str) -> Item | None: ...

    async def update_item(self, sku: str, change: ItemChange) -> Item | None:
        """Apply an operator's change; bumps the version and records it in the change feed."""
        ...

    async def put_item(self, sku: str, new: NewItem) -> Item:
        """Create or replace an item; bumps the version and records it in the change feed."""
        ...

    async def ensure_user(self, user_id: str) -> bool:
        """Create the user with an empty address book if unknown; True when it was created."""
        ...

    async def address_book(self, user_id: str) -> AddressBook | None: ...

    async def add_address(self, user_id: str, new: NewAddress) -> Address:
        """Save an address; bumps the book's version and records it in the change feed."""
        ...

    async def coupons(self) -> list[Coupon]: ...

    async def counts(self) -> dict[str, int]: ...

    async def changes(self, after: int, limit: int) -> list[Change]: ...

    async def change_head(self) -> int: ...

    async def ingest(self, edge: str, orders: list[IngestOrder]) -> list[IngestResult]:
        """Store each order once (an upsert on order_id), all in one transaction, in the given order."""
        ...

    async def orders(self, edge: str | None, after: int, limit: int) -> list[StoredOrderRow]: ...

    async def review_queue(self, after: int, limit: int) -> list[tuple[int, ReviewItem]]: ...
