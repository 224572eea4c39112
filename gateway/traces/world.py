"""The building blocks of generated traces: a shopper's world (catalog pools, clock, chances) and
a session that emits events in the trace format. The personas in ``tracegen`` are written with them."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from gateway.models import Item

CHINA_UTC_OFFSET_S = 8 * 3600
DAY_S = 24 * 3600

_BASE_FIELDS = frozenset({"t", "session", "user", "type", "sku"})
EVENT_FIELDS: Mapping[str, frozenset[str]] = {
    "view": _BASE_FIELDS,
    "spec": _BASE_FIELDS | {"spec"},
    "cart": _BASE_FIELDS | {"spec", "qty"},
    "dwell": _BASE_FIELDS | {"ms"},
    "leave": _BASE_FIELDS,
    "open_order": _BASE_FIELDS | {"spec", "qty"},
    "submit": _BASE_FIELDS | {"spec", "qty"},
}
"""The exact fields each event type carries in a generated trace."""

# Relative share of session starts per China-time hour 00..23 (live-commerce evening peak).
_HOURLY_WEIGHTS = (
    2.2, 1.3, 0.8, 0.5, 0.4, 0.6, 1.5, 3.0, 4.0, 5.0, 5.5, 5.5,
    6.5, 5.5, 5.0, 5.0, 5.0, 5.0, 5.5, 7.0, 8.5, 9.0, 5.5, 3.5,
)  # fmt: skip
_HOUR_CUM = tuple(itertools.accumulate(_HOURLY_WEIGHTS))
_ZIPF_EXPONENT = 0.8
_GIFT_WORDS = ("礼盒", "口红", "精华", "面霜", "面膜", "手表", "耳机", "保温杯", "电热毯", "蜂蜜", "核桃")
_GIFT_CATEGORIES = frozenset({"beauty", "food"})


# --- building blocks ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Event:
    t: float
    type: str
    sku: str
    spec: str | None = None
    qty: int | None = None
    ms: int | None = None


class _Pool:
    """Items to pick from, with Zipf-like popularity in a seeded random order."""

    def __init__(self, items: Sequence[Item], rng: random.Random) -> None:
        self.items = tuple(items)
        ranks = list(range(len(self.items)))
        rng.shuffle(ranks)
        self._cum = list(itertools.accumulate(1.0 / (rank + 1) ** _ZIPF_EXPONENT for rank in ranks))

    def pick(self, rng: random.Random) -> Item:
        return rng.choices(self.items, cum_weights=self._cum)[0]

    def pick_distinct(self, rng: random.Random, k: int) -> list[Item]:
        k = min(k, len(self.items))
        picked: dict[str, Item] = {}
        for _ in range(k * 30):
            if len(picked) == k:
                break
            item = self.pick(rng)
            picked.setdefault(item.sku, item)
        for item in self.items:  # hot items dominate; fill up deterministically if unlucky
            if len(picked) == k:
                break
            picked.setdefault(item.sku, item)
        return list(picked.values())


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _china_seconds_of_day(t: float) -> float:
    return (t + CHINA_UTC_OFFSET_S) % DAY_S


@dataclass(slots=True)
class _World:
    rng: random.Random
    start: float
    everything: _Pool
    categories: dict[str, _Pool]
    gifts: _Pool

    # Session start times.

    def _at_china_time(self, seconds_of_day: float) -> float:
        """The first moment at or after ``start`` whose China time of day is ``seconds_of_day``."""
        return self.start + (seconds_of_day - _china_seconds_of_day(self.start)) % DAY_S

    def day_start(self) -> float:
        hour = min(bisect.bisect_right(_HOUR_CUM, self.rng.uniform(0.0, _HOUR_CUM[-1])), 23)
        return self._at_china_time(hour * 3600 + self.rng.uniform(0.0, 3600.0))

    def night_start(self) -> float:
        """22:00-02:00 China time."""
        return self._at_china_time((22 * 3600 + self.rng.uniform(0.0, 4 * 3600.0)) % DAY_S)

    def later(self, t: float, low_hours: float, high_hours: float) -> float:
        """A later session of the same user; who would come back at 03:00 comes back after 07:00."""
        then = t + _log_uniform(self.rng, low_hours, high_hours) * 3600
        local = _china_seconds_of_day(then)
        if 2 * 3600 <= local < 7 * 3600:
            then += 7 * 3600 - local + self.rng.uniform(0.0, 2 * 3600.0)
        return then

    # Shopper choices.

    def category_of(self, item: Item) -> _Pool:
        return self.categories[item.category]

    def any_spec(self, item: Item) -> str:
        return self.rng.choice(item.specs)

    def buyable_spec(self, item: Item, among: Sequence[str] | None = None) -> str:
        """A spec in stock (shoppers cannot order sold-out ones), from ``among`` when possible."""
        candidates = list(among) if among else item.specs
        in_stock = [spec for spec in candidates if item.spec_stock.get(spec, 1) > 0]
        return self.rng.choice(in_stock or candidates)

    def neighbour_spec(self, item: Item, spec: str) -> str:
        """Another spec differing in one dimension ("black-M" -> "navy-M" or "black-L") if any."""
        parts = spec.split("-")
        others = [other for other in item.specs if other != spec]
        near = [
            other
            for other in others
            if len(other.split("-")) == len(parts)
            and sum(a != b for a, b in zip(other.split("-"), parts, strict=True)) == 1
        ]
        return self.rng.choice(near or others or [spec])

    def qty(self, gift: bool = False) -> int:
        roll = self.rng.random()
        if gift:
            return 2 if roll < 0.33 else 3 if roll < 0.38 else 1
        return 2 if roll < 0.08 else 3 if roll < 0.1 else 1

    def changed_qty(self, qty: int) -> int:
        return qty - 1 if qty > 1 and self.rng.random() < 0.5 else qty + 1

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


@dataclass(slots=True)
class _Session:
    """One session's events; each action waits a realistic think time first (not the first one)."""

    world: _World
    user: str
    t: float
    events: list[_Event] = field(default_factory=list)
    page: Item | None = None
    page_since: float = 0.0

    def _advance(self, low: float, high: float) -> None:
        if self.events:
            self.t += _log_uniform(self.world.rng, low, high)

    def _emit(
        self, type_: str, sku: str, spec: str | None = None, qty: int | None = None, ms: int | None = None
    ) -> None:
        self.events.append(_Event(self.t, type_, sku, spec, qty, ms))

    def view(self, item: Item) -> None:
        self._advance(3.0, 45.0)
        self._emit("view", item.sku)
        self.page, self.page_since = item, self.t

    def dwell(self, low: float = 6.0, high: float = 120.0) -> int:
        """Stay on the current page; the beacon reports the time spent on it so far."""
        if self.page is None:
            raise RuntimeError("dwell before any view")
        self._advance(low, high)
        ms = int((self.t - self.page_since) * 1000)
        self._emit("dwell", self.page.sku, ms=ms)
        return ms

    def spec(self, item: Item, spec: str, low: float = 2.0, high: float = 20.0) -> None:
        self._advance(low, high)
        self._emit("spec", item.sku, spec=spec)

    def cart(self, item: Item, spec: str, qty: int) -> None:
        self._advance(2.0, 15.0)
        self._emit("cart", item.sku, spec=spec, qty=qty)

    def open_order(self, item: Item, spec: str, qty: int) -> None:
        self._advance(2.0, 25.0)
        self._emit("open_order", item.sku, spec=spec, qty=qty)
        self.page, self.page_since = item, self.t

    def leave(self) -> None:
        if self.page is None:
            return
        self._advance(2.0, 30.0)
        self._emit("leave", self.page.sku)

    def finish_order(self, item: Item, spec: str, qty: int, submit_p: float) -> None:
        """After the order page: submit (filling in address and payment takes a while), or leave."""
        if self.world.chance(submit_p):
            self._advance(8.0, 90.0)
            self._emit("submit", item.sku, spec=spec, qty=qty)
        else:
            self.leave()


# --- personas -------------------------------------------------------------------------------------------
