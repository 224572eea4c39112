"""The central store's reference data as the edge sees it: items, address books, coupons, cached.

Each lookup takes the time it may spend upstream; a miss that cannot be filled in time raises
:class:`CentralUnavailable`, and the caller decides whether to fail or to degrade.
"""

from __future__ import annotations

from aiocache import SimpleMemoryCache

from gateway.cache.items import CachedItem, ItemCache
from gateway.edge.central_client import CentralClient
from gateway.models import AddressBook, Coupon, Item

_COUPONS_KEY = "all"


class Reference:
    def __init__(self, central: CentralClient, items: ItemCache, ttl_seconds: float) -> None:
        self._central = central
        self._items = items
        self._ttl = ttl_seconds
        # timeout=None: aiocache otherwise wraps every call in asyncio.wait_for, a task per lookup.
        self._books = SimpleMemoryCache(namespace="book:", timeout=None)
        self._coupons = SimpleMemoryCache(namespace="coupons:", timeout=None)

    async def item_entry(self, sku: str, time_limit: float) -> tuple[CachedItem | None, bool]:
        async def fetch(key: str) -> Item | None:
            return await self._central.get_item(key, time_limit)

        return await self._items.get(sku, fetch)

    async def item(self, sku: str, time_limit: float) -> Item | None:
        entry, _ = await self.item_entry(sku, time_limit)
        return entry.item if entry else None

    async def address_book(self, user_id: str, time_limit: float) -> AddressBook:
        book: AddressBook | None = await self._books.get(user_id)
        if book is None:
            # A user the central store does not know yet simply has no saved addresses.
            book = await self._central.address_book(user_id, time_limit) or AddressBook(user_id, [])
            await self._books.set(user_id, book, ttl=self._ttl)
        return book

    async def coupons(self, time_limit: float) -> dict[str, Coupon]:
        coupons: dict[str, Coupon] | None = await self._coupons.get(_COUPONS_KEY)
        if coupons is None:
            coupons = {coupon.code: coupon for coupon in await self._central.coupons(time_limit)}
            await self._coupons.set(_COUPONS_KEY, coupons, ttl=self._ttl)
        return coupons
