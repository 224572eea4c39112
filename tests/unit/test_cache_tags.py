"""The in-process tag index lists a key until its entry expires, and no longer."""

from __future__ import annotations

from gateway.cache.tags import MemoryTagIndex


async def test_a_tag_pops_only_the_keys_whose_entries_may_still_be_cached() -> None:
    index = MemoryTagIndex()
    await index.add("book:u-1", ["books"], expires_at=10.0, now=0.0)
    await index.add("book:u-2", ["books", "vip"], expires_at=100.0, now=0.0)
    assert await index.pop("books", now=50.0) == ["book:u-2"]
    assert await index.pop("books", now=50.0) == []
    assert await index.pop("vip", now=50.0) == ["book:u-2"]


async def test_the_index_holds_live_keys_not_every_key_it_ever_saw() -> None:
    index = MemoryTagIndex()
    for hour in range(5):  # a new crowd of shoppers every hour, each book cached for an hour
        now = hour * 3600.0
        for shopper in range(2000):
            await index.add(f"book:u-{hour}-{shopper}", ["books"], expires_at=now + 3600, now=now)
    assert index.size == 2000, "the earlier hours' books have expired and are forgotten"
    assert len(await index.pop("books", now=4 * 3600.0)) == 2000
