"""Latency budgets per route, and each route's recent latency measured against its budget.

The budgets are the product's promise (order page 0.5 s, acknowledgement 0.3 s, payment redirect
1.2 s, anything else 3 s). The request policy (:mod:`gateway.http.policy`) gives each request a
deadline from its route's budget and records its latency here: in the Prometheus histogram, and in a
rolling HDR histogram per route, which ``/stats`` and ``/dashboard`` read. A request over its budget
is counted, never cut short: the handlers degrade (stale values, pages without optional parts, acks
as queued) before they fail.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hdrh.histogram import HdrHistogram

from gateway.ops import metrics


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


@dataclass(slots=True)
class _RouteMeters:
    histogram: Any  # prometheus-client's labelled children (untyped)
    exceeded: Any
    rolling: RollingPercentiles
    budget: float
    over_budget: int = 0


class RouteStats:
    """The budgets and the recent latency of each route, shared by the request policy and ``/stats``.

    Routes are the request policy's fixed names, so this holds as many entries as that table, and a
    snapshot costs as much: it reads its own counts, never a scrape of the whole registry.
    """

    def __init__(self, budgets: Mapping[str, float], default_seconds: float = 3.0) -> None:
        self.budgets = dict(budgets)
        self.default = default_seconds
        self._meters: dict[str, _RouteMeters] = {}

    def budget_for(self, route: str) -> float:
        return self.budgets.get(route, self.default)

    def record(self, route: str, seconds: float) -> None:
        meters = self._meters.get(route)
        if meters is None:
            # Resolved once per route: prometheus-client's labels() takes a lock and hashes the
            # label values on every call, which a hot route need not pay per request.
            meters = self._meters[route] = _RouteMeters(
                metrics.REQUEST_SECONDS.labels(route),
                metrics.BUDGET_EXCEEDED.labels(route),
                RollingPercentiles(),
                self.budget_for(route),
            )
        meters.histogram.observe(seconds)
        if seconds > meters.budget:
            meters.exceeded.inc()
            meters.over_budget += 1
        meters.rolling.record(seconds)

    def snapshot(self) -> dict[str, dict[str, float | int]]:
        """Each route seen: its budget, how many answers went over it, and the recent percentiles."""
        return {
            route: {
                "budget_ms": round(meters.budget * 1000),
                "over_budget": meters.over_budget,
                **meters.rolling.snapshot(),
            }
            for route, meters in sorted(self._meters.items())
        }
