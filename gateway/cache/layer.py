"""The edge's cache semantics on top of aiocache, which stays the store (memory or Redis).

aiocache stores values with a TTL; everything here is what it lacks:
- an envelope per entry with ``fresh_until``, ``stale_until`` and ``error_until``: fresh entries are
  served; stale ones are served while one background refresh runs (stale-while-revalidate); past
  that, an entry is refetched, but still served if the origin fails (stale-if-error);
- per-key request coalescing: one origin fetch per key at a time, and each waiter gives up when
  its own request's time runs out (the fetch carries on and fills the cache for the next one);
- short negative caching of keys the origin does not have;
- jittered lifetimes, so entries filled together do not expire together;
- a bound on entries and bytes with least-recently-used eviction (memory store only; a shared
  Redis tier is bounded by Redis's own ``maxmemory`` policy);
- tags, and purging by key or by tag (``tags.py``).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec
from aiocache.base import BaseCache

from gateway.cache.near import NearTier
from gateway.cache.tags import TagIndex
from gateway.ops import metrics
from gateway.resilience import OriginUnavailable

logger = logging.getLogger("gateway.cache")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Policy:
    fresh_seconds: float
    stale_seconds: float = 30.0  # serve-while-revalidating window after fresh_until
    error_seconds: float = 3600.0  # serve-if-the-origin-fails window after stale_until
    negative_seconds: float = 5.0
    jitter: float = 0.1  # ± this fraction of fresh_seconds


class Envelope(msgspec.Struct, frozen=True):
    value: Any  # None for a negative entry: the origin has no such key
    fresh_until: float
    stale_until: float
    error_until: float
    key: str  # the key it was written under: an entry copied to another key in a shared store is refused
    tags: tuple[str, ...] = ()


class Loader(msgspec.Struct, Generic[T], frozen=True):
    """How to fill one key: ``fetch(time_limit)`` returns the value, or None if the origin has none."""

    fetch: Callable[[float], Awaitable[T | None]]
    policy: Policy
    tags: tuple[str, ...] = ()
    size: int = 512


class EdgeCache:
    def __init__(
        self,
        store: BaseCache,
        tags: TagIndex,
        *,
        name: str,
        max_entries: int | None = None,
        max_bytes: int | None = None,
        fetch_time_limit: float = 1.0,
        near_seconds: float = 0.0,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._tags = tags
        self.name = name
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._fetch_time_limit = fetch_time_limit
        self._near = NearTier(near_seconds)
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self._inflight: dict[str, asyncio.Task[Any]] = {}
        self._superseded: set[str] = set()  # keys purged or replaced while their fetch ran
        self._lru: OrderedDict[str, int] = OrderedDict()
        self._bytes = 0
        self._events = {
            event: metrics.CACHE_EVENTS.labels(name, event) for event in metrics.CACHE_EVENT_NAMES
        }

    @property
    def bounded(self) -> bool:
        return self._max_entries is not None or self._max_bytes is not None

    @property
    def entries(self) -> int:
        return len(self._lru)

    @property
    def bytes(self) -> int:
        return self._bytes

    async def close(self) -> None:
        """Give back the store's connections (a Redis pool); the memory store holds none."""
        await self._store.close()

    async def get(self, key: str, loader: Loader[T], time_limit: float) -> tuple[T | None, str]:
        """The value (None if the origin has no such key) and how it was found: ``hit``, ``stale``,
        ``miss`` (fetched now) or ``stale_if_error``. Raises :class:`OriginUnavailable`."""
        return await self._resolve(key, await self._read(key), loader, time_limit)

    def fresh_many(self, keys: Sequence[str]) -> list[Any] | None:
        """The values, if the near tier holds every key fresh; else None (then :meth:`get_many`).

        No store read and no await: for the hottest reads, an order's reference data.
        """
        now = self._clock()
        envelopes = [self._near.get(key, now) for key in keys]
        if any(envelope is None for envelope in envelopes):
            return None
        values = [envelope.value for envelope in envelopes]
        for key in keys:
            self._touch(key)
        # Counted once per kind, not per key: each increment takes the metric's lock.
        negative = sum(value is None for value in values)
        if negative:
            self._events["negative_hit"].inc(negative)
        if negative < len(values):
            self._events["hit"].inc(len(values) - negative)
        return values

    async def get_many(
        self,
        requests: Sequence[tuple[str, Loader[Any]]],
        time_limit: Callable[[], float],
        *,
        near: bool = True,
    ) -> list[Any]:
        """Several keys with one store read; each miss is filled with the time that then remains.

        A key that cannot be had becomes an :class:`OriginUnavailable` instance in the result.
        ``near=False`` reads past the near tier, for a caller that must see another worker's purge.
        """
        envelopes = await self._read_many([key for key, _ in requests], near=near)
        results: list[Any] = []
        for (key, loader), envelope in zip(requests, envelopes, strict=True):
            try:
                value, _ = await self._resolve(key, envelope, loader, time_limit())
                results.append(value)
            except OriginUnavailable as unavailable:
                results.append(unavailable)
        return results

    async def put(self, key: str, value: Any, loader: Loader[Any]) -> None:
        """A value from outside (the change feed): it wins over a fetch that is still under way."""
        if key in self._inflight:
            self._superseded.add(key)
        await self._write(key, value, loader)

    async def _write(self, key: str, value: Any, loader: Loader[Any]) -> None:
        now = self._clock()
        policy = loader.policy
        if value is None:
            fresh = stale = error = now + policy.negative_seconds
        else:
            fresh = now + policy.fresh_seconds * (1 + self._rng.uniform(-policy.jitter, policy.jitter))
            stale = fresh + policy.stale_seconds
            error = stale + policy.error_seconds
        envelope = Envelope(value, fresh, stale, error, key, loader.tags)
        self._near.drop(key)
        changes = self._near.changes
        landed = False
        try:
            await self._store.set(key, envelope, ttl=error - now)
            if loader.tags:
                await self._tags.add(key, loader.tags, expires_at=error, now=now)
            landed = True
        except Exception as exc:  # a failing store costs a cache fill, never the request
            self._store_failed("write", exc)
            return
        finally:
            if not landed:  # the set may have landed all the same: reads on their way keep nothing
                self._near.drop(key)
        self._near.replace(key, envelope, fresh, now, changes=changes)
        if self.bounded:
            await self._account(key, loader.size)

    async def purge(self, key: str) -> int:
        if key in self._inflight:
            self._superseded.add(key)  # what that fetch brings back may predate the purge
        self._near.drop(key)
        removed = int(bool(await self._store.delete(key)))
        self._near.drop(key)  # and what a read on its way brought back before the delete landed
        self._forget(key)
        self._events["purge"].inc(removed)
        return removed

    async def purge_tag(self, tag: str) -> int:
        keys = await self._tags.pop(tag, self._clock())
        removed = 0
        for key in keys:
            removed += await self.purge(key)
        return removed

    async def _read(self, key: str) -> Envelope | None:
        now = self._clock()
        near: Envelope | None = self._near.get(key, now)
        if near is not None:
            return near
        changes = self._near.changes
        try:
            envelope = self._written_under(key, await self._store.get(key))
        except Exception as exc:  # a failing store (Redis down) reads as a miss: go to the origin
            self._store_failed("read", exc)
            return None
        if envelope is not None:
            self._near.keep(key, envelope, envelope.fresh_until, now, changes=changes)
        return envelope

    async def _read_many(self, keys: list[str], *, near: bool = True) -> list[Envelope | None]:
        now = self._clock()
        envelopes: list[Envelope | None] = [self._near.get(key, now) if near else None for key in keys]
        missing = [key for key, envelope in zip(keys, envelopes, strict=True) if envelope is None]
        if not missing:
            return envelopes
        changes = self._near.changes
        try:
            stored: list[Envelope | None] = await self._store.multi_get(missing)
        except Exception as exc:
            self._store_failed("read", exc)
            return envelopes
        found = {
            key: self._written_under(key, envelope) for key, envelope in zip(missing, stored, strict=True)
        }
        for key, envelope in found.items():
            if envelope is not None:
                self._near.keep(key, envelope, envelope.fresh_until, now, changes=changes)
        return [
            found.get(key) if envelope is None else envelope
            for key, envelope in zip(keys, envelopes, strict=True)
        ]

    def _written_under(self, key: str, envelope: Envelope | None) -> Envelope | None:
        if envelope is None or envelope.key == key:
            return envelope
        self._events["store_error"].inc()
        logger.warning(
            "cache %s: the entry under %s was written for %s; ignored", self.name, key, envelope.key
        )
        return None

    def _store_failed(self, operation: str, exc: Exception) -> None:
        self._events["store_error"].inc()
        logger.warning("cache %s %s failed: %r", self.name, operation, exc)

    async def _resolve(
        self, key: str, envelope: Envelope | None, loader: Loader[T], time_limit: float
    ) -> tuple[T | None, str]:
        now = self._clock()
        if envelope is not None and now < envelope.fresh_until:
            self._touch(key)
            self._events["negative_hit" if envelope.value is None else "hit"].inc()
            return envelope.value, "hit"
        if envelope is not None and now < envelope.stale_until:
            self._touch(key)
            self._events["stale"].inc()
            self._fetch(key, loader)  # revalidate in the background; this request does not wait
            return envelope.value, "stale"
        try:
            return await self._wait(key, loader, time_limit), "miss"
        except OriginUnavailable:
            if envelope is not None and now < envelope.error_until:
                self._events["stale_if_error"].inc()
                return envelope.value, "stale_if_error"
            raise

    async def _wait(self, key: str, loader: Loader[T], time_limit: float) -> T | None:
        coalesced = key in self._inflight
        fetch = self._fetch(key, loader)
        self._events["coalesced" if coalesced else "miss"].inc()
        if time_limit <= 0:
            raise OriginUnavailable(f"no time left to fetch {key}")
        try:
            async with asyncio.timeout(time_limit):
                # Shielded: a waiter that gives up must not cancel the fetch the others share.
                value: T | None = await asyncio.shield(fetch)
        except TimeoutError:
            self._events["deadline"].inc()
            raise OriginUnavailable(f"{key} was not fetched within {time_limit * 1000:.0f} ms") from None
        return value

    def _fetch(self, key: str, loader: Loader[T]) -> asyncio.Task[T | None]:
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._fill(key, loader))
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._fetched(key, done))
        return task

    def _fetched(self, key: str, task: asyncio.Task[Any]) -> None:
        self._inflight.pop(key, None)
        self._superseded.discard(key)
        # A background refresh has no waiter; its failure is counted in _fill, not raised again.
        if not task.cancelled() and task.exception() is not None:
            logger.debug("fetching %s failed: %s", key, task.exception())

    async def _fill(self, key: str, loader: Loader[T]) -> T | None:
        try:
            value = await loader.fetch(self._fetch_time_limit)
        except OriginUnavailable:
            self._events["origin_error"].inc()
            raise
        if key in self._superseded:
            self._superseded.discard(key)
        else:
            await self._write(key, value, loader)
        return value

    def _touch(self, key: str) -> None:
        if key in self._lru:
            self._lru.move_to_end(key)

    def _forget(self, key: str) -> None:
        size = self._lru.pop(key, None)
        if size is not None:
            self._bytes -= size

    async def _account(self, key: str, size: int) -> None:
        self._forget(key)
        self._lru[key] = size
        self._bytes += size
        while self._lru and self._over_bound():
            oldest, oldest_size = self._lru.popitem(last=False)
            self._bytes -= oldest_size
            self._near.drop(oldest)
            await self._store.delete(oldest)
            self._events["eviction"].inc()

    def _over_bound(self) -> bool:
        too_many = self._max_entries is not None and len(self._lru) > self._max_entries
        too_big = self._max_bytes is not None and self._bytes > self._max_bytes
        return too_many or too_big
