"""The near tier alone: kept for its moment, never past freshness, bounded, never overtaken."""

from __future__ import annotations

from gateway.cache.near import NearTier


def test_an_entry_is_kept_for_the_tiers_seconds_or_until_it_stops_being_fresh() -> None:
    near = NearTier(seconds=1.0)
    near.keep("long", "a", fresh_until=100.0, now=10.0, changes=near.changes)
    near.keep("short", "b", fresh_until=10.2, now=10.0, changes=near.changes)
    assert (near.get("long", 10.9), near.get("short", 10.1)) == ("a", "b")
    assert (near.get("long", 11.0), near.get("short", 10.2)) == (None, None)
    assert len(near) == 0, "an entry past its moment is dropped when met"


def test_an_entry_already_stale_or_a_tier_turned_off_keeps_nothing() -> None:
    assert NearTier(seconds=1.0).get("k", 0.0) is None
    stale, off = NearTier(seconds=1.0), NearTier(seconds=0.0)
    stale.keep("k", "v", fresh_until=5.0, now=5.0, changes=stale.changes)
    off.keep("k", "v", fresh_until=100.0, now=5.0, changes=off.changes)
    assert (len(stale), len(off)) == (0, 0)


def test_the_entry_kept_longest_ago_makes_room_when_the_tier_is_full() -> None:
    near = NearTier(seconds=1.0, max_entries=2)
    for key in ("a", "b", "a", "c"):  # "a" is kept again after "b": "b" is now the oldest
        near.keep(key, key.upper(), fresh_until=100.0, now=0.0, changes=near.changes)
    assert [near.get(key, 0.5) for key in ("a", "b", "c")] == ["A", None, "C"]


def test_a_read_overtaken_by_a_drop_keeps_nothing() -> None:
    near = NearTier(seconds=1.0)
    noted = near.changes  # a read notes this, then awaits the store
    near.drop("k")  # meanwhile a purge (of any key)
    near.keep("k", "old", fresh_until=100.0, now=0.0, changes=noted)
    assert near.get("k", 0.1) is None


def test_a_write_keeps_its_value_unless_a_purge_overtook_it_and_reads_on_their_way_lose() -> None:
    near = NearTier(seconds=1.0)
    read_noted = near.changes  # a read started before the write reached the store
    near.drop("k")
    write_noted = near.changes
    near.replace("k", "new", fresh_until=100.0, now=0.0, changes=write_noted)
    near.keep("k", "old", fresh_until=100.0, now=0.0, changes=read_noted)
    assert near.get("k", 0.1) == "new"
    write_noted = near.changes
    near.drop("k")  # a purge landed while the next write was on its way
    near.replace("k", "newer", fresh_until=100.0, now=0.0, changes=write_noted)
    assert near.get("k", 0.1) is None


def test_a_drop_holds_back_reads_of_its_own_key_only() -> None:
    near = NearTier(seconds=1.0)
    noted = near.changes
    near.drop("other")  # a purge or write of another key while this read awaited the store
    near.keep("k", "v", fresh_until=100.0, now=0.0, changes=noted)
    assert near.get("k", 0.1) == "v"


def test_keys_whose_drops_are_forgotten_count_as_dropped_at_the_newest_forgotten_one() -> None:
    near = NearTier(seconds=1.0, max_drops=2)
    noted = near.changes
    for key in ("a", "b", "c"):  # "a"'s drop is no longer remembered by key
        near.drop(key)
    near.keep("x", "v", fresh_until=100.0, now=0.0, changes=noted)
    assert near.get("x", 0.1) is None, "it cannot tell, so it keeps nothing"
    near.keep("x", "v", fresh_until=100.0, now=0.0, changes=near.changes)
    assert near.get("x", 0.1) == "v"
