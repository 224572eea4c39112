from __future__ import annotations

import io
import itertools
import json
import re
from collections import defaultdict

import pytest

from gateway.models import Item
from gateway.seed import build_seed, user_id
from gateway.traces.generate import generate_trace, write_jsonl
from gateway.traces.world import CHINA_UTC_OFFSET_S, EVENT_FIELDS

Event = dict[str, object]
SIGNALS = {"view", "spec", "cart"}
START = 1_732_300_000.0


@pytest.fixture(scope="module")
def catalog() -> list[Item]:
    return build_seed(items=300, users=0).items


@pytest.fixture(scope="module")
def trace(catalog: list[Item]) -> list[Event]:
    return generate_trace(seed=11, users=200, start=START, catalog=catalog)


def _by_user(trace: list[Event]) -> dict[str, list[Event]]:
    grouped: dict[str, list[Event]] = defaultdict(list)
    for event in trace:
        grouped[str(event["user"])].append(event)
    return grouped


def _by_session(trace: list[Event]) -> dict[str, list[Event]]:
    grouped: dict[str, list[Event]] = defaultdict(list)
    for event in trace:
        grouped[str(event["session"])].append(event)
    return grouped


def _t(event: Event) -> float:
    t = event["t"]
    assert isinstance(t, float)
    return t


