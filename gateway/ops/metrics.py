"""Prometheus metrics (prometheus-client), defined once per process and served at ``/metrics``."""

from __future__ import annotations

from typing import Protocol

from prometheus_client import Counter, Gauge, Histogram

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
# Buckets resolve the budgets (0.3 s ack, 0.5 s order page, 1.2 s payment redirect, 3 s any).
REQUEST_SECONDS = Histogram(
    "gateway_request_seconds",
    "Time to the start of the response, per route.",
    ["route"],
    buckets=(
        0.001,
        0.0025,
        0.005,
        0.01,
        0.025,
        0.05,
        0.1,
        0.2,
        0.3,
        0.4,
        0.5,
        0.75,
        1.0,
        1.2,
        1.5,
        2.0,
        3.0,
        5.0,
    ),
)
BUDGET_EXCEEDED = Counter(
    "gateway_budget_exceeded_total", "Requests answered after their route's budget.", ["route"]
)
OUTBOX_DEPTH = Gauge(
    "gateway_outbox_depth", "Orders stored at the edge, not yet confirmed by the central store."
)
OUTBOX_COMMIT_SECONDS = Histogram(
    "gateway_outbox_commit_seconds",
    "Time each successful group commit of the outbox took, orders' and the forwarder's marks alike: "
    "the COMMIT with its fsync (synchronous=FULL) and any automatic WAL checkpoint, as the commit "
    "thread saw it (its wait for the GIL included). A slow disk shows here first; failed commits "
    "are not counted.",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
OUTBOX_OLDEST_SECONDS = Gauge("gateway_outbox_oldest_pending_seconds", "Age of the oldest unconfirmed order.")
FORWARDED = Counter("gateway_orders_forwarded_total", "Orders the central store confirmed.")
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
