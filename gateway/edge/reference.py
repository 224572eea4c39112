"""The central store's reference data as the edge sees it: items, address books, coupons, cached.

All three live in one aiocache memory store, so an order reads everything it needs with a single
``multi_get`` (each aiocache call carries its own fixed overhead). Each fill from the central
store takes the time it may spend upstream; a miss that cannot be filled in time raises
:class:`CentralUnavailable`, and the caller decides whether to fail or to degrade.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from aiocache import SimpleMemoryCache

from gateway.cache.items import CachedItem
from gateway.edge.central_client import CentralClient, CentralUnavailable
from gateway.models import AddressBook, Coupon, Item

_COUPONS_KEY = "coupons"
T = TypeVar("T")


class UnknownItem(Exception):
    """The central store has no such SKU."""


@dataclass(frozen=True, slots=True)
class OrderReference:
    """What an order needs; None where the central store could not be reached in time."""

    item: CachedItem | None
    book: AddressBook | None
    coupons: dict[str, Coupon] | None


class Reference:
    def __init__(self, central: CentralClient, item_ttl_seconds: float, reference_ttl_seconds: float) -> None:
        self._central = central
        self._item_ttl = item_ttl_seconds
        self._ttl = reference_ttl_seconds
        # timeout=None: aiocache otherwise wraps every call in asyncio.wait_for, a task per lookup.
        self._store = SimpleMemoryCache(timeout=None)

    async def item_entry(self, sku: str, time_limit: float) -> tuple[CachedItem | None, bool]:
        """The item (None if the central store has no such SKU) and whether it was cached."""
        cached: CachedItem | None = await self._store.get(_item_key(sku))
        if cached is not None:
            return cached, True
        try:
            return await self._fill_item(sku, time_limit), False
        except UnknownItem:
            return None, False

    async def put_item(self, item: Item) -> CachedItem:
        entry = CachedItem.of(item)
        await self._store.set(_item_key(item.sku), entry, ttl=self._item_ttl)
        return entry

    async def for_order(self, sku: str, user_id: str, time_limit: Callable[[], float]) -> OrderReference:
        """Item, address book and coupons; ``time_limit()`` says what each miss may spend upstream."""
        item, book, coupons = await self._store.multi_get([_item_key(sku), _book_key(user_id), _COUPONS_KEY])
        if item is None:
            item = await _degrade(self._fill_item(sku, time_limit()))
        if book is None:
            book = await _degrade(self._fill_book(user_id, time_limit()))
        if coupons is None:
            coupons = await _degrade(self._fill_coupons(time_limit()))
        return OrderReference(item, book, coupons)

    async def _fill_item(self, sku: str, time_limit: float) -> CachedItem:
        item = await self._central.get_item(sku, time_limit)
        if item is None:
            raise UnknownItem(sku)
        return await self.put_item(item)

    async def _fill_book(self, user_id: str, time_limit: float) -> AddressBook:
        # A user the central store does not know yet simply has no saved addresses.
        book = await self._central.address_book(user_id, time_limit) or AddressBook(user_id, [])
        await self._store.set(_book_key(user_id), book, ttl=self._ttl)
        return book

    async def _fill_coupons(self, time_limit: float) -> dict[str, Coupon]:
        coupons = {coupon.code: coupon for coupon in await self._central.coupons(time_limit)}
        await self._store.set(_COUPONS_KEY, coupons, ttl=self._ttl)
        return coupons


async def _degrade(fill: Awaitable[T]) -> T | None:
    try:
        return await fill
    except CentralUnavailable:
        return None


def _item_key(sku: str) -> str:
    return f"item:{sku}"


def _book_key(user_id: str) -> str:
    return f"book:{user_id}"
