"""Latency budgets per route: each request gets a deadline, its latency is measured against it.

The budgets are the product's promise (order page 0.5 s, acknowledgement 0.3 s, payment redirect
1.2 s, anything else 3 s). :class:`BudgetMiddleware` (plain ASGI) names the route, puts the
request's :class:`Deadline` in the scope for the handlers (which give upstream calls what remains),
and records the latency in the Prometheus histogram and in a rolling HDR histogram per route, which
``/stats`` and ``/dashboard`` read. A request over its budget is counted, never cut short: the
handlers degrade (stale values, pages without optional parts, acks as queued) before they fail.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from hdrh.histogram import HdrHistogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.domain.budgets import Deadline
from gateway.ops import metrics

DEADLINE_SCOPE_KEY = "gateway.deadline"


_PREFIXES = (
    ("/v1/orders/", "order_status"),
    ("/v1/order-page", "order_page"),
    ("/v1/catalog/items/", "catalog_item"),
    ("/v1/address/", "address"),
)
_OPS = frozenset({"/healthz", "/readyz", "/metrics", "/stats", "/dashboard"})


def route_of(method: str, path: str) -> str:
    """A low-cardinality route name for metrics (ids and skus never become label values)."""
    if path == "/v1/orders":
        return "order_ack" if method == "POST" else "orders"
    route = next((name for prefix, name in _PREFIXES if path.startswith(prefix)), None)
    if route is None and path.startswith("/v1/"):
        route = path[4:].split("/", 1)[0]
    return route or ("ops" if path in _OPS else "other")


class RollingPercentiles:
    """Percentiles over roughly the last ``window`` seconds: two HDR histograms take turns."""

    def __init__(self, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._window = window
        self._clock = clock
        self._current = _histogram()
        self._previous = _histogram()
        self._turned_at = clock()

    def record(self, seconds: float) -> None:
        self._turn()
        self._current.record_value(max(1, int(seconds * 1e6)))

    def snapshot(self) -> dict[str, float | int]:
        self._turn()
        merged = _histogram()
        merged.add(self._previous)
        merged.add(self._current)
        count = merged.get_total_count()
        if not count:
            return {"count": 0}
        return {"count": count} | {
            name: round(merged.get_value_at_percentile(p) / 1000, 3)
            for name, p in (("p50_ms", 50), ("p95_ms", 95), ("p99_ms", 99))
        }

    def _turn(self) -> None:
        if self._clock() - self._turned_at >= self._window / 2:
            self._previous, self._current = self._current, _histogram()
            self._turned_at = self._clock()


def _histogram() -> HdrHistogram:
    return HdrHistogram(1, 60_000_000, 2)  # microseconds up to a minute, 2 significant digits


class RouteStats:
    """The budgets and the recent latency of each route, shared by the middleware and ``/stats``."""

    def __init__(self, budgets: Mapping[str, float], default_seconds: float = 3.0) -> None:
        self.budgets = dict(budgets)
        self.default = default_seconds
        self.percentiles: dict[str, RollingPercentiles] = {}
        self._meters: dict[str, tuple[Any, Any, RollingPercentiles]] = {}

    def budget_for(self, route: str) -> float:
        return self.budgets.get(route, self.default)

    def record(self, route: str, seconds: float) -> None:
        meters = self._meters.get(route)
        if meters is None:
            # Resolved once per route: prometheus-client's labels() takes a lock and hashes the
            # label values on every call, which a hot route need not pay per request.
            meters = self._meters[route] = (
                metrics.REQUEST_SECONDS.labels(route),
                metrics.BUDGET_EXCEEDED.labels(route),
                self.percentiles.setdefault(route, RollingPercentiles()),
            )
        histogram, exceeded, rolling = meters
        histogram.observe(seconds)
        if seconds > self.budget_for(route):
            exceeded.inc()
        rolling.record(seconds)


class BudgetMiddleware:
    def __init__(self, app: ASGIApp, stats: RouteStats) -> None:
        self.app = app
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = route_of(scope["method"], scope["path"])
        if route == "order_ack" and _is_form(scope):
            route = "payment_redirect"  # the page's plain form: answered with the redirect to pay
        started = time.perf_counter()
        scope[DEADLINE_SCOPE_KEY] = Deadline.after(self.stats.budget_for(route))
        answered_at = 0.0

        async def timed_send(message: Message) -> None:
            nonlocal answered_at
            if message["type"] == "http.response.start":
                answered_at = time.perf_counter()
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            self.stats.record(route, (answered_at or time.perf_counter()) - started)


def _is_form(scope: Scope) -> bool:
    return any(
        name == b"content-type" and value.startswith(b"application/x-www-form-urlencoded")
        for name, value in scope["headers"]
    )


def request_deadline(scope: Scope, fallback_seconds: float) -> Deadline:
    deadline = scope.get(DEADLINE_SCOPE_KEY)
    return deadline if isinstance(deadline, Deadline) else Deadline.after(fallback_seconds)
