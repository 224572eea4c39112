#!/usr/bin/env python
"""Loopback benchmark: httpx vs aiohttp as the edge->central async HTTP client.

Server: Starlette on uvicorn (uvloop + httptools, access log off, 1 worker),
        GET /v1/items/{sku} -> ~600 B orjson body, pinned to CPU 0.
Client: one process per measurement, pinned to CPU 1, under uvloop, with a single
        long-lived AsyncClient / ClientSession (keep-alive pool); every response
        body is decoded with orjson.

Usage (orchestrator; starts the server itself):
    python bench_clients.py [--rounds 3] [--seq-n 5000] [--conc-n 20000] [--conc 64]
        [--clients httpx,aiohttp[,httpx_sniffio,httpx_tuned]] [--timeouts none,native[,asyncio]]
        [--scenarios seq,conc]
  timeout modes: none = client defaults; native = httpx.Timeout(0.5) / aiohttp
  ClientTimeout(total=0.5) passed per request; asyncio = `async with asyncio.timeout(0.5)`.
Internal sub-commands: `server --port P`, `client --port P --client X --scenario S --timeout T`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

import orjson

HERE = os.path.abspath(__file__)


# --------------------------------------------------------------------------- server
def make_item(sku: str) -> dict:
    return {
        "sku": sku,
        "title": "Industrial edge gateway enclosure, IP67, aluminium, 4x M12 glands",
        "description": "Die-cast housing for fanless edge compute nodes; DIN-rail and wall mount.",
        "price_cents": 18999,
        "currency": "EUR",
        "specs": [
            {"name": "width_mm", "value": "220"},
            {"name": "height_mm", "value": "160"},
            {"name": "depth_mm", "value": "75"},
            {"name": "weight_g", "value": "1480"},
            {"name": "ingress", "value": "IP67"},
            {"name": "material", "value": "AlSi12"},
        ],
        "stock": {"warehouse": "FRA-2", "available": 412, "reserved": 17},
        "tags": ["enclosure", "edge", "industrial"],
        "version": 7,
        "updated_at": "2026-05-01T12:00:00Z",
    }


def run_server(port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    async def get_item(request):
        sku = request.path_params["sku"]
        return Response(orjson.dumps(make_item(sku)), media_type="application/json")

    app = Starlette(routes=[Route("/v1/items/{sku}", get_item)])
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        workers=1,
        log_level="warning",
    )


# --------------------------------------------------------------------------- client
async def client_main(a) -> dict:
    url = f"http://127.0.0.1:{a.port}/v1/items/SKU-12345"
    TO = 0.5

    if a.client.startswith("httpx"):
        if a.client == "httpx_sniffio":
            # httpcore 1.0.9 does `import sniffio` inside current_async_library() on every
            # lock/semaphore creation; anyio>=4.11 no longer pulls sniffio in, so the import
            # FAILS each time (uncached sys.path scan). Stub == effect of `pip install sniffio`.
            import types

            m = types.ModuleType("sniffio")
            m.current_async_library = lambda: "asyncio"
            sys.modules.setdefault("sniffio", m)
        import httpx

        kw = {}
        if a.client == "httpx_tuned":  # keep-alive pool >= concurrency
            kw["limits"] = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        cli = httpx.AsyncClient(**kw)  # defaults: max_connections=100, max_keepalive=20, timeout=5s
        per_req = httpx.Timeout(TO)  # connect/read/write/pool each 0.5s, NOT a total deadline

        if a.timeout == "native":

            async def one():
                r = await cli.get(url, timeout=per_req)
                assert r.status_code == 200
                return orjson.loads(r.content)
        else:

            async def one():
                r = await cli.get(url)
                assert r.status_code == 200
                return orjson.loads(r.content)

        close = cli.aclose
    else:
        import aiohttp

        # defaults: TCPConnector(limit=100, limit_per_host=0), ClientTimeout(total=300)
        sess = aiohttp.ClientSession()
        per_req = aiohttp.ClientTimeout(total=TO)

        if a.timeout == "native":

            async def one():
                async with sess.get(url, timeout=per_req) as r:
                    assert r.status == 200
                    return orjson.loads(await r.read())
        else:

            async def one():
                async with sess.get(url) as r:
                    assert r.status == 200
                    return orjson.loads(await r.read())

        close = sess.close

    if a.timeout == "asyncio":  # a true total deadline, identical for both clients
        inner = one

        async def one():
            async with asyncio.timeout(TO):
                return await inner()

    pc = time.perf_counter_ns
    # warm-up. seq: one connection only (a pool full of idle conns slows httpx, see README
    # notes); conc: open the pool's connections first.
    if a.scenario == "conc":
        await asyncio.gather(*(one() for _ in range(a.conc)))
    for _ in range(300):
        await one()

    res = {"client": a.client, "scenario": a.scenario, "timeout": a.timeout}
    errors: dict = {}

    async def timed(lat):
        s = pc()
        try:
            await one()
        except Exception as e:  # timeouts etc. are counted, not fatal
            errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
        lat.append(pc() - s)

    if a.scenario == "seq":
        lat = []
        t0 = pc()
        for _ in range(a.seq_n):
            await timed(lat)
        el = (pc() - t0) / 1e9
        lat.sort()
        res.update(
            n=a.seq_n,
            rps=a.seq_n / el,
            p50_us=lat[len(lat) // 2] / 1e3,
            p99_us=lat[int(len(lat) * 0.99) - 1] / 1e3,
        )
    else:
        remaining = a.conc_n
        lat = []

        async def worker():
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await timed(lat)

        t0 = pc()
        await asyncio.gather(*(worker() for _ in range(a.conc)))
        el = (pc() - t0) / 1e9
        lat.sort()
        res.update(
            n=len(lat),
            rps=len(lat) / el,
            p50_us=lat[len(lat) // 2] / 1e3,
            p99_us=lat[int(len(lat) * 0.99) - 1] / 1e3,
        )
    res["errors"] = errors
    await close()
    return res


# --------------------------------------------------------------------------- orchestrator
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, deadline: float = 15.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/items/x", timeout=1) as r:
                body = r.read()
                return len(body)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not come up")


def orchestrate(a) -> None:
    port = free_port()
    srv = subprocess.Popen(
        ["taskset", "-c", a.server_cpu, sys.executable, HERE, "server", "--port", str(port)]
    )
    try:
        size = wait_ready(port)
        print(f"# server pid={srv.pid} port={port} body={size}B py={sys.version.split()[0]}", flush=True)
        clients = a.clients.split(",")
        combos = [(sc, to) for to in a.timeouts.split(",") for sc in ("seq", "conc")]
        results: dict = {}
        for rnd in range(a.rounds):
            for sc, to in combos:
                order = clients if rnd % 2 == 0 else clients[::-1]  # alternate who goes first
                for cl in order:
                    if (cl == "httpx_tuned" and sc == "seq") or sc not in a.scenarios:
                        continue  # pool limits irrelevant for sequential
                    cmd = [
                        "taskset",
                        "-c",
                        a.client_cpu,
                        sys.executable,
                        HERE,
                        "client",
                        "--port",
                        str(port),
                        "--client",
                        cl,
                        "--scenario",
                        sc,
                        "--timeout",
                        to,
                        "--seq-n",
                        str(a.seq_n),
                        "--conc-n",
                        str(a.conc_n),
                        "--conc",
                        str(a.conc),
                    ]
                    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                    r = json.loads(out.strip().splitlines()[-1])
                    results.setdefault((sc, to, cl), []).append(r)
                    print(
                        f"r{rnd} {sc:4} to={to:7} {cl:13} rps={r['rps']:8.0f} "
                        f"p50={r['p50_us']:7.0f}us p99={r['p99_us']:7.0f}us {r['errors'] or ''}",
                        flush=True,
                    )
        print(f"\n# medians over {a.rounds} rounds")
        print(f"{'scen':5} {'timeout':7} {'client':13} {'req/s':>8} {'p50us':>7} {'p99us':>7}")
        for (sc, to, cl), rs in results.items():

            def med(k, rs=rs):
                return statistics.median(x[k] for x in rs)

            errs = sum(sum(x["errors"].values()) for x in rs)
            print(
                f"{sc:5} {to:7} {cl:13} {med('rps'):8.0f} {med('p50_us'):7.0f} {med('p99_us'):7.0f}"
                + (f"  errors(total)={errs}" if errs else "")
            )
    finally:
        srv.terminate()
        srv.wait(10)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", nargs="?", default="bench", choices=["bench", "server", "client"])
    p.add_argument("--port", type=int)
    p.add_argument("--client", default="httpx")
    p.add_argument("--scenario", default="seq", choices=["seq", "conc"])
    p.add_argument("--timeout", default="none", help="none | native | asyncio")
    p.add_argument("--clients", default="httpx,aiohttp")
    p.add_argument("--timeouts", default="none,native")
    p.add_argument("--scenarios", default="seq,conc")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seq-n", type=int, default=5000)
    p.add_argument("--conc-n", type=int, default=20000)
    p.add_argument("--conc", type=int, default=64)
    p.add_argument("--server-cpu", default="0")
    p.add_argument("--client-cpu", default="1")
    a = p.parse_args()
    if a.mode == "server":
        run_server(a.port)
    elif a.mode == "client":
        import uvloop

        print(json.dumps(uvloop.run(client_main(a))))
    else:
        orchestrate(a)


if __name__ == "__main__":
    main()
