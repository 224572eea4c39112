"""Synthetic browsing traces for the prerender evaluation (``edge-gateway gen-trace``).

A trace is a day of storefront traffic in the format of DESIGN.md, "Browsing trace format": JSON
Lines ordered by ``t``, each event with ``t``, ``session``, ``user``, ``type`` and ``sku``, plus
``spec`` (spec, cart, open_order, submit), ``qty`` (cart, open_order, submit) or ``ms`` (dwell).
Nothing else is emitted (see ``tracegen_world.EVENT_FIELDS``). Users are the demo users ``u-0000``…, skus and
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

import json
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TextIO

from gateway.models import Item
from gateway.seed import build_seed, user_id
from gateway.traces.world import (
    _GIFT_CATEGORIES,
    _GIFT_WORDS,
    _Event,
    _Pool,
    _Session,
    _World,
)

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
