"""Prometheus metrics (prometheus-client), defined once per process and served at ``/metrics``."""

from __future__ import annotations

from typing import Protocol

from prometheus_client import Counter, Gauge

CACHE_EVENT_NAMES = (
    "hit",
    "negative_hit",
    "miss",
    "stale",
    "stale_if_error",
    "coalesced",
    "deadline",
    "origin_error",
    "eviction",
    "purge",
    "store_error",
)
CACHE_EVENTS = Counter(
    "gateway_cache_events_total",
    "Edge cache lookups and maintenance by outcome: hit, negative_hit, miss, stale (served while "
    "revalidating), stale_if_error, coalesced (waited on another request's fetch), deadline "
    "(a waiter gave up), origin_error, eviction, purge, store_error (the store itself failed).",
    ["cache", "event"],
)
SIGNALS = Counter("gateway_signals_total", "Browsing events received, by outcome.", ["outcome"])
PRERENDERS = Counter(
    "gateway_prerenders_total",
    "Order-page prerenders by outcome: made, used (served as a hit, counted once), unused "
    "(expired, replaced or dropped without being served), skipped_load, skipped_save_data, failed.",
    ["outcome"],
)
ORDER_PAGES = Counter("gateway_order_pages_total", "Order pages served, by prerender result.", ["prerender"])
CACHE_ENTRIES = Gauge("gateway_cache_entries", "Entries held by a bounded edge cache.", ["cache"])
CACHE_BYTES = Gauge("gateway_cache_bytes", "Approximate bytes held by a bounded edge cache.", ["cache"])


class _Sized(Protocol):
    name: str

    @property
    def entries(self) -> int: ...

    @property
    def bytes(self) -> int: ...


def watch_cache(cache: _Sized) -> None:
    """Report a cache's size on every scrape."""
    CACHE_ENTRIES.labels(cache.name).set_function(lambda: cache.entries)
    CACHE_BYTES.labels(cache.name).set_function(lambda: cache.bytes)
