"""The cache semantics over aiocache's memory store: SWR, stale-if-error, coalescing, bounds, tags."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterable

import pytest
from aiocache import RedisCache, SimpleMemoryCache

from gateway.cache.layer import EdgeCache, Loader, Policy
from gateway.cache.tags import MemoryTagIndex
from gateway.processes import free_port
from gateway.resilience import OriginUnavailable

POLICY = Policy(fresh_seconds=10, stale_seconds=5, error_seconds=60, negative_seconds=2, jitter=0)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Origin:
    """The source of truth for a test: counts its calls, can be slowed down or broken."""

    def __init__(self) -> None:
        self.calls = 0
        self.value: str | None = "v1"
        self.delay = 0.0
        self.failing = False

    async def fetch(self, time_limit: float) -> str | None:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failing:
            raise OriginUnavailable("origin down")
        return self.value


def _cache(clock: Clock, store: SimpleMemoryCache | None = None, **bounds: int) -> EdgeCache:
    """With the near tier on, as the edge runs it: every semantic below must hold through it."""
    return EdgeCache(
        store or SimpleMemoryCache(timeout=None),
        MemoryTagIndex(),
        name="test",
        clock=clock,
        fetch_time_limit=2.0,
        near_seconds=1.0,
        **bounds,
    )


def _loader(
    origin: Origin, policy: Policy = POLICY, tags: tuple[str, ...] = (), size: int = 100
) -> Loader[str]:
    return Loader(origin.fetch, policy, tags=tags, size=size)


async def test_a_miss_fetches_once_and_then_hits() -> None:
    clock, origin = Clock(), Origin()
    cache = _cache(clock)
    assert await cache.get("k", _loader(origin), 1.0) == ("v1", "miss")
    assert await cache.get("k", _loader(origin), 1.0) == ("v1", "hit")
    assert origin.calls == 1


async def test_a_fresh_entry_is_read_from_the_near_tier_for_its_moment_only() -> None:
    clock, origin, store = Clock(), Origin(), SimpleMemoryCache(timeout=None)
    cache = _cache(clock, store)
    await cache.get("k", _loader(origin), 1.0)
    await store.delete("k")  # gone from the store behind the cache's back (another worker's purge)
    clock.now += 0.5
    assert await cache.get("k", _loader(origin), 1.0) == ("v1", "hit")
    assert await cache.get_many([("k", _loader(origin))], lambda: 1.0) == ["v1"]
    assert origin.calls == 1
    clock.now += 0.6  # past the near tier's second: the store is asked again, and misses
    assert await cache.get("k", _loader(origin), 1.0) == ("v1", "miss")
    assert origin.calls == 2


async def test_fresh_many_answers_only_when_the_near_tier_holds_every_key() -> None:
    clock, origin = Clock(), Origin()
    cache = _cache(clock)
    await cache.get("a", _loader(origin), 1.0)
    assert cache.fresh_many(["a", "b"]) is None, "b was never read"
    await cache.get("b", _loader(origin), 1.0)
    assert cache.fresh_many(["a", "b"]) == ["v1", "v1"]
    clock.now += 1.1
    assert cache.fresh_many(["a", "b"]) is None, "the near tier's second has passed"


async def test_purges_and_writes_through_the_cache_reach_the_near_tier_at_once() -> None:
    clock, origin = Clock(), Origin()
    cache = _cache(clock)
    await cache.get("k", _loader(origin), 1.0)
    await cache.put("k", "from the change feed", _loader(origin))
    assert await cache.get("k", _loader(origin), 1.0) == ("from the change feed", "hit")
    await cache.purge("k")
    origin.value = "v2"
    assert await cache.get("k", _loader(origin), 1.0) == ("v2", "miss")


class YieldingStore(SimpleMemoryCache):  # type: ignore[misc]
    """Answers after a turn of the loop, as Redis does: the value is read or written at once, the
    reply arrives later, and other tasks run in between. Reads can be made to answer slower."""

    read_delay = 0.0
    write_delay = 0.0  # a write lands this long after it was sent

    async def _get(self, *args: object, **kwargs: object) -> object:
        return await self._later(await super()._get(*args, **kwargs), self.read_delay)

    async def _multi_get(self, *args: object, **kwargs: object) -> object:
        return await self._later(await super()._multi_get(*args, **kwargs), self.read_delay)

    async def _set(self, *args: object, **kwargs: object) -> object:
        await asyncio.sleep(self.write_delay)
        return await self._later(await super()._set(*args, **kwargs), 0.0)

    @staticmethod
    async def _later(reply: object, delay: float) -> object:
        await asyncio.sleep(delay)
        return reply


async def test_a_read_overtaken_by_a_local_purge_does_not_bring_the_value_back() -> None:
    clock, origin, store = Clock(), Origin(), YieldingStore(timeout=None)
    cache = _cache(clock, store)
    await cache.put("k", "old", _loader(origin))
    clock.now += 2  # past the near tier's second: the next read goes to the store
    reading = asyncio.ensure_future(cache.get_many([("k", _loader(origin))], lambda: 1.0))
    await asyncio.sleep(0)  # the read is waiting on the store
    await cache.purge("k")
    await reading  # it found "old" in the store before the purge landed
    assert cache.fresh_many(["k"]) is None, "the purged value is not served from the near tier"


async def test_a_read_overtaken_by_a_local_write_does_not_hide_the_new_value() -> None:
    clock, origin, store = Clock(), Origin(), YieldingStore(timeout=None)
    cache = _cache(clock, store)
    await cache.put("k", "old", _loader(origin))
    clock.now += 2
    store.read_delay = 0.02  # the read's reply arrives after the whole write has landed
    reading = asyncio.ensure_future(cache.get("k", _loader(origin), 1.0))
    await asyncio.sleep(0)
    await cache.put("k", "new", _loader(origin))
    assert await reading == ("old", "hit"), "it read the store before the write"
    assert cache.fresh_many(["k"]) == ["new"]


class FailingTags(MemoryTagIndex):
    async def add(self, key: str, tags: Iterable[str], expires_at: float, now: float) -> None:
        raise ConnectionError("tag index unreachable")


async def test_a_write_that_fails_after_its_value_landed_leaves_no_older_near_copy() -> None:
    clock, origin, store = Clock(), Origin(), YieldingStore(timeout=None)
    cache = EdgeCache(store, FailingTags(), name="test", clock=clock, near_seconds=1.0)
    await store.set("k", (await _envelope_of(cache, clock, origin)))
    clock.now += 2
    store.read_delay, store.write_delay = 0.02, 0.01
    writing = asyncio.ensure_future(cache.put("k", "new", _loader(origin, tags=("t",))))
    await asyncio.sleep(0)  # the write is on its way; it lands, then the tag index fails
    assert (await cache.get("k", _loader(origin), 1.0))[0] == "old", "read before the write landed"
    await writing
    assert cache.fresh_many(["k"]) is None


async def _envelope_of(cache: EdgeCache, clock: Clock, origin: Origin) -> object:
    """An envelope holding "old", as a fill through another worker would have stored it."""
    other = _cache(clock)
    await other.put("k", "old", _loader(origin))
    return await other._store.get("k")


async def test_the_near_tier_never_serves_an_entry_past_its_freshness() -> None:
    clock, origin = Clock(), Origin()
    short = Policy(fresh_seconds=0.5, stale_seconds=0, error_seconds=0, jitter=0)
    cache = _cache(clock)
    await cache.get("k", _loader(origin, short), 1.0)
    origin.value = "v2"
    clock.now += 0.6  # inside the near tier's second, past the entry's freshness
    assert await cache.get("k", _loader(origin, short), 1.0) == ("v2", "miss")


async def test_stale_is_served_at_once_while_one_refresh_runs() -> None:
    clock, origin = Clock(), Origin()
    cache = _cache(clock)
    await cache.get("k", _loader(origin), 1.0)
    origin.value, origin.delay = "v2", 0.05
    clock.now += 12  # past fresh, inside the stale window
    results = [await cache.get("k", _loader(origin), 1.0) for _ in range(5)]
    assert results == [("v1", "stale")] * 5
    await asyncio.sleep(0.01)  # let the refresh start
    assert origin.calls == 2, "one background refresh, not one per request"
    await asyncio.sleep(0.1)
    assert await cache.get("k", _loader(origin), 1.0) == ("v2", "hit")


async def test_stale_is_served_while_the_origin_is_down() -> None:
    clock, origin = Clock(), Origin()
    cache = _cache(clock)
    await cache.get("k", _loader(origin), 1.0)
    origin.failing = True
    clock.now += 30  # past the stale window, inside the error window
    assert await cache.get("k", _loader(origin), 1.0) == ("v1", "stale_if_error")
    clock.now += 60  # past the error window too: nothing usable is left
    with pytest.raises(OriginUnavailable):
        await cache.get("k", _loader(origin), 1.0)


async def test_a_waiter_leaves_at_its_deadline_and_the_fetch_still_fills_the_cache() -> None:
    clock, origin = Clock(), Origin()
    origin.delay = 0.3
    cache = _cache(clock)
    started = time.monotonic()
    with pytest.raises(OriginUnavailable, match="50 ms"):
        await cache.get("k", _loader(origin), 0.05)
    assert time.monotonic() - started < 0.25
    await asyncio.sleep(0.35)
    assert await cache.get("k", _loader(origin), 0.05) == ("v1", "hit")
    assert origin.calls == 1


async def test_a_hundred_concurrent_misses_make_one_origin_fetch() -> None:
    clock, origin = Clock(), Origin()
    origin.delay = 0.05
    cache = _cache(clock)
    results = await asyncio.gather(*(cache.get("k", _loader(origin), 1.0) for _ in range(100)))
    assert origin.calls == 1
    assert {value for value, _ in results} == {"v1"}


async def test_waiters_with_different_budgets_leave_at_their_own_deadlines() -> None:
    clock, origin = Clock(), Origin()
    origin.delay = 0.2
    cache = _cache(clock)
    short = asyncio.ensure_future(cache.get("k", _loader(origin), 0.02))
    long = asyncio.ensure_future(cache.get("k", _loader(origin), 1.0))
    with pytest.raises(OriginUnavailable):
        await short
    assert await long == ("v1", "miss")
    assert origin.calls == 1


async def test_unknown_keys_are_cached_briefly() -> None:
    clock, origin = Clock(), Origin()
    origin.value = None
    cache = _cache(clock)
    assert await cache.get("k", _loader(origin), 1.0) == (None, "miss")
    assert await cache.get("k", _loader(origin), 1.0) == (None, "hit")
    assert origin.calls == 1
    origin.value = "now exists"
    clock.now += 3  # the negative entry lasts negative_seconds only
    assert await cache.get("k", _loader(origin), 1.0) == ("now exists", "miss")


async def test_lifetimes_are_jittered() -> None:
    clock, origin = Clock(), Origin()
    cache = EdgeCache(
        SimpleMemoryCache(timeout=None), MemoryTagIndex(), name="j", clock=clock, rng=random.Random(3)
    )
    policy = Policy(fresh_seconds=100, jitter=0.1)
    for n in range(200):
        await cache.get(f"k{n}", _loader(origin, policy), 1.0)
    clock.now += 95
    outcomes = [(await cache.get(f"k{n}", _loader(origin, policy), 1.0))[1] for n in range(200)]
    assert 0 < outcomes.count("stale") < 200, "entries filled together expire apart"


async def test_entry_bound_evicts_the_least_recently_used() -> None:
    clock, origin = Clock(), Origin()
    cache = _cache(clock, max_entries=100)
    await cache.get("keep", _loader(origin), 1.0)
    for n in range(5_000):
        await cache.get(f"flood-{n}", _loader(origin), 1.0)
        if n % 50 == 0:
            await cache.get("keep", _loader(origin), 1.0)  # recently used survives
        assert cache.entries <= 100
    assert await cache.get("keep", _loader(origin), 1.0) == ("v1", "hit")
    assert await cache.get("flood-0", _loader(origin), 1.0) == ("v1", "miss")


async def test_byte_bound_holds_under_a_flood_of_distinct_keys() -> None:
    clock, origin = Clock(), Origin()
    cache = _cache(clock, max_bytes=50_000)
    for n in range(2_000):
        await cache.get(f"k{n}", _loader(origin, size=1_000), 1.0)
        assert cache.bytes <= 50_000
    assert cache.entries == 50


async def test_purge_by_key_and_by_tag() -> None:
    clock, origin = Clock(), Origin()
    cache = _cache(clock)
    for key, tags in (("a", ("t1",)), ("b", ("t1", "t2")), ("c", ("t2",)), ("d", ())):
        await cache.get(key, _loader(origin, tags=tags), 1.0)
    assert await cache.purge("d") == 1
    assert await cache.purge("d") == 0
    assert await cache.purge_tag("t1") == 2
    assert (await cache.get("a", _loader(origin), 1.0))[1] == "miss"
    assert (await cache.get("c", _loader(origin), 1.0))[1] == "hit"


async def test_an_entry_copied_to_another_key_in_the_store_reads_as_a_miss() -> None:
    clock, origin = Clock(), Origin()
    store = SimpleMemoryCache(timeout=None)
    cache = _cache(clock, store)
    await cache.put("book:u-a", "a's addresses", _loader(origin))
    await store.set("book:u-b", await store.get("book:u-a"))  # as a writer to a shared Redis could
    origin.value = "b's addresses"
    assert await cache.get("book:u-b", _loader(origin), 1.0) == ("b's addresses", "miss")
    await store.set("book:u-b", await store.get("book:u-a"))  # again, for the many-key read
    many = await cache.get_many([("book:u-b", _loader(origin))], lambda: 1.0, near=False)
    assert many == ["b's addresses"]
    assert origin.calls == 2


async def test_a_dead_store_reads_as_a_miss_and_the_origin_answers() -> None:
    clock, origin = Clock(), Origin()
    dead = RedisCache(
        port=free_port("127.0.0.1", 0),
        timeout=None,
        create_connection_timeout=0.2,
        connection_pool_kwargs={"socket_timeout": 0.2},
    )
    cache = EdgeCache(dead, MemoryTagIndex(), name="dead", clock=clock)
    assert await cache.get("k", _loader(origin), 1.0) == ("v1", "miss")
    assert origin.calls == 1


async def test_a_purge_during_a_fetch_keeps_the_fetched_value_out_of_the_cache() -> None:
    clock, origin = Clock(), Origin()
    origin.delay = 0.05
    cache = _cache(clock)
    waiting = asyncio.ensure_future(cache.get("k", _loader(origin), 1.0))
    await asyncio.sleep(0.01)
    await cache.purge("k")  # the change feed says the key changed while it was being fetched
    assert await waiting == ("v1", "miss")
    origin.value = "v2"
    assert await cache.get("k", _loader(origin), 1.0) == ("v2", "miss"), "the pre-change value was not kept"
