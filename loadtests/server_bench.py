"""Server benchmark: the edge's endpoints against a bare Starlette endpoint, in one run, on one core.

    python -m loadtests.server_bench [--seconds 10] [--connections 32] [--json results.json]

What it does, so that the figures mean the same thing on every run:
- starts a central store, an edge node (fresh data directory, one worker) and the bare app
  (``loadtests/bare.py``, same uvicorn settings); the servers under test are pinned to CPU 0, the
  load generators to CPU 1, and the central store runs on CPU 1 at the lowest priority so it
  takes only what the generators leave;
- measures maximum throughput with wrk (closed loop, ``--connections`` keep-alive connections):
  a prerendered order page (``GET /v1/order-page``, brotli, a prerender hit) against the bare
  ``GET /page`` (12 KB), then durable order acknowledgements (``POST /v1/orders``, a fresh
  Idempotency-Key per request) against the bare ``POST /ack`` with an order-sized body, and
  against ``POST /durable-ack``, the bare endpoint that also commits the body to an outbox like
  the edge's before answering: the floor any durable acknowledgement stands on;
- measures latency at half of the edge's maximum rate with the open-loop generator
  (``loadtests/openloop.py``), client-side and server-side (Server-Timing), for the edge's acks
  and for the bare endpoint at the same rate, ``--half-runs`` times each, alternated (which one goes
  first too), each once the edge has forwarded its outbox; the run with the median p99 is reported
  in full, and every run's p99 beside it, the edge's server-side p99 too (one run's p99 on this
  shared machine can be several times another's).
Every figure is reported with its ratio to the bare endpoint measured in the same run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from gateway.processes import Node, NodeFailed, free_port, wait_ready
from loadtests.environment import LOAD_ENV

HOST = "127.0.0.1"
SERVER_CPU, LOAD_CPU = "0", "1"
ORDER = {
    "sku": "sku-00042",
    "spec": "black-M",
    "qty": 1,
    "payment_method": "alipay",
    "address_id": "a-0001-0",
}
WRK_SCRIPT = Path(__file__).with_name("wrk") / "post.lua"
ADMIN_TOKEN = secrets.token_urlsafe(16)  # the outbox's depth is in the edge's readiness details
ADMIN = {"authorization": f"Bearer {ADMIN_TOKEN}"}


@contextmanager
def _node(
    name: str, command: list[str], port: int, *, log: Path, env: dict[str, str], cpu: str, nice: int = 0
) -> Iterator[Node]:
    pinned = ["taskset", "-c", cpu, "nice", "-n", str(nice), *command]
    with log.open("wb") as output:
        process = subprocess.Popen(pinned, env={**os.environ, **env}, stdout=output, stderr=output)
    node = Node(name, f"http://{HOST}:{port}", process)
    try:
        wait_ready(node, "/healthz", timeout=120)
        yield node
    except NodeFailed:
        sys.stderr.write(log.read_text(errors="replace")[-2000:])
        raise
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wrk(
    url: str, path: str, body: str, token: str | None, *, seconds: int, connections: int
) -> dict[str, float]:
    env = {**os.environ, "WRK_PATH": path, "WRK_BODY": body, "WRK_KEY_PREFIX": secrets.token_hex(6)}
    if token:
        env["WRK_TOKEN"] = token
    command = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    output = subprocess.run(
        [*command, "-s", str(WRK_SCRIPT), url], env=env, capture_output=True, text=True, check=True
    ).stdout
    return _parse_wrk(output)


def _wrk_get(url: str, headers: dict[str, str], *, seconds: int, connections: int) -> dict[str, float]:
    command = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    return _parse_wrk(output)


def _parse_wrk(output: str) -> dict[str, float]:
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": _duration_ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
        "p99_ms": _duration_ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
        "non_2xx": float(non_2xx.group(1)) if non_2xx else 0.0,
    }


def _prerender(edge: str, token: str) -> str:
    """Show interest in the benchmark item, and wait until its order page is a prerender hit."""
    auth = {"authorization": f"Bearer {token}"}
    spec: str = httpx.get(f"{edge}/v1/catalog/items/{ORDER['sku']}").json()["specs"][0]
    now = time.time()
    events = [
        {"t": now, "type": "view", "sku": ORDER["sku"]},
        {"t": now + 1, "type": "spec", "sku": ORDER["sku"], "spec": spec},
    ]
    httpx.post(f"{edge}/v1/signals", json={"events": events}, headers=auth).raise_for_status()
    path = f"/v1/order-page?sku={ORDER['sku']}&spec={spec}&qty=1"
    for _ in range(100):
        if httpx.get(f"{edge}{path}", headers=auth).headers.get("x-prerender") == "hit":
            return path
        time.sleep(0.05)
    raise RuntimeError("the benchmark page was never prerendered")


def _locust_shape(edge: str, shape: str, seconds: int, base_users: int) -> dict[str, dict[str, float]]:
    """Run the storefront journey in a load shape; p50/p95/p99 per route from Locust's CSV."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as out:
        files = f"{root / 'loadtests' / 'locustfile.py'},{root / 'loadtests' / 'shapes' / f'{shape}.py'}"
        command = [str(Path(sys.executable).with_name("locust")), "-f", files, "--headless", "--host", edge]
        command += ["--csv", f"{out}/run", "--only-summary", "--tags", "journey"]
        env = {**os.environ, "LOAD_BASE_USERS": str(base_users), "LOAD_SECONDS": str(seconds)}
        subprocess.run(
            ["taskset", "-c", LOAD_CPU, *command], env=env, capture_output=True, check=False, cwd=root
        )
        with open(f"{out}/run_stats.csv", newline="") as stats:
            rows = list(csv.DictReader(stats))
    return {
        f"{row['Type']} {row['Name']}": {
            "requests": float(row["Request Count"]),
            "failures": float(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 1),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
            "p99_ms": float(row["99%"]),
        }
        for row in rows
        if row["Name"] in ("/v1/orders", "/v1/order-page", "Aggregated")
    }


