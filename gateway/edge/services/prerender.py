"""The prerender scheduler: turn a predictor's proposals into stored order pages, politely.

Bounded concurrency, deduplication against stored and in-flight pages, a cap on live pages per
shopper (the lowest-scored page goes first), and backing off: under load nothing new starts, and
for Save-Data clients only the single best page is made. Rendering never delays a request being
served: it runs as a background task that yields first, and compression runs on a thread (zlib
and brotli release the GIL while they work).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from gateway.domain.order_page import OrderPage, build_page
from gateway.domain.page_html import render_html
from gateway.domain.payments import PaymentMethod
from gateway.domain.predictor import Candidate, Predictor, ShopperState
from gateway.edge.services.pages import PageStore, StoredPage
from gateway.edge.services.reference import Reference, UnknownItem
from gateway.http.compression import CompressedPage, compress
from gateway.models import Item
from gateway.ops import metrics
from gateway.resilience import OriginUnavailable

logger = logging.getLogger("gateway.prerender")
_FILL_SECONDS = 1.0  # prerenders are off the request path: they may wait longer for the origin


def default_spec(item: Item) -> str:
    """The spec a page shows when the shopper has not picked one: the first one in stock."""
    return next((spec for spec in item.specs if item.spec_stock.get(spec, 0) > 0), item.specs[0])


class Prerenderer:
    def __init__(
        self,
        *,
        reference: Reference,
        pages: PageStore,
        predictor: Predictor,
        payment_methods: Sequence[PaymentMethod],
        remote_prefixes: tuple[str, ...],
        busy: Callable[[], bool],
        concurrency: int = 2,
        per_shopper: int = 3,
    ) -> None:
        self._reference = reference
        self._pages = pages
        self._predictor = predictor
        self._payment_methods = tuple(payment_methods)
        self._remote = remote_prefixes
        self._busy = busy
        self._slots = asyncio.Semaphore(concurrency)
        self._max_queued = concurrency * 16  # beyond that, new prerenders are skipped, not queued
        self._per_shopper = per_shopper
        self._inflight: set[tuple[str, str]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._compressor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prerender-compress")

    def consider(self, user_id: str, state: ShopperState, *, save_data: bool) -> int:
        """Schedule what the predictor proposes; returns how many prerenders were started."""
        limit = 1 if save_data else self._per_shopper
        if save_data:
            metrics.PRERENDERS.labels("skipped_save_data").inc(max(0, self._per_shopper - 1))
        started = 0
        for candidate in self._predictor.propose(state, now=state.last_t, limit=limit):
            sku = candidate.page.sku
            if self._pages.has(user_id, sku) or (user_id, sku) in self._inflight:
                continue  # any spec and quantity of a stored page can be served from it
            if self._busy() or len(self._tasks) >= self._max_queued:
                metrics.PRERENDERS.labels("skipped_load").inc()
                break
            self._start(user_id, candidate)
            started += 1
        return started

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._compressor.shutdown(wait=False, cancel_futures=True)

    def _start(self, user_id: str, candidate: Candidate) -> None:
        key = (user_id, candidate.page.sku)
        self._inflight.add(key)
        task = asyncio.get_running_loop().create_task(self._make(user_id, candidate))
        self._tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
            self._inflight.discard(key)

        task.add_done_callback(done)

    async def _make(self, user_id: str, candidate: Candidate) -> None:
        generation = self._pages.generation(candidate.page.sku)
        async with self._slots:
            await asyncio.sleep(0)  # requests that arrived meanwhile go first
            try:
                reference = await self._reference.for_order(
                    candidate.page.sku, user_id, lambda: _FILL_SECONDS
                )
            except (UnknownItem, OriginUnavailable) as exc:
                metrics.PRERENDERS.labels("failed").inc()
                logger.debug("prerender of %s for %s skipped: %r", candidate.page.sku, user_id, exc)
                return
            if reference.item is None:
                metrics.PRERENDERS.labels("failed").inc()
                return
            item = reference.item.item
            spec = candidate.page.spec if candidate.page.spec in item.specs else default_spec(item)
            if self._pages.has(user_id, item.sku):
                return
            book = reference.book.addresses if reference.book else []
            page = build_page(
                item,
                spec,
                candidate.page.qty,
                coupons=reference.coupons or {},
                address=book[0] if book else None,
                payment_methods=self._payment_methods,
                remote_prefixes=self._remote,
                idempotency_key=secrets.token_urlsafe(16),
            )
            compressed = await asyncio.get_running_loop().run_in_executor(
                self._compressor, compress, render_html(page)
            )
            if self._pages.generation(item.sku) != generation:
                return  # the item changed while this page was made: it shows the old one
            self._store(user_id, page, compressed, candidate.score)

    def _store(self, user_id: str, page: OrderPage, compressed: CompressedPage, score: float) -> None:
        stored = StoredPage(page, {(page.spec, page.qty): compressed}, expires_at=0.0, score=score)
        self._pages.put(user_id, stored)
        live = sorted(self._pages.for_user(user_id), key=lambda entry: entry[1].score)
        for page_id, _ in live[: max(0, len(live) - self._per_shopper)]:
            self._pages.drop(page_id)