def _china_hour(t: float) -> int:
    return int((t + CHINA_UTC_OFFSET_S) % 86_400 // 3600)


def test_same_seed_same_trace_other_seed_other_trace(catalog: list[Item], trace: list[Event]) -> None:
    assert generate_trace(seed=11, users=200, start=START, catalog=catalog) == trace
    assert generate_trace(seed=12, users=200, start=START, catalog=catalog) != trace


def test_events_are_sorted_and_within_a_plausible_window(trace: list[Event]) -> None:
    times = [_t(event) for event in trace]
    assert times == sorted(times)
    assert times[0] >= START
    assert times[-1] < START + 3 * 86_400  # a day, plus returning users' later sessions


def test_every_event_has_exactly_the_fields_of_its_type(trace: list[Event]) -> None:
    assert {str(event["type"]) for event in trace} == set(EVENT_FIELDS)
    for event in trace:
        assert set(event) == EVENT_FIELDS[str(event["type"])], event
        assert re.fullmatch(r"s-[1-9]\d*", str(event["session"]))
        assert re.fullmatch(r"u-\d{4}", str(event["user"]))
        if "qty" in event:
            qty = event["qty"]
            assert isinstance(qty, int)
            assert 1 <= qty <= 5
        if "ms" in event:
            ms = event["ms"]
            assert isinstance(ms, int)
            assert ms > 0


def test_skus_and_specs_exist_in_the_catalog_passed(catalog: list[Item], trace: list[Event]) -> None:
    specs = {item.sku: set(item.specs) for item in catalog}
    for event in trace:
        assert event["sku"] in specs
        if "spec" in event:
            assert event["spec"] in specs[str(event["sku"])]


def test_default_catalog_is_the_demo_store() -> None:
    demo = {item.sku: set(item.specs) for item in build_seed(items=2000, users=0).items}
    events = generate_trace(seed=3, users=40)
    assert events
    for event in events:
        assert event["sku"] in demo
        assert event.get("spec", "any") == "any" or event["spec"] in demo[str(event["sku"])]


def test_users_are_the_demo_users_and_sessions_belong_to_one_user(trace: list[Event]) -> None:
    assert {event["user"] for event in trace} == {user_id(i) for i in range(200)}
    for events in _by_session(trace).values():
        assert len({event["user"] for event in events}) == 1
    assert len(_by_session(trace)) > 200  # some users come back


def test_gaps_are_seconds_to_minutes_within_a_session_and_hours_between(trace: list[Event]) -> None:
    for events in _by_session(trace).values():
        gaps = [_t(b) - _t(a) for a, b in itertools.pairwise(events)]
        assert all(0.5 <= gap <= 15 * 60 for gap in gaps), gaps
    for events in _by_user(trace).values():
        sessions = list(dict.fromkeys(str(event["session"]) for event in events))
        for earlier, later in itertools.pairwise(sessions):
            end = max(_t(e) for e in events if e["session"] == earlier)
            begin = min(_t(e) for e in events if e["session"] == later)
            assert begin - end >= 3600


def test_order_pages_and_submits_follow_signals_for_the_same_item(trace: list[Event]) -> None:
    for events in _by_user(trace).values():
        seen: set[object] = set()
        chosen: set[tuple[object, object]] = set()
        opened: dict[object, tuple[object, object, object]] = {}
        for event in events:
            kind, sku = event["type"], event["sku"]
            if kind in SIGNALS:
                seen.add(sku)
            if kind in {"spec", "cart"}:
                chosen.add((sku, event["spec"]))
            if kind == "open_order":
                assert sku in seen, event
                assert (sku, event["spec"]) in chosen, event  # the spec was selected or carted before
                opened[event["session"]] = (sku, event["spec"], event["qty"])
            if kind == "submit":
                assert opened.get(event["session"]) == (sku, event["spec"], event["qty"]), event


def test_order_pages_are_predictable_but_not_trivially(trace: list[Event]) -> None:
    opens = submits = not_last_sku = not_last_spec = no_view_in_session = qty_changed = 0
    for events in _by_user(trace).values():
        last_sku: object = None
        last_spec: object = None
        cart_qty: dict[object, object] = {}
        viewed_in: set[tuple[object, object]] = set()
        for event in events:
            kind, sku = event["type"], event["sku"]
            if kind == "view":
                last_sku = sku
                viewed_in.add((event["session"], sku))
            elif kind in {"spec", "cart"}:
                last_spec = event["spec"]
            if kind == "cart":
                cart_qty[sku] = event["qty"]
            if kind == "open_order":
                opens += 1
                not_last_sku += sku != last_sku
                not_last_spec += event["spec"] != last_spec
                no_view_in_session += (event["session"], sku) not in viewed_in
                qty_changed += sku in cart_qty and cart_qty[sku] != event["qty"]
            submits += kind == "submit"
    assert opens >= 100
    assert 0.5 * opens <= submits < opens
    assert not_last_sku >= 5
    assert not_last_spec >= 5
    assert no_view_in_session >= 5
    assert qty_changed >= 3


def test_returning_users_order_what_they_carted_in_an_earlier_session(trace: list[Event]) -> None:
    returning = 0
    for events in _by_user(trace).values():
        carted: dict[object, object] = {}  # sku -> session it was carted in
        for event in events:
            if event["type"] == "cart":
                carted.setdefault(event["sku"], event["session"])
            elif event["type"] == "open_order" and carted.get(event["sku"]) not in {None, event["session"]}:
                returning += 1
                break
    assert returning >= 10


def test_some_users_only_browse(trace: list[Event]) -> None:
    users = _by_user(trace)
    browsers = [u for u, events in users.items() if all(e["type"] != "open_order" for e in events)]
    assert 0.15 * len(users) <= len(browsers) <= 0.5 * len(users)
    for user in browsers:
        assert {"view", "leave"} <= {event["type"] for event in users[user]}


def test_a_share_of_sessions_is_at_night_china_time(trace: list[Event]) -> None:
    starts = [_t(events[0]) for events in _by_session(trace).values()]
    night = [t for t in starts if not 6 <= _china_hour(t) < 22]
    assert 0.1 <= len(night) / len(starts) <= 0.35
    late_gifts = [
        event
        for event in trace
        if event["type"] == "open_order" and _china_hour(_t(event)) in {22, 23, 0, 1, 2} and event["qty"] == 2
    ]
    assert late_gifts


def test_jsonl_is_one_compact_object_per_line(trace: list[Event]) -> None:
    stream = io.StringIO()
    assert write_jsonl(trace[:50], stream) == 50
    lines = stream.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == trace[:50]
    assert all(": " not in line and ", " not in line for line in lines)


def test_edge_cases(catalog: list[Item]) -> None:
    assert generate_trace(users=0, catalog=catalog) == []
    with pytest.raises(ValueError, match="spec"):
        generate_trace(users=5, catalog=[])
