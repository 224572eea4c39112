"""The central store's reference data as the edge sees it: items, address books, coupons, cached.

All three live in one :class:`EdgeCache`, so an order reads everything it needs with a single
store read (each aiocache call carries its own fixed overhead). Each fill from the central store
takes the time it may spend upstream; what cannot be had in time is reported, and the caller
decides whether to fail or to degrade.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from gateway.cache.items import CachedItem
from gateway.cache.layer import EdgeCache, Loader, Policy
from gateway.clients.central import CentralClient
from gateway.models import AddressBook, Coupon, Item
from gateway.resilience import OriginUnavailable

COUPONS_KEY = "coupons"
# What the reference cache holds, by kind: the shared (Redis) tier decodes entries into these only.
REFERENCE_KINDS = {"item": CachedItem, "book": AddressBook, "coupons": dict[str, Coupon]}
CATALOG_TAG, BOOKS_TAG, COUPONS_TAG = "catalog", "address-books", "coupons"


def item_key(sku: str) -> str:
    return f"item:{sku}"


def book_key(user_id: str) -> str:
    return f"book:{user_id}"


class OrderReference(msgspec.Struct, frozen=True):
    """What an order needs; None where the central store could not be reached in time."""

    item: CachedItem | None
    book: AddressBook | None
    coupons: dict[str, Coupon] | None


class UnknownItem(Exception):
    """The central store has no such SKU."""


class Reference:
    def __init__(
        self, central: CentralClient, cache: EdgeCache, item_policy: Policy, reference_policy: Policy
    ) -> None:
        self._central = central
        self.cache = cache
        self._item_policy = item_policy
        self._reference_policy = reference_policy

    async def item_entry(self, sku: str, time_limit: float) -> tuple[CachedItem | None, str]:
        """The item (None if the central store has no such SKU) and how the cache found it."""
        return await self.cache.get(item_key(sku), self._item_loader(sku), time_limit)

    async def put_item(self, item: Item) -> CachedItem:
        entry = CachedItem.of(item)
        await self.cache.put(item_key(item.sku), entry, self._item_loader(item.sku))
        return entry

    async def address_book(self, user_id: str, time_limit: float) -> AddressBook:
        found = await self.cache.get(book_key(user_id), self._book_loader(user_id), time_limit)
        return found[0] or AddressBook(user_id, [])

    async def for_order(
        self, sku: str, user_id: str, time_limit: Callable[[], float], *, near: bool = True
    ) -> OrderReference:
        """Item, address book and coupons; ``time_limit()`` says what each miss may spend upstream.

        ``near=False`` reads past the cache's near tier: for a second look when the near copies
        may predate another worker's purge (an address saved there a moment ago).
        """
        hot = self.cache.fresh_many([item_key(sku), book_key(user_id), COUPONS_KEY]) if near else None
        if hot is not None:  # the common case on a busy edge: no loaders, no store read
            if hot[0] is None:
                raise UnknownItem(sku)
            return OrderReference(item=hot[0], book=hot[1], coupons=hot[2])
        item, book, coupons = await self.cache.get_many(
            [
                (item_key(sku), self._item_loader(sku)),
                (book_key(user_id), self._book_loader(user_id)),
                (COUPONS_KEY, self._coupons_loader()),
            ],
            time_limit,
            near=near,
        )
        if item is None:
            raise UnknownItem(sku)
        return OrderReference(
            item=None if isinstance(item, OriginUnavailable) else item,
            book=None if isinstance(book, OriginUnavailable) else book,
            coupons=None if isinstance(coupons, OriginUnavailable) else coupons,
        )

    def _item_loader(self, sku: str) -> Loader[CachedItem]:
        async def fetch(time_limit: float) -> CachedItem | None:
            item = await self._central.get_item(sku, time_limit)
            return CachedItem.of(item) if item else None

        return Loader(fetch, self._item_policy, tags=(CATALOG_TAG,), size=1024)

    def _book_loader(self, user_id: str) -> Loader[AddressBook]:
        async def fetch(time_limit: float) -> AddressBook:
            # A user the central store does not know yet simply has no saved addresses.
            return await self._central.address_book(user_id, time_limit) or AddressBook(user_id, [])

        return Loader(fetch, self._reference_policy, tags=(BOOKS_TAG,), size=1024)

    def _coupons_loader(self) -> Loader[dict[str, Coupon]]:
        async def fetch(time_limit: float) -> dict[str, Coupon]:
            return {coupon.code: coupon for coupon in await self._central.coupons(time_limit)}

        return Loader(fetch, self._reference_policy, tags=(COUPONS_TAG,), size=4096)
