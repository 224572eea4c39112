"""Synthetic browsing traces for the prerender evaluation (``edge-gateway gen-trace``).

A trace is a day of storefront traffic in the format of DESIGN.md, "Browsing trace format": JSON
Lines ordered by ``t``, each event with ``t``, ``session``, ``user``, ``type`` and ``sku``, plus
``spec`` (spec, cart, open_order, submit), ``qty`` (cart, open_order, submit) or ``ms`` (dwell).
Nothing else is emitted (see ``EVENT_FIELDS``). Users are the demo users ``u-0000``…, skus and
specs come from the catalog (by default the demo catalog), so the replay can order every one.

Every user follows one persona, each a small generator below; the mix, by share of users:

==============  =====  =================================================================================
persona         share  behaviour
==============  =====  =================================================================================
browser          30 %  1-2 sessions of views and dwells across categories, rare specs or carts; leaves,
                       never opens an order page
direct           20 %  view, maybe a short dwell, one spec, sometimes cart; order page within seconds
comparer         17 %  views 3-6 items of one category with dwells (sometimes a spec), goes back to one,
                       usually the one read longest, picks a spec and opens it; a quarter cart the
                       candidates and open the chosen one from the cart, without viewing it again
spec switcher    12 %  one item, 3-7 spec changes (mostly one dimension at a time: colour, then size);
                       opens with the last spec or one tried earlier
returning        14 %  session 1 carts one or two items and leaves; hours later (sometimes after a
                       browse-only session) opens the order page for a carted item, often straight from
                       the cart without viewing it again
gift buyer        7 %  starts between 22:00 and 02:00 China time; compares gift-ish items (tea boxes,
                       lipstick, smart watches, …) with long dwells; qty is 2 in a third of orders
==============  =====  =================================================================================

Realism and difficulty: item popularity is Zipf-like (hot items from the live stream get most
views); gaps are log-uniform, seconds within a page, up to minutes between pages, hours between
sessions; session starts follow a China-time (UTC+8) diurnal curve peaking at 20:00-22:00, so
about a fifth of sessions start between 22:00 and 06:00. Some shoppers change qty between cart and
order page. The opened item was always viewed or carted by that user and the opened spec was
always selected or carted by them (a good predictor can anticipate it), but it is not always the
last item or spec seen. Most order-page opens are followed by ``submit``, the rest by ``leave``.

Same seed, same arguments: same trace (one ``random.Random(seed)`` drives everything).
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TextIO

from gateway.central.seed import build_seed, user_id
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

_Persona = Callable[[_World, str], list[_Session]]


def _browser(w: _World, user: str) -> list[_Session]:
    sessions: list[_Session] = []
    t = w.day_start()
    for _ in range(2 if w.chance(0.25) else 1):
        s = _Session(w, user, t)
        item = w.everything.pick(w.rng)
        for _ in range(w.rng.randint(2, 8)):
            s.view(item)
            if w.chance(0.6):
                s.dwell(3.0, 90.0)
            if w.chance(0.2):
                s.spec(item, w.any_spec(item))
            if w.chance(0.06):
                s.cart(item, w.buyable_spec(item), w.qty())
            # Wander: a related item of the same category, or anything hot.
            item = w.category_of(item).pick(w.rng) if w.chance(0.5) else w.everything.pick(w.rng)
        s.leave()
        sessions.append(s)
        t = w.later(s.t, 1.0, 20.0)
    return sessions


def _direct(w: _World, user: str) -> list[_Session]:
    s = _Session(w, user, w.day_start())
    item = w.everything.pick(w.rng)
    s.view(item)
    if w.chance(0.4):
        s.dwell(3.0, 30.0)
    spec = w.buyable_spec(item)
    s.spec(item, spec, 1.0, 10.0)
    qty = w.qty()
    if w.chance(0.3):
        s.cart(item, spec, qty)
        if w.chance(0.3):
            qty = w.changed_qty(qty)
    s.open_order(item, spec, qty)
    s.finish_order(item, spec, qty, submit_p=0.8)
    return [s]


def _comparer(w: _World, user: str) -> list[_Session]:
    return [_compare(w, _Session(w, user, w.day_start()), w.category_of(w.everything.pick(w.rng)), False)]


def _compare(w: _World, s: _Session, pool: _Pool, gift: bool) -> _Session:
    """View a few items of one pool, then open one (usually the one read longest).

    Some shoppers cart candidates while comparing and open the order page from the cart, without
    viewing the chosen item again; the others go back to it first.
    """
    items = pool.pick_distinct(w.rng, w.rng.randint(2, 4) if gift else w.rng.randint(3, 6))
    read_ms: dict[str, int] = {}
    selected: dict[str, str] = {}
    carted: dict[str, tuple[str, int]] = {}
    carts_candidates = w.chance(0.25)
    for item in items:
        s.view(item)
        read_ms[item.sku] = s.dwell(10.0, 180.0) if gift else s.dwell(6.0, 150.0)
        if carts_candidates and w.chance(0.7):
            spec = w.buyable_spec(item)
            s.spec(item, spec)
            carted[item.sku] = (spec, w.qty(gift))
            s.cart(item, *carted[item.sku])
        elif w.chance(0.35):
            selected[item.sku] = w.any_spec(item)
            s.spec(item, selected[item.sku])
    longest = max(items, key=lambda item: read_ms[item.sku])
    chosen = longest if w.chance(0.6) else w.rng.choice(items)
    if chosen.sku in carted and w.chance(0.7):
        spec, qty = carted[chosen.sku]
        if w.chance(0.25):
            qty = w.changed_qty(qty)
        s.open_order(chosen, spec, qty)  # from the cart page
        s.finish_order(chosen, spec, qty, submit_p=0.75 if gift else 0.65)
        return s
    if chosen is not s.page:
        s.view(chosen)
    earlier = selected.get(chosen.sku)
    if earlier is not None and w.chance(0.4) and chosen.spec_stock.get(earlier, 1) > 0:
        spec = earlier  # chose the spec on the first visit; no new spec signal
    else:
        spec = w.buyable_spec(chosen)
        s.spec(chosen, spec)
    qty = w.qty(gift)
    if w.chance(0.45 if gift else 0.25):
        s.cart(chosen, spec, qty)
        if w.chance(0.25):
            qty = w.changed_qty(qty)
    s.open_order(chosen, spec, qty)
    s.finish_order(chosen, spec, qty, submit_p=0.75 if gift else 0.65)
    return s


def _spec_switcher(w: _World, user: str) -> list[_Session]:
    s = _Session(w, user, w.day_start())
    item = w.everything.pick(w.rng)
    s.view(item)
    if w.chance(0.5):
        s.dwell(4.0, 60.0)
    spec = w.any_spec(item)
    s.spec(item, spec)
    tried = [spec]
    for _ in range(w.rng.randint(2, 6)):
        spec = w.neighbour_spec(item, spec)
        s.spec(item, spec, 1.5, 12.0)
        tried.append(spec)
    buyable = [spec for spec in tried if item.spec_stock.get(spec, 1) > 0]
    if not buyable:  # everything tried was sold out: one more switch, to one in stock
        spec = w.buyable_spec(item)
        s.spec(item, spec)
    elif buyable[-1] == tried[-1] and (len(set(buyable)) == 1 or w.chance(0.5)):
        spec = tried[-1]
    else:  # went back to one tried earlier, on the order page
        spec = w.rng.choice([spec for spec in buyable if spec != tried[-1]])
    qty = w.qty()
    if w.chance(0.35):
        s.cart(item, spec, qty)
        if w.chance(0.3):
            qty = w.changed_qty(qty)
    s.open_order(item, spec, qty)
    s.finish_order(item, spec, qty, submit_p=0.7)
    return [s]


def _returning(w: _World, user: str) -> list[_Session]:
    first = _Session(w, user, w.day_start())
    if w.chance(0.4):
        first.view(w.everything.pick(w.rng))
        first.dwell(3.0, 60.0)
    carted: list[tuple[Item, str, int]] = []
    for _ in range(2 if w.chance(0.35) else 1):
        item = w.everything.pick(w.rng)
        first.view(item)
        if w.chance(0.5):
            first.dwell(5.0, 90.0)
        spec = w.buyable_spec(item)
        first.spec(item, spec)
        qty = w.qty()
        first.cart(item, spec, qty)
        carted.append((item, spec, qty))
    if w.chance(0.5):
        first.view(w.category_of(carted[-1][0]).pick(w.rng))
    first.leave()
    sessions = [first]
    t = w.later(first.t, 2.0, 20.0)
    if w.chance(0.25):  # a look in between, without buying
        middle = _Session(w, user, t)
        middle.view(w.rng.choice(carted)[0])
        middle.dwell(5.0, 60.0)
        middle.view(w.everything.pick(w.rng))
        middle.leave()
        sessions.append(middle)
        t = w.later(middle.t, 1.0, 8.0)
    last = _Session(w, user, t)
    item, spec, qty = carted[-1] if len(carted) == 1 or w.chance(0.6) else carted[0]
    if w.chance(0.5):
        last.view(item)
        if w.chance(0.4):
            spec = w.neighbour_spec(item, spec) if w.chance(0.3) else spec
            if item.spec_stock.get(spec, 1) == 0:
                spec = w.buyable_spec(item)
            last.spec(item, spec)
    if w.chance(0.25):
        qty = w.changed_qty(qty)
    last.open_order(item, spec, qty)  # without a view: straight from the cart page
    last.finish_order(item, spec, qty, submit_p=0.75)
    sessions.append(last)
    return sessions


def _gift_buyer(w: _World, user: str) -> list[_Session]:
    return [_compare(w, _Session(w, user, w.night_start()), w.gifts, True)]


_PERSONAS: tuple[tuple[str, float, _Persona], ...] = (
    ("browser", 0.30, _browser),
    ("direct", 0.20, _direct),
    ("comparer", 0.17, _comparer),
    ("spec_switcher", 0.12, _spec_switcher),
    ("returning", 0.14, _returning),
    ("gift_buyer", 0.07, _gift_buyer),
)


# --- the trace ------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _demo_catalog() -> tuple[Item, ...]:
    return tuple(build_seed(items=2000, users=0).items)


def _persona_plan(users: int, rng: random.Random) -> list[_Persona]:
    """Exactly the mix's shares (largest remainder), in a shuffled order."""
    quotas = [(users * share, persona) for _, share, persona in _PERSONAS]
    counts = [int(quota) for quota, _ in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: quotas[i][0] - counts[i], reverse=True)
    for i in by_remainder[: users - sum(counts)]:
        counts[i] += 1
    plan = [persona for (_, persona), count in zip(quotas, counts, strict=True) for _ in range(count)]
    rng.shuffle(plan)
    return plan


