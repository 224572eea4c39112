"""Prerendered order pages, kept per shopper: one shopper can never be served another's page.

A page is keyed by (user, sku); other specs and quantities are derived from it without a lookup
(the page holds every spec's stock and the shopper's coupons), and kept once made.
Pages expire, are bounded in number (least recently stored dropped first) and are dropped when
their item changes. Every page is counted once as made and once as used or unused, so waste per
hit can be reported.
"""

from __future__ import annotations

import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from gateway.domain.order_page import OrderPage
from gateway.http.compression import CompressedPage
from gateway.ops import metrics

PageId = tuple[str, str]  # (user_id, sku)
Variant = tuple[str, int]  # (spec, qty)


MAX_VARIANTS = 16  # other specs and quantities kept per page; more are served, not stored

# How every order page is answered, hit or miss, by the route and by the hit lane alike. The page is
# never framed (clickjacking a buy button), runs no script, and posts its form only to this edge.
PAGE_HEADERS = {
    "cache-control": "private, no-store",
    "vary": "Accept, Accept-Encoding",
    "content-security-policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
}
SERVED = {outcome: metrics.ORDER_PAGES.labels(outcome) for outcome in ("hit", "miss")}


@dataclass
class StoredPage:
    page: OrderPage
    variants: dict[Variant, CompressedPage]
    expires_at: float
    score: float
    used: bool = False


class PageStore:
    def __init__(
        self, ttl_seconds: float = 1800.0, max_pages: int = 50_000, clock: Callable[[], float] = time.time
    ) -> None:
        self._pages: OrderedDict[PageId, StoredPage] = OrderedDict()
        self._by_user: defaultdict[str, set[PageId]] = defaultdict(set)
        self._by_sku: defaultdict[str, set[PageId]] = defaultdict(set)
        self._generations: dict[str, int] = {}
        self._ttl = ttl_seconds
        self._max = max_pages
        self._clock = clock
        self.made = 0
        self.used = 0
        self.unused = 0

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, user_id: str, sku: str) -> StoredPage | None:
        page_id = (user_id, sku)
        stored = self._pages.get(page_id)
        if stored is not None and stored.expires_at <= self._clock():
            self._discard(page_id)
            return None
        return stored

    def has(self, user_id: str, sku: str) -> bool:
        return self.get(user_id, sku) is not None

    def put(self, user_id: str, stored: StoredPage) -> None:
        page_id = (user_id, stored.page.sku)
        if page_id in self._pages:
            self._discard(page_id)
        stored.expires_at = self._clock() + self._ttl
        self._pages[page_id] = stored
        self._by_user[user_id].add(page_id)
        self._by_sku[stored.page.sku].add(page_id)
        self.made += 1
        metrics.PRERENDERS.labels("made").inc()
        while len(self._pages) > self._max:
            self._discard(next(iter(self._pages)))

    def mark_used(self, stored: StoredPage) -> None:
        if not stored.used:
            stored.used = True
            self.used += 1
            metrics.PRERENDERS.labels("used").inc()

    def for_user(self, user_id: str) -> list[tuple[PageId, StoredPage]]:
        return [(page_id, self._pages[page_id]) for page_id in self._by_user.get(user_id, ())]

    def drop(self, page_id: PageId) -> None:
        self._discard(page_id)

    def generation(self, sku: str) -> int:
        """How often the item's pages were dropped; a prerender started before a drop is stale."""
        return self._generations.get(sku, 0)

    def drop_sku(self, sku: str) -> int:
        """The item changed: its pages show an old price or stock."""
        self._generations[sku] = self._generations.get(sku, 0) + 1
        stale = list(self._by_sku.get(sku, ()))
        for page_id in stale:
            self._discard(page_id)
        return len(stale)

    def _discard(self, page_id: PageId) -> None:
        stored = self._pages.pop(page_id, None)
        if stored is None:
            return
        for index, name in ((self._by_user, page_id[0]), (self._by_sku, page_id[1])):
            keys = index.get(name)
            if keys is not None:
                keys.discard(page_id)
                if not keys:
                    del index[name]
        if not stored.used:
            self.unused += 1
            metrics.PRERENDERS.labels("unused").inc()
