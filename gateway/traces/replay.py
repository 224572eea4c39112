"""``edge-gateway replay TRACE``: drive a browsing trace through a real edge node and report how
often the order page was prerendered when the shopper opened it, and what that cost.

Browsing events go to ``POST /v1/signals`` one at a time, as a storefront's beacons would;
``open_order`` requests ``GET /v1/order-page``; ``submit`` is not sent (it is what follows a
page, not a signal). Each session keeps its events' order with gaps divided by ``speed``;
different shoppers run concurrently, and one shopper's sessions run one after another with the
pause between them shortened to at most ``max_pause`` seconds (the events keep their original
timestamps, so the edge still sees the hours between sessions). Prerenders made and used are read
from the edge's ``/metrics`` before and after.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from hdrh.histogram import HdrHistogram
from tqdm import tqdm

from gateway.timing import server_timing_total

SIGNAL_FIELDS = ("t", "type", "sku", "spec", "qty", "ms")
SIGNAL_TYPES = frozenset({"view", "spec", "cart", "dwell", "leave"})


@dataclass
class Tally:
    opens: int = 0
    hits: int = 0
    exact_hits: int = 0
    errors: int = 0
    client: dict[str, HdrHistogram] = field(
        default_factory=lambda: {k: _histogram() for k in ("hit", "miss")}
    )
    server: dict[str, HdrHistogram] = field(
        default_factory=lambda: {k: _histogram() for k in ("hit", "miss")}
    )


def _histogram() -> HdrHistogram:
    return HdrHistogram(1, 60_000_000, 3)  # microseconds


def load_trace(path: Path) -> list[dict[str, Any]]:
    """Events in file order; lines that are not JSON objects with a ``type`` are skipped."""
    events = []
    with path.open("rb") as lines:
        for line in lines:
            try:
                event = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(event, dict) and "type" in event and "session" in event and "user" in event:
                events.append(event)
    return events


def by_shopper(events: Iterable[Mapping[str, Any]]) -> dict[str, list[list[Mapping[str, Any]]]]:
    """Each user's sessions in order, each session's events in order."""
    sessions: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    owner: dict[str, str] = {}
    for event in sorted(events, key=lambda e: float(e.get("t", 0))):
        sessions[str(event["session"])].append(event)
        owner[str(event["session"])] = str(event["user"])
    shoppers: dict[str, list[list[Mapping[str, Any]]]] = defaultdict(list)
    for session in sorted(sessions, key=lambda s: float(sessions[s][0].get("t", 0))):
        shoppers[owner[session]].append(sessions[session])
    return shoppers


def catalog_needs(events: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
    needs: dict[str, set[str]] = defaultdict(set)
    for event in events:
        sku = event.get("sku")
        if isinstance(sku, str):
            needs[sku]
            if isinstance(event.get("spec"), str):
                needs[sku].add(event["spec"])
    return needs


class ReplayFailed(Exception):
    """The edge cannot be measured as asked."""


class Replay:
    def __init__(
        self, edge: str, speed: float, max_pause: float = 2.0, admin_token: str | None = None
    ) -> None:
        self.edge = edge.rstrip("/")
        self.admin_token = admin_token
        self.speed = speed
        self.max_pause = max_pause
        self.tally = Tally()

    async def ensure_catalog(self, central: str, ops_token: str, needs: Mapping[str, set[str]]) -> int:
        """Create or extend every item the trace names; returns how many items were written."""
        written = 0
        headers = {"authorization": f"Bearer {ops_token}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            for sku, specs in sorted(needs.items()):
                async with http.get(f"{central}/v1/items/{sku}") as response:
                    item = await response.json() if response.status == 200 else None
                have = set(item["specs"]) if item else set()
                if item is not None and specs <= have:
                    continue
                body = {
                    "title": item["title"] if item else f"回放商品 {sku}",
                    "category": item["category"] if item else "replay",
                    "price_cents": item["price_cents"] if item else 9_990,
                    "specs": sorted(have | specs) or ["default"],
                    "spec_stock": item["spec_stock"] if item else {},
                }
                async with http.put(f"{central}/v1/items/{sku}", json=body) as response:
                    response.raise_for_status()
                written += 1
        return written

    async def prerender_counts(self, http: aiohttp.ClientSession) -> dict[str, float]:
        headers = {"authorization": f"Bearer {self.admin_token}"} if self.admin_token else {}
        async with http.get(f"{self.edge}/metrics", headers=headers) as response:
            if response.status != 200:
                raise ReplayFailed(
                    f"{self.edge}/metrics answered {response.status}: give the edge's admin token"
                )
            text = await response.text()
        counts: dict[str, float] = defaultdict(float)
        for line in text.splitlines():
            if line.startswith("gateway_prerenders_total{"):
                outcome = line.split('outcome="', 1)[1].split('"', 1)[0]
                counts[outcome] = float(line.rsplit(" ", 1)[1])
        return counts

    async def run(self, events: list[dict[str, Any]], progress: bool = True) -> dict[str, Any]:
        shoppers = by_shopper(events)
        total = sum(1 for e in events if e["type"] in SIGNAL_TYPES or e["type"] == "open_order")
        bar = tqdm(total=total, disable=not progress, file=sys.stderr, unit="ev", desc="replay")
        connector = aiohttp.TCPConnector(limit=256)
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=30)
        ) as http:
            before = await self.prerender_counts(http)
            tokens = await asyncio.gather(*(self._token(http, user) for user in shoppers))
            await asyncio.gather(
                *(
                    self._shopper(http, token, sessions, bar)
                    for token, sessions in zip(tokens, shoppers.values(), strict=True)
                )
            )
            await asyncio.sleep(0.2)  # let the last prerenders land before counting
            after = await self.prerender_counts(http)
        bar.close()
        made = after["made"] - before["made"]
        used = after["used"] - before["used"]
        tally = self.tally
        return {
            "opens": tally.opens,
            "hits": tally.hits,
            "hit_rate": round(tally.hits / tally.opens, 4) if tally.opens else 0.0,
            "exact_hits": tally.exact_hits,
            "prerenders": int(made),
            "unused_prerenders": int(made - used),
            "waste_per_hit": round((made - used) / tally.hits, 3) if tally.hits else None,
            "latency_ms": {kind: _percentiles(h) for kind, h in tally.client.items()},
            "server_ms": {kind: _percentiles(h) for kind, h in tally.server.items()},
            "errors": tally.errors,
            "speed": self.speed,
        }

    async def _token(self, http: aiohttp.ClientSession, user: str) -> str:
        async with http.post(f"{self.edge}/v1/sessions", json={"user_id": user}) as response:
            response.raise_for_status()
            grant = await response.json()
        return str(grant["token"])

    async def _shopper(
        self, http: aiohttp.ClientSession, token: str, sessions: list[list[Mapping[str, Any]]], bar: tqdm[Any]
    ) -> None:
        headers = {"authorization": f"Bearer {token}", "accept-encoding": "br, gzip"}
        for index, session in enumerate(sessions):
            if index:
                gap = float(session[0]["t"]) - float(sessions[index - 1][-1]["t"])
                await asyncio.sleep(min(self.max_pause, max(0.0, gap / self.speed)))
            started, first_t = time.monotonic(), float(session[0]["t"])
            for event in session:
                due = started + (float(event["t"]) - first_t) / self.speed
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                await self._send(http, headers, event)
                if event["type"] in SIGNAL_TYPES or event["type"] == "open_order":
                    bar.update()

    async def _send(
        self, http: aiohttp.ClientSession, headers: dict[str, str], event: Mapping[str, Any]
    ) -> None:
        kind = event["type"]
        try:
            if kind in SIGNAL_TYPES:
                signal = {name: event[name] for name in SIGNAL_FIELDS if name in event}
                async with http.post(
                    f"{self.edge}/v1/signals", json={"events": [signal]}, headers=headers
                ) as r:
                    await r.read()
                    if r.status != 202:
                        self.tally.errors += 1
            elif kind == "open_order":
                await self._open(http, headers, event)
        except (aiohttp.ClientError, TimeoutError):
            self.tally.errors += 1

    async def _open(
        self, http: aiohttp.ClientSession, headers: dict[str, str], event: Mapping[str, Any]
    ) -> None:
        params = {"sku": event["sku"], "qty": str(event.get("qty", 1))}
        if event.get("spec"):
            params["spec"] = event["spec"]
        started = time.perf_counter()
        async with http.get(f"{self.edge}/v1/order-page", params=params, headers=headers) as response:
            await response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200:
                self.tally.errors += 1
                return
            kind = "hit" if response.headers.get("x-prerender") == "hit" else "miss"
            server = server_timing_total(response.headers.get("server-timing", ""))
        self.tally.opens += 1
        self.tally.hits += kind == "hit"
        self.tally.exact_hits += response.headers.get("x-prerender-variant") == "exact"
        self.tally.client[kind].record_value(max(1, int(elapsed * 1e6)))
        if server is not None:
            self.tally.server[kind].record_value(max(1, int(server * 1000)))


def _percentiles(histogram: HdrHistogram) -> dict[str, float] | None:
    if histogram.get_total_count() == 0:
        return None
    return {f"p{p}": round(histogram.get_value_at_percentile(p) / 1000, 3) for p in (50, 95, 99)}