def _world(rng: random.Random, start: float, items: Sequence[Item]) -> _World:
    by_category: dict[str, list[Item]] = {}
    for item in items:
        by_category.setdefault(item.category, []).append(item)
    gifts = [item for item in items if any(word in item.title for word in _GIFT_WORDS)]
    gifts = gifts or [item for item in items if item.category in _GIFT_CATEGORIES] or list(items)
    return _World(
        rng=rng,
        start=start,
        everything=_Pool(items, rng),
        categories={name: _Pool(members, rng) for name, members in sorted(by_category.items())},
        gifts=_Pool(gifts, rng),
    )


def generate_trace(
    seed: int = 1,
    users: int = 200,
    start: float = 1_732_300_000.0,
    catalog: Sequence[Item] | None = None,
) -> list[dict[str, object]]:
    """A day of browsing from ``start`` by ``users`` users, as trace events sorted by ``t``.

    Only catalog items with at least one spec are used. Sessions are numbered ``s-1``… in order of
    their first event; a returning user's later sessions may fall after the day.
    """
    if users < 0:
        raise ValueError("users must be >= 0")
    items = [item for item in (_demo_catalog() if catalog is None else catalog) if item.specs]
    if not items:
        raise ValueError("the catalog has no item with a spec")
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    world = _world(rng, start, items)
    sessions = [
        session
        for index, persona in enumerate(_persona_plan(users, rng))
        for session in persona(world, user_id(index))
        if session.events
    ]
    ordered = sorted(enumerate(sessions), key=lambda pair: (pair[1].events[0].t, pair[0]))
    numbered = [
        (number, seq, session.user, event)
        for number, (_, session) in enumerate(ordered, start=1)
        for seq, event in enumerate(session.events)
    ]
    numbered.sort(key=lambda row: (round(row[3].t, 3), row[0], row[1]))
    return [_as_dict(number, user, event) for number, _, user, event in numbered]


def _as_dict(number: int, user: str, event: _Event) -> dict[str, object]:
    out: dict[str, object] = {
        "t": round(event.t, 3),
        "session": f"s-{number}",
        "user": user,
        "type": event.type,
        "sku": event.sku,
    }
    if event.spec is not None:
        out["spec"] = event.spec
    if event.qty is not None:
        out["qty"] = event.qty
    if event.ms is not None:
        out["ms"] = event.ms
    return out


def write_jsonl(events: Iterable[Mapping[str, object]], stream: TextIO) -> int:
    """Write one compact JSON object per line; returns the number of lines."""
    count = 0
    for event in events:
        stream.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
        stream.write("\n")
        count += 1
    return count
