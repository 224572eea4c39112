"""A near tier: fresh envelopes kept in this process for a moment, ahead of the aiocache store.

Every aiocache call pays for its decorators (enabled, timeout, plugins) and, with Redis, a round
trip; an order needs three entries and a busy edge asks for the same ones thousands of times a
second. Here an entry read fresh from the store is kept in a plain dict for at most
``seconds`` (and never past its ``fresh_until``), so a hot key costs one dict lookup. Purges and
writes through this process drop or replace the near copy at once; a purge made by another
process on a shared Redis tier reaches this one within ``seconds`` at the latest.
"""

from __future__ import annotations

from typing import Any


class NearTier:
    def __init__(self, seconds: float, max_entries: int = 10_000) -> None:
        self.seconds = seconds
        self._max_entries = max_entries
        self._entries: dict[str, tuple[float, Any]] = {}

    def __len__(self) -> int:
        return len(self._entries)

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

    def keep(self, key: str, envelope: Any, fresh_until: float, now: float) -> None:
        if self.seconds <= 0 or fresh_until <= now:
            return
        if key not in self._entries and len(self._entries) >= self._max_entries:
            self._entries.pop(next(iter(self._entries)))  # the oldest kept: dicts keep insertion order
        self._entries[key] = (min(now + self.seconds, fresh_until), envelope)

    def drop(self, key: str) -> None:
        self._entries.pop(key, None)
