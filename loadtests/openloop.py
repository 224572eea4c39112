"""An open-loop load generator: requests leave on a fixed schedule, whatever the server does.

A closed loop (wrk, Locust) waits for each answer before the next request and so under-reports
latency when the server stalls (coordinated omission). Here every request's latency is measured
from the moment it was *scheduled*, and recorded in an HDR histogram.

    python -m loadtests.openloop URL --rate 2000 --seconds 10 [--post BODY] [--token T]

Prints one JSON object: sent, ok, errors, achieved rate and latency percentiles in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import time
import uuid
from collections import Counter

import aiohttp
import uvloop
from hdrh.histogram import HdrHistogram

from gateway.timing import server_timing_total


async def run(
    url: str, rate: float, seconds: float, body: str | None, token: str | None
) -> dict[str, object]:
    histogram = HdrHistogram(1, 60_000_000, 3)  # microseconds, up to a minute
    server_time = HdrHistogram(1, 60_000_000, 3)  # the server's own Server-Timing total
    outcomes: Counter[str] = Counter()
    prefix = uuid.uuid4().hex[:12]
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    connector = aiohttp.TCPConnector(limit=1024)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, headers=headers) as session:

        async def one(index: int, scheduled: float) -> None:
            try:
                if body is None:
                    async with session.get(url) as response:
                        await response.read()
                else:
                    key = {"idempotency-key": f"{prefix}-{index}"}
                    async with session.post(url, data=body, headers=key) as response:
                        await response.read()
                outcomes["ok" if response.status < 400 else f"http_{response.status}"] += 1
                total = server_timing_total(response.headers.get("server-timing", ""))
                if total is not None:
                    server_time.record_value(max(1, int(total * 1000)))
            except (aiohttp.ClientError, TimeoutError) as exc:
                outcomes[type(exc).__name__] += 1
            histogram.record_value(max(1, int((time.perf_counter() - scheduled) * 1e6)))

        total = int(rate * seconds)
        start = time.perf_counter()
        tasks = []
        for index in range(total):
            scheduled = start + index / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(index, scheduled)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return {
        "sent": total,
        "ok": outcomes["ok"],
        "errors": {k: v for k, v in outcomes.items() if k != "ok"},
        "rate": round(total / elapsed, 1),
        "latency_ms": {
            name: round(histogram.get_value_at_percentile(p) / 1000, 3)
            for name, p in (("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9))
        }
        | {"max": round(histogram.get_max_value() / 1000, 3)},
        "server_ms": None
        if server_time.get_total_count() == 0
        else {
            name: round(server_time.get_value_at_percentile(p) / 1000, 3)
            for name, p in (("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9))
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument(
        "--post", help="POST this JSON body (with a fresh Idempotency-Key each) instead of GET"
    )
    parser.add_argument("--token", help="session token for the Authorization header")
    args = parser.parse_args()
    # A collector pause here would be billed to the server; a run is bounded, so it can go without.
    gc.disable()
    print(json.dumps(uvloop.run(run(args.url, args.rate, args.seconds, args.post, args.token))))


if __name__ == "__main__":
    main()
