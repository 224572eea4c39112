"""The near tier alone: kept for its moment, never past freshness, bounded."""

from __future__ import annotations

from gateway.cache.near import NearTier


def test_an_entry_is_kept_for_the_tiers_seconds_or_until_it_stops_being_fresh() -> None:
    near = NearTier(seconds=1.0)
    near.keep("long", "a", fresh_until=100.0, now=10.0)
    near.keep("short", "b", fresh_until=10.2, now=10.0)
    assert (near.get("long", 10.9), near.get("short", 10.1)) == ("a", "b")
    assert (near.get("long", 11.0), near.get("short", 10.2)) == (None, None)
    assert len(near) == 0, "an entry past its moment is dropped when met"


def test_an_entry_already_stale_or_a_tier_turned_off_keeps_nothing() -> None:
    assert NearTier(seconds=1.0).get("k", 0.0) is None
    stale, off = NearTier(seconds=1.0), NearTier(seconds=0.0)
    stale.keep("k", "v", fresh_until=5.0, now=5.0)
    off.keep("k", "v", fresh_until=100.0, now=5.0)
    assert (len(stale), len(off)) == (0, 0)


def test_the_oldest_entry_makes_room_when_the_tier_is_full() -> None:
    near = NearTier(seconds=1.0, max_entries=2)
    for key in ("a", "b", "c"):
        near.keep(key, key.upper(), fresh_until=100.0, now=0.0)
    near.keep("b", "B2", fresh_until=100.0, now=0.0)  # replacing an entry evicts nothing
    assert [near.get(key, 0.5) for key in ("a", "b", "c")] == [None, "B2", "C"]
