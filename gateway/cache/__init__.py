"""The edge's caches: the semantics in ``layer``, aiocache as the store (memory or Redis)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from aiocache import RedisCache, SimpleMemoryCache

from gateway.cache.codec import SignedTypedSerializer
from gateway.cache.layer import EdgeCache
from gateway.cache.tags import MemoryTagIndex, RedisTagIndex
from gateway.settings import EdgeSettings
from gateway.signing import cache_entry_key

# The format of what the Redis tier stores (envelopes and the values inside them: items, address
# books, coupons, resolutions). Raise it whenever one of those types changes shape, so that entries
# written by an older release expire unread. v2: Envelope became a msgspec struct. v3: every entry
# signed, and the envelope names the key it was written for. v4: typed msgpack instead of pickle.
CACHE_FORMAT = "v4"


def build_cache(settings: EdgeSettings, name: str, kinds: Mapping[str, Any]) -> EdgeCache:
    """The store the settings select, for values of ``kinds`` (name → type; the Redis tier decodes
    into those types only). ``timeout=None`` because aiocache otherwise wraps every call in
    ``asyncio.wait_for`` (a task per lookup), and Redis calls are bounded by socket timeouts."""
    fetch_limit = settings.central_timeout_seconds
    if settings.cache_backend == "memory":
        return EdgeCache(
            SimpleMemoryCache(timeout=None),
            MemoryTagIndex(),
            name=name,
            max_entries=settings.cache_max_entries,
            max_bytes=settings.cache_max_bytes,
            fetch_time_limit=fetch_limit,
            near_seconds=settings.cache_near_seconds,
        )
    if settings.cache_backend == "redis":
        url = urlparse(settings.cache_redis_url)
        # A new format gets keys of its own; the old entries expire by their TTLs.
        namespace = f"gateway:{settings.region}:{name}:{CACHE_FORMAT}"
        store = RedisCache(
            endpoint=url.hostname or "127.0.0.1",
            port=url.port or 6379,
            db=int(url.path.lstrip("/") or 0),
            password=url.password,
            namespace=namespace,
            serializer=SignedTypedSerializer(cache_entry_key(settings.secret), namespace, kinds),
            timeout=None,
            create_connection_timeout=0.25,
            connection_pool_kwargs={"socket_timeout": 0.25},
        )
        # Shared by the region's workers: Redis's maxmemory policy bounds it, not this process.
        return EdgeCache(
            store,
            RedisTagIndex(store.client, f"{namespace}:tag:"),
            name=name,
            fetch_time_limit=fetch_limit,
            near_seconds=settings.cache_near_seconds,
        )
    raise ValueError(f"EDGE_CACHE_BACKEND must be memory or redis, not {settings.cache_backend!r}")
