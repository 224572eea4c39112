"""Which keys carry which tag, so a tag can be purged: in process, or in Redis for a shared tier.

aiocache has no notion of tags; with the memory store the index lives beside it in the process,
and with the Redis store it is kept in Redis through the store's own client, so that every worker of
a region can purge what any of them cached. A key is listed under its tags only until its entry
expires: the index is trimmed of expired keys as it is written, so it holds what may still be
cached, not every key ever cached (one address book per shopper ever seen, before).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


class TagIndex(Protocol):
    async def add(self, key: str, tags: Iterable[str], expires_at: float, now: float) -> None:
        """List ``key`` under ``tags`` until ``expires_at`` (when its entry leaves the store)."""
        ...

    async def pop(self, tag: str, now: float) -> list[str]:
        """The unexpired keys tagged ``tag``, forgetting the tag."""
        ...


class MemoryTagIndex:
    def __init__(self) -> None:
        self._keys: dict[str, dict[str, float]] = {}  # tag -> key -> expires_at
        self._adds_until_trim = 1024

    @property
    def size(self) -> int:
        return sum(len(keys) for keys in self._keys.values())

    async def add(self, key: str, tags: Iterable[str], expires_at: float, now: float) -> None:
        for tag in tags:
            self._keys.setdefault(tag, {})[key] = expires_at
            self._adds_until_trim -= 1
        if self._adds_until_trim <= 0:
            self._trim(now)

    async def pop(self, tag: str, now: float) -> list[str]:
        return sorted(key for key, expires_at in self._keys.pop(tag, {}).items() if expires_at > now)

    def _trim(self, now: float) -> None:
        """Forget expired keys; next time after as many adds as keys are left (amortized O(1))."""
        for tag, keys in list(self._keys.items()):
            live = {key: expires_at for key, expires_at in keys.items() if expires_at > now}
            if live:
                self._keys[tag] = live
            else:
                del self._keys[tag]
        self._adds_until_trim = max(1024, self.size)


class RedisTagIndex:
    """A sorted set per tag, each key scored by when its entry expires."""

    def __init__(self, client: Any, prefix: str) -> None:
        self._client = client  # redis.asyncio.Redis, as aiocache's RedisCache holds it
        self._prefix = prefix

    async def add(self, key: str, tags: Iterable[str], expires_at: float, now: float) -> None:
        async with self._client.pipeline(transaction=False) as pipe:
            for tag in tags:
                name = f"{self._prefix}{tag}"
                pipe.zadd(name, {key: expires_at})
                pipe.zremrangebyscore(name, "-inf", now)
            await pipe.execute()

    async def pop(self, tag: str, now: float) -> list[str]:
        name = f"{self._prefix}{tag}"
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.zrangebyscore(name, f"({now}", "+inf")
            pipe.delete(name)
            members, _ = await pipe.execute()
        return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)
