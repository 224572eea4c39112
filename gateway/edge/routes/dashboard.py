"""``GET /stats`` (JSON) and ``GET /dashboard``: per-route latency against the budgets, the outbox,
cache and prerender hit rates. The dashboard is one self-contained page (no external assets) that
polls ``/stats`` and draws the p99 of each route over the last minutes. ``/stats`` needs the admin
token; the page, which holds no numbers of its own, takes it from its address's fragment
(``/dashboard#token=...``), which browsers never send to a server or write to its logs."""

from __future__ import annotations

import time
from importlib import resources

from prometheus_client import REGISTRY
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from gateway.edge.context import EdgeContext
from gateway.edge.requests import edge_context, require_admin
from gateway.responses import json_response

_CACHE_EVENTS = ("hit", "negative_hit", "miss", "stale", "stale_if_error", "coalesced", "eviction")


class _Samples:
    """One read of the registry per snapshot: ``REGISTRY.get_sample_value`` collects every metric on
    each call, so asking it once per value made a snapshot cost the square of the label count."""

    def __init__(self, *names: str) -> None:
        self._values = {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for metric in REGISTRY.collect()
            for sample in metric.samples
            if sample.name in names
        }

    def get(self, name: str, **labels: str) -> float:
        return self._values.get((name, tuple(sorted(labels.items()))), 0.0)


def _caches(context: EdgeContext, samples: _Samples) -> dict[str, dict[str, float]]:
    report = {}
    for cache in context.caches:
        events = {
            e: samples.get("gateway_cache_events_total", cache=cache.name, event=e) for e in _CACHE_EVENTS
        }
        served = events["hit"] + events["negative_hit"] + events["stale"] + events["stale_if_error"]
        lookups = served + events["miss"] + events["coalesced"]
        report[cache.name] = {
            **events,
            "entries": cache.entries,
            "hit_rate": round(served / lookups, 4) if lookups else 0.0,
        }
    return report


def snapshot(context: EdgeContext) -> dict[str, object]:
    samples = _Samples("gateway_cache_events_total", "gateway_order_pages_total")
    hits = samples.get("gateway_order_pages_total", prerender="hit")
    pages = hits + samples.get("gateway_order_pages_total", prerender="miss")
    return {
        "node": context.settings.node_id,
        "region": context.settings.region,
        "uptime_seconds": round(time.time() - context.started_at, 1),
        "routes": context.route_stats.snapshot(),
        "outbox": {
            "depth": context.outbox.depth,
            "oldest_pending_seconds": round(context.outbox.oldest_pending_age(), 3),
            "forwarded": context.forwarder.stats.forwarded,
            "circuit": context.central.breaker.state,
        },
        "caches": _caches(context, samples),
        "prerender": {
            "made": context.pages.made,
            "used": context.pages.used,
            "order_pages": pages,
            "hit_rate": round(hits / pages, 4) if pages else 0.0,
        },
    }


async def stats(request: Request) -> Response:
    context = edge_context(request)
    require_admin(request, context)
    return json_response(snapshot(context))


_PAGE = resources.files("gateway.ops").joinpath("dashboard.html").read_text(encoding="utf-8")
_PAGE_HEADERS = {
    "cache-control": "no-cache",
    "content-security-policy": (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
}


async def page(_: Request) -> Response:
    return HTMLResponse(_PAGE, headers=_PAGE_HEADERS)
