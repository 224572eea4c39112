"""A near tier: fresh envelopes kept in this process for a moment, ahead of the aiocache store.

Every aiocache call pays for its decorators (enabled, timeout, plugins) and, with Redis, a round
trip; an order needs three entries and a busy edge asks for the same ones thousands of times a
second. Here an entry read fresh from the store is kept in an ordered dict for at most
``seconds`` (and never past its ``fresh_until``), so a hot key costs one dict lookup. Purges and
writes through this process drop or replace the near copy at once; a purge made by another
process on a shared Redis tier reaches this one within ``seconds`` at the latest.

A read from the store can be overtaken by a purge or a write of its key while it awaits the store
(Redis yields; so does a write's own ``set``). Each drop is numbered, and the number of a key's
last drop remembered (for the most recent ``max_drops`` keys; older ones count as dropped at the
newest number forgotten). A read notes :attr:`changes` before it awaits, and what it brings back
is kept only if its key was not dropped since, so an overtaken read cannot put back what was
purged, and reads of other keys are not held back.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any


class NearTier:
    def __init__(self, seconds: float, max_entries: int = 10_000, max_drops: int = 10_000) -> None:
        self.seconds = seconds
        self._max_entries = max_entries
        self._max_drops = max_drops
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._drops = 0
        self._last_drop: OrderedDict[str, int] = OrderedDict()  # key -> number of its last drop, oldest first
        self._forgotten = 0  # the newest drop number no longer remembered per key

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def changes(self) -> int:
        """How many drops so far: note it before awaiting the store, pass it to :meth:`keep`."""
        return self._drops

    def get(self, key: str, now: float) -> Any:
        """The envelope kept for ``key``, or None if there is none or its moment has passed."""
        kept = self._entries.get(key)
        if kept is None:
            return None
        until, envelope = kept
        if now >= until:
            del self._entries[key]
            return None
        return envelope

    def keep(self, key: str, envelope: Any, fresh_until: float, now: float, *, changes: int) -> None:
        """Keep what a read found, unless ``key`` was dropped after ``changes`` was noted."""
        if self.seconds <= 0 or fresh_until <= now or self._dropped_since(key, changes):
            return
        self._entries.pop(key, None)  # kept again: it moves to the end, the newest
        if len(self._entries) >= self._max_entries:
            self._entries.popitem(last=False)  # the one kept longest ago
        self._entries[key] = (min(now + self.seconds, fresh_until), envelope)

    def drop(self, key: str) -> None:
        self._drops += 1
        self._entries.pop(key, None)
        self._last_drop.pop(key, None)
        self._last_drop[key] = self._drops
        if len(self._last_drop) > self._max_drops:
            _, self._forgotten = self._last_drop.popitem(last=False)

    def replace(self, key: str, envelope: Any, fresh_until: float, now: float, *, changes: int) -> None:
        """After a write has reached the store: keep its value, unless ``key`` was dropped after
        ``changes`` was noted (a purge that overtook the write). Either way, reads of the key still
        on their way bring older values, so they may keep nothing."""
        overtaken = self._dropped_since(key, changes)
        self.drop(key)
        if not overtaken:
            self.keep(key, envelope, fresh_until, now, changes=self._drops)

    def _dropped_since(self, key: str, changes: int) -> bool:
        return self._last_drop.get(key, self._forgotten) > changes
