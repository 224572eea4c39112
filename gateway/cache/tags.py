"""Which keys carry which tag, so a tag can be purged: in process, or in Redis for a shared tier.

aiocache has no notion of tags; with the memory store the index lives beside it in the process,
and with the Redis store it is kept in Redis sets through the store's own client, so that every
worker of a region can purge what any of them cached.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Protocol


class TagIndex(Protocol):
    async def add(self, key: str, tags: Iterable[str]) -> None: ...

    async def pop(self, tag: str) -> list[str]:
        """The keys tagged ``tag``, forgetting the tag."""
        ...


class MemoryTagIndex:
    def __init__(self) -> None:
        self._keys: defaultdict[str, set[str]] = defaultdict(set)

    async def add(self, key: str, tags: Iterable[str]) -> None:
        for tag in tags:
            self._keys[tag].add(key)

    async def pop(self, tag: str) -> list[str]:
        return sorted(self._keys.pop(tag, ()))


class RedisTagIndex:
    def __init__(self, client: Any, prefix: str) -> None:
        self._client = client  # redis.asyncio.Redis, as aiocache's RedisCache holds it
        self._prefix = prefix

    async def add(self, key: str, tags: Iterable[str]) -> None:
        async with self._client.pipeline(transaction=False) as pipe:
            for tag in tags:
                pipe.sadd(f"{self._prefix}{tag}", key)
            await pipe.execute()

    async def pop(self, tag: str) -> list[str]:
        name = f"{self._prefix}{tag}"
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.smembers(name)
            pipe.delete(name)
            members, _ = await pipe.execute()
        return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)
