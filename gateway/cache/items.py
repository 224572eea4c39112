"""Read-through cache of catalog items over aiocache's memory store, with plain TTLs.

Entries hold the encoded response body and its ETag next to the item, so a hit costs a lookup
and no serialisation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiocache import SimpleMemoryCache

from gateway.models import Item
from gateway.responses import dumps


@dataclass(frozen=True, slots=True)
class CachedItem:
    item: Item
    body: bytes
    etag: str

    @classmethod
    def of(cls, item: Item) -> CachedItem:
        return cls(item=item, body=dumps(item), etag=f'"{item.sku}-v{item.version}"')


Fetch = Callable[[str], Awaitable[Item | None]]


class ItemCache:
    def __init__(self, ttl_seconds: float) -> None:
        self._ttl = ttl_seconds
        # timeout=None: aiocache otherwise wraps every call in asyncio.wait_for, a task per lookup.
        self._store = SimpleMemoryCache(namespace="item:", timeout=None)

    async def get(self, sku: str, fetch: Fetch) -> tuple[CachedItem | None, bool]:
        """The item (None if unknown) and whether it came from the cache."""
        cached: CachedItem | None = await self._store.get(sku)
        if cached is not None:
            return cached, True
        item = await fetch(sku)
        if item is None:
            return None, False
        entry = CachedItem.of(item)
        await self._store.set(sku, entry, ttl=self._ttl)
        return entry, False

    async def clear(self) -> None:
        await self._store.clear()
