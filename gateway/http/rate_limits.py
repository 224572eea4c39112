"""Rate limits per shopper and per client address.

Budgets are named (``orders_per_shopper``, ``sessions_per_address``, ...) and set in the settings as
``N/minute`` strings, several joined by ``;``. A request over a budget is answered 429 ``rate_limited``
with ``Retry-After``.

Two stores, one interface:

- In the process (the default): GCRA, the token bucket as a single timestamp per key. A budget of N
  per period is a burst of N, refilled one every period/N. Written here because `limits`' async
  memory store expires its entries with a background task that hops to a thread once per key: with a
  few thousand shoppers that cost more CPU than the orders themselves (measured: ~550 µs a request
  against 33 µs without it), while this is a dictionary lookup and a comparison.
- In Redis, when the cache tier is Redis, so that every node of a region draws on one count: `limits`'
  moving window (its Lua scripts), keyed by region. When Redis fails, requests pass for a while without
  being counted, and that is logged once a while: a limit stops floods, and refusing every order
  because the counter is unreachable would be the flood's work done for it.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

from limits import RateLimitItem, parse_many
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

from gateway.errors import ApiError

logger = logging.getLogger("gateway.rate_limits")

# Keys one process remembers; past it the least recently used goes (its budget starts afresh).
MAX_KEYS = 1_000_000
# How long a failing Redis is left alone before it is tried again.
STORE_PAUSE_SECONDS = 5.0


class RateLimited(ApiError):
    def __init__(self, budget: str, retry_after: int) -> None:
        super().__init__(
            429,
            "rate_limited",
            f"too many requests ({budget.replace('_', ' ')}); retry in {retry_after} s",
            headers={"retry-after": str(retry_after)},
        )


class _Bucket:
    """One budget item (say 20 per 60 s) for every key: the time each key's bucket is full again."""

    __slots__ = ("_full_at", "_interval", "_tolerance")

    def __init__(self, item: RateLimitItem) -> None:
        period = float(item.get_expiry())
        self._interval = period / item.amount
        self._tolerance = period - self._interval
        self._full_at: OrderedDict[str, float] = OrderedDict()

    def take(self, key: str, now: float) -> float:
        """0 when ``key`` may go (and is counted); otherwise how many seconds until it may."""
        full_at = self._full_at
        due = max(full_at.get(key, now), now)
        wait = due - self._tolerance - now
        if wait > 0:
            return wait
        full_at[key] = due + self._interval
        full_at.move_to_end(key)
        # The oldest entries are mostly full again, which is what a missing key means: drop them.
        while full_at and (len(full_at) > MAX_KEYS or next(iter(full_at.values())) <= now):
            full_at.popitem(last=False)
        return 0.0


class RateLimits:
    def __init__(
        self,
        budgets: Mapping[str, str],
        redis_url: str | None = None,
        *,
        namespace: str = "local",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        items = {name: tuple(parse_many(value)) for name, value in budgets.items()}
        self._clock = clock
        self._buckets = {name: tuple(_Bucket(item) for item in limits) for name, limits in items.items()}
        self._shared: _SharedLimits | None = None
        if redis_url is not None:
            self._shared = _SharedLimits(items, redis_url, namespace)

    async def check(self, budget: str, who: str) -> None:
        """Count one request of ``who`` against ``budget``; :class:`RateLimited` when it is spent."""
        if self._shared is not None:
            await self._shared.check(budget, who)
            return
        now = self._clock()
        for bucket in self._buckets.get(budget, ()):
            wait = bucket.take(who, now)
            if wait:
                raise RateLimited(budget, max(1, math.ceil(wait)))


class _SharedLimits:
    def __init__(
        self, items: Mapping[str, tuple[RateLimitItem, ...]], redis_url: str, namespace: str
    ) -> None:
        self._items = items
        self._storage = RedisStorage(
            f"async+{redis_url}",
            implementation="redispy",
            key_prefix=f"gateway-rate:{namespace}",
            socket_timeout=0.05,
            socket_connect_timeout=0.05,
        )
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._paused_until = 0.0

    async def check(self, budget: str, who: str) -> None:
        if time.monotonic() < self._paused_until:
            return
        for item in self._items.get(budget, ()):
            try:
                if await self._limiter.hit(item, budget, who):
                    continue
                reset_at, _ = await self._limiter.get_window_stats(item, budget, who)
            except Exception as exc:  # the store failed: let requests through for a while (see above)
                self._paused_until = time.monotonic() + STORE_PAUSE_SECONDS
                logger.warning(
                    "rate limit store unavailable (%r); not counting for %.0f s", exc, STORE_PAUSE_SECONDS
                )
                return
            raise RateLimited(budget, max(1, math.ceil(reset_at - time.time())))