def _duration_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _openloop(url: str, rate: float, seconds: int, body: str, token: str | None) -> dict[str, object]:
    command = [
        sys.executable,
        "-m",
        "loadtests.openloop",
        url,
        "--rate",
        str(rate),
        "--seconds",
        str(seconds),
    ]
    command += ["--post", body] + (["--token", token] if token else [])
    output = subprocess.run(["taskset", "-c", LOAD_CPU, *command], capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(output.stdout)
    return result


def _wait_until_forwarded(edge: str, stalled_after: float = 30.0) -> None:
    """Until the edge's outbox is empty: every order so far is at the central store.

    However long a big backlog takes; it gives up only once the outbox has stopped shrinking for
    ``stalled_after`` seconds (the central store down, say)."""
    smallest, shrank_at = None, time.monotonic()
    while (depth := httpx.get(f"{edge}/readyz", headers=ADMIN).json()["outbox"]["depth"]) > 0:
        now = time.monotonic()
        if smallest is None or depth < smallest:
            smallest, shrank_at = depth, now
        elif now - shrank_at > stalled_after:
            raise RuntimeError(
                f"the edge's outbox stopped shrinking at {depth} orders for {stalled_after:.0f} s"
            )
        time.sleep(0.2)


def _p99(run: dict[str, object]) -> float:
    latency = run["latency_ms"]
    assert isinstance(latency, dict)  # noqa: S101 - openloop's report
    return float(latency["p99"])


def _server_p99(run: dict[str, object]) -> float | None:
    """The edge's own p99 (Server-Timing) over the requests it answered; None if none was."""
    server = run.get("server_ms")
    return float(server["p99"]) if isinstance(server, dict) else None


def _median_by_p99(runs: list[dict[str, object]]) -> dict[str, object]:
    """One run's whole report: the one whose client p99 is the median of the runs."""
    return sorted(runs, key=_p99)[len(runs) // 2]


def run(
    seconds: int,
    connections: int,
    shape_seconds: int,
    base_users: int,
    *,
    acks_only: bool = False,
    half_runs: int = 3,
    edge_tree: Path | None = None,
) -> dict[str, object]:
    workdir = Path(tempfile.mkdtemp(prefix="server-bench-"))
    env = {
        "GATEWAY_SECRET": secrets.token_urlsafe(32),
        "CENTRAL_OPS_TOKEN": secrets.token_urlsafe(16),
        "EDGE_ADMIN_TOKEN": ADMIN_TOKEN,
        **LOAD_ENV,
    }
    cli = [sys.executable, "-m", "gateway.cli"]
    central_port, edge_port, bare_port = (free_port(HOST, 0) for _ in range(3))
    body = json.dumps(ORDER)
    try:
        central_args = ["central", "--port", str(central_port), "--data-dir", str(workdir / "c")]
        edge_args = ["edge", "--port", str(edge_port), "--data-dir", str(workdir / "e")]
        edge_args += ["--central-url", f"http://{HOST}:{central_port}"]
        with (
            _node(
                "central",
                [*cli, *central_args],
                central_port,
                log=workdir / "central.log",
                env=env,
                cpu=LOAD_CPU,
                nice=19,
            ),
            _node(
                "edge",
                [*cli, *edge_args],
                edge_port,
                log=workdir / "edge.log",
                # Another release's edge, from its source tree, beside this one's bare endpoints.
                env={**env, "PYTHONPATH": str(edge_tree)} if edge_tree else env,
                cpu=SERVER_CPU,
            ),
            _node(
                "bare",
                [sys.executable, "-m", "loadtests.bare"],
                bare_port,
                log=workdir / "bare.log",
                env={"BARE_PORT": str(bare_port)},
                cpu=SERVER_CPU,
            ),
        ):
            edge = f"http://{HOST}:{edge_port}"
            token = httpx.post(f"{edge}/v1/sessions", json={"user_id": "u-0001"}).json()["token"]
            warm = httpx.post(
                f"{edge}/v1/orders",
                json=ORDER,
                headers={"authorization": f"Bearer {token}", "idempotency-key": secrets.token_hex(8)},
            )
            warm.raise_for_status()
            bare_page = order_page = None
            if not acks_only:
                page_path = _prerender(edge, token)
                page_headers = {"authorization": f"Bearer {token}", "accept-encoding": "br"}
                bare_page = _wrk_get(
                    f"http://{HOST}:{bare_port}/page", {}, seconds=seconds, connections=connections
                )
                order_page = _wrk_get(
                    f"{edge}{page_path}", page_headers, seconds=seconds, connections=connections
                )
            bare = _wrk(
                f"http://{HOST}:{bare_port}", "/ack", body, None, seconds=seconds, connections=connections
            )
            durable = _wrk(
                f"http://{HOST}:{bare_port}",
                "/durable-ack",
                body,
                None,
                seconds=seconds,
                connections=connections,
            )
            acks = _wrk(edge, "/v1/orders", body, token, seconds=seconds, connections=connections)
            half = round(acks["rps"] / 2)
            acks_runs, bare_runs = [], []
            for run_number in range(half_runs):
                # Alternated, which one goes first too, so that a noisy minute falls on both; and
                # each after the edge has forwarded what it queued, so that its forwarder is idle.
                pair = [
                    (acks_runs, f"{edge}/v1/orders", token),
                    (bare_runs, f"http://{HOST}:{bare_port}/ack", None),
                ]
                for runs, url, run_token in pair if run_number % 2 == 0 else pair[::-1]:
                    _wait_until_forwarded(edge)
                    runs.append(_openloop(url, half, seconds, body, run_token))
            flash_sale = (
                _locust_shape(edge, "flash_sale", shape_seconds, base_users)
                if shape_seconds and not acks_only
                else None
            )
            drained = httpx.get(f"{edge}/readyz", headers=ADMIN).json()["outbox"]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "seconds": seconds,
        "connections": connections,
        "bare_page_max": bare_page,
        "order_page_hit_max": order_page,
        "order_page_throughput_ratio": round(order_page["rps"] / bare_page["rps"], 3)
        if order_page and bare_page
        else None,
        "bare_max": bare,
        "acks_max": acks,
        "bare_durable_max": durable,
        "acks_throughput_ratio": round(acks["rps"] / bare["rps"], 3),
        "durable_floor_ratio": round(durable["rps"] / bare["rps"], 3),
        "acks_to_durable_floor_ratio": round(acks["rps"] / durable["rps"], 3),
        "half_rate": half,
        "acks_at_half": _median_by_p99(acks_runs),
        "bare_at_half": _median_by_p99(bare_runs),
        "acks_at_half_p99_ms_runs": [_p99(run) for run in acks_runs],
        # Beside the client's: a run whose client p99 is far above its server p99, with no errors,
        # stalled outside the server (in the socket or the generator).
        "acks_at_half_server_p99_ms_runs": [_server_p99(run) for run in acks_runs],
        "bare_at_half_p99_ms_runs": [_p99(run) for run in bare_runs],
        "flash_sale": flash_sale,
        "outbox_after": drained,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--shape-seconds", type=int, default=60, help="flash_sale shape length; 0 skips it")
    parser.add_argument("--base-users", type=int, default=40, help="the shape's base users (5x at the spike)")
    parser.add_argument("--acks-only", action="store_true", help="measure acknowledgements alone")
    parser.add_argument(
        "--half-runs", type=int, default=3, help="latency runs at half the maximum rate (median reported)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--edge-tree", type=Path, help="run the edge from this source tree (another release)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    if args.half_runs < 1:
        parser.error("--half-runs must be at least 1")
    results = run(
        args.seconds,
        args.connections,
        args.shape_seconds,
        args.base_users,
        acks_only=args.acks_only,
        half_runs=args.half_runs,
        edge_tree=args.edge_tree,
    )
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
