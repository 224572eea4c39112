"""A catalog item as the edge caches it: the encoded response body and its ETag beside the item,
so a hit costs a lookup and no serialisation."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.models import Item
from gateway.serialization import dumps


@dataclass(frozen=True, slots=True)
class CachedItem:
    item: Item
    body: bytes
    etag: str

    @classmethod
    def of(cls, item: Item) -> CachedItem:
        return cls(item=item, body=dumps(item), etag=f'"{item.sku}-v{item.version}"')
