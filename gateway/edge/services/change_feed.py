"""Follow the central store's change feed and bring the edge's caches up to date.

A changed item is refetched and replaced (so the cache stays warm and its stale copy is gone at
once); a changed address book is purged. Long polling keeps a change's way to the edge at one
round trip, well inside the two seconds a price change may take to show everywhere.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from gateway.clients.central import CentralClient, CentralUnavailable
from gateway.edge.services.reference import Reference, book_key, item_key
from gateway.models import Change
from gateway.resilience import Backoff

logger = logging.getLogger("gateway.changes")
_WAIT_SECONDS = 10


class ChangeFollower:
    def __init__(
        self,
        central: CentralClient,
        reference: Reference,
        backoff: Backoff | None = None,
        on_item: Callable[[str], object] | None = None,
    ) -> None:
        self._central = central
        self._reference = reference
        self._on_item = on_item
        self._backoff = backoff or Backoff(base=0.2, cap=5.0)
        self.cursor: int | None = None
        self.applied = 0

    async def run(self) -> None:
        while True:
            try:
                await self.step()
                self._backoff.reset()
            except CentralUnavailable as exc:
                delay = self._backoff.next_delay()
                logger.warning("change feed unavailable (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)
            except Exception:  # invalidation must outlive any one bad answer or cache failure
                delay = self._backoff.next_delay()
                logger.exception("change feed step failed; retrying in %.1fs", delay)
                await asyncio.sleep(delay)

    async def step(self) -> None:
        wait = 0 if self.cursor is None else _WAIT_SECONDS
        feed = await self._central.changes(self.cursor, wait, time_limit=wait + 5)
        for change in feed.changes:
            await self._apply(change)
        self.cursor = feed.next

    async def _apply(self, change: Change) -> None:
        if change.kind == "item":
            await self._refresh_item(change)
            if self._on_item is not None:
                self._on_item(change.key)  # e.g. prerendered pages showing the old price
        elif change.kind == "book":
            await self._reference.cache.purge(book_key(change.key))
        self.applied += 1

    async def _refresh_item(self, change: Change) -> None:
        try:
            item = await self._central.get_item(change.key, time_limit=2.0)
        except CentralUnavailable:
            item = None
        if item is None or item.version < change.version:
            await self._reference.cache.purge(item_key(change.key))  # the next reader refetches
        else:
            await self._reference.put_item(item)
