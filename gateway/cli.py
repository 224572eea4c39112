"""The ``edge-gateway`` command: run a central store, an edge node, the demo or a local fleet."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson

from edge_nodes.regions import RegionError, load_regions, region_named
from gateway.central.app import create_central_app
from gateway.edge.app import create_edge_app
from gateway.processes import NodeFailed, Supervisor, free_port
from gateway.serve import serve
from gateway.settings import CentralSettings, EdgeSettings, SettingsError, lifted_rate_budgets
from gateway.traces.generate import generate_trace, write_jsonl
from gateway.traces.replay import Replay, catalog_needs, load_trace

LOCALHOST = "127.0.0.1"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        return command(args)
    except (SettingsError, RegionError, NodeFailed) as exc:
        print(f"edge-gateway {args.verb}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edge-gateway",
        description="Edge order gateway: central store, edge nodes, demo and local fleet.",
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    central = verbs.add_parser("central", help="run the central store (seeds demo data into an empty store)")
    _flag(central, "--host", "CENTRAL_HOST", "interface to listen on")
    _flag(central, "--port", "CENTRAL_PORT", "port to listen on", int)
    _flag(central, "--data-dir", "CENTRAL_DATA_DIR", "where the store's database lives", Path)
    central.set_defaults(command=run_central)

    edge = verbs.add_parser("edge", help="run an edge node")
    _flag(edge, "--host", "EDGE_HOST", "interface to listen on")
    _flag(edge, "--port", "EDGE_PORT", "port to listen on (default: the region's)", int)
    _flag(edge, "--central-url", "EDGE_CENTRAL_URL", "base URL of the central store")
    _flag(edge, "--data-dir", "EDGE_DATA_DIR", "where the node's outbox and state live", Path)
    _flag(edge, "--region", "EDGE_REGION", "region name from edge_nodes/regions/ (sets port and central URL)")
    _flag(edge, "--node-id", "EDGE_NODE_ID", "this node's id (default: edge-REGION)")
    _flag(edge, "--regions-dir", "EDGE_REGIONS_DIR", "region TOML files (default: edge_nodes/regions)", Path)
    edge.set_defaults(command=run_edge)

    demo = verbs.add_parser("demo", help="central store + one edge node on embedded defaults")
    _flag(demo, "--data-dir", "GATEWAY_DATA_DIR", "state for both nodes (default: var/demo)", Path)
    _flag(demo, "--central-port", "CENTRAL_PORT", "central store port (default 8800, or any free one)", int)
    _flag(demo, "--edge-port", "EDGE_PORT", "edge node port (default 8801, or any free one)", int)
    demo.set_defaults(command=run_demo)

    fleet = verbs.add_parser("fleet", help="central store + one edge node per region of edge_nodes/")
    _flag(fleet, "--data-dir", "GATEWAY_DATA_DIR", "state for all nodes (default: var/fleet)", Path)
    _flag(fleet, "--regions-dir", "EDGE_REGIONS_DIR", "region TOML files (default: edge_nodes/regions)", Path)
    fleet.set_defaults(command=run_fleet)

    replay = verbs.add_parser("replay", help="drive a browsing trace through an edge; JSON report on stdout")
    replay.add_argument("trace", type=Path, help="JSON Lines trace (see gen-trace)")
    _flag(
        replay,
        "--speed",
        "REPLAY_SPEED",
        "divide the gaps between a session's events by this (default 20)",
        float,
    )
    _flag(replay, "--edge", "REPLAY_EDGE_URL", "a running edge (default: start a central store and an edge)")
    _flag(
        replay, "--central-url", "REPLAY_CENTRAL_URL", "with --edge: its central store, to add missing items"
    )
    _flag(replay, "--ops-token", "CENTRAL_OPS_TOKEN", "with --central-url: the central store's ops token")
    _flag(
        replay,
        "--strategy",
        "EDGE_PRERENDER_STRATEGY",
        "for the edge this starts: signals, markov, every-view",
    )
    _flag(
        replay,
        "--max-pause",
        "REPLAY_MAX_PAUSE",
        "longest wait between one shopper's sessions, s (default 2)",
        float,
    )
    replay.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    replay.set_defaults(command=run_replay)

    trace = verbs.add_parser("gen-trace", help="a synthetic browsing trace (JSON Lines) on stdout")
    _flag(trace, "--seed", "TRACE_SEED", "random seed (default 1)", int)
    _flag(trace, "--users", "TRACE_USERS", "shoppers in the trace (default 200)", int)
    trace.set_defaults(command=run_gen_trace)
    return parser


def _flag(parser: argparse.ArgumentParser, flag: str, env: str, help_text: str, kind: type = str) -> None:
    parser.add_argument(flag, type=kind, default=None, help=f"{help_text} [env {env}]")


def run_central(args: argparse.Namespace) -> int:
    settings = CentralSettings.from_env(os.environ, host=args.host, port=args.port, data_dir=args.data_dir)
    serve(create_central_app(settings), settings.host, settings.port, settings.server)
    return 0


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def run_edge(args: argparse.Namespace) -> int:
    environ = dict(os.environ)
    region_name = args.region or environ.get("EDGE_REGION")
    if region_name:
        # The region file gives defaults; the environment and flags still win over it.
        region = region_named(region_name, load_regions(args.regions_dir or _env_path("EDGE_REGIONS_DIR")))
        environ = {
            "EDGE_PORT": str(region.port),
            "EDGE_CENTRAL_URL": region.central_url,
            "EDGE_NODE_ID": f"edge-{region.name}",
            **environ,
        }
    settings = EdgeSettings.from_env(
        environ,
        host=args.host,
        port=args.port,
        central_url=args.central_url,
        data_dir=args.data_dir,
        region=region_name,
        node_id=args.node_id,
    )
    serve(create_edge_app(settings), settings.host, settings.port, settings.server)
    return 0


def _fresh_secrets() -> dict[str, str]:
    """The secrets of a run that ``demo``, ``fleet`` and ``replay`` start, and its demo identity."""
    return {
        "GATEWAY_SECRET": secrets.token_urlsafe(32),
        "CENTRAL_OPS_TOKEN": secrets.token_urlsafe(24),
        "EDGE_ADMIN_TOKEN": secrets.token_urlsafe(24),
        "GATEWAY_DEMO_LOGIN": "1",
    }


def _start_central(supervisor: Supervisor, port: int, data_dir: Path) -> str:
    url = f"http://{LOCALHOST}:{port}"
    supervisor.start(
        "central",
        ["central", "--host", LOCALHOST, "--port", str(port), "--data-dir", str(data_dir / "central")],
        url,
        "/readyz",
    )
    return url


def run_demo(args: argparse.Namespace) -> int:
    data_dir: Path = args.data_dir or Path("var/demo")
    tokens = _fresh_secrets()
    supervisor = Supervisor(env=tokens)
    try:
        central_url = _start_central(supervisor, args.central_port or free_port(LOCALHOST, 8800), data_dir)
        edge_port = args.edge_port or free_port(LOCALHOST, 8801)
        edge_url = f"http://{LOCALHOST}:{edge_port}"
        supervisor.start(
            "edge",
            [
                "edge",
                "--host",
                LOCALHOST,
                "--port",
                str(edge_port),
                "--central-url",
                central_url,
                "--data-dir",
                str(data_dir / "edge"),
                "--node-id",
                "edge-demo",
            ],
            edge_url,
            "/readyz",
        )
        print(f"central: {central_url}   (ops token: {tokens['CENTRAL_OPS_TOKEN']})", flush=True)
        print(f"edge: {edge_url}", flush=True)
        print(f"edge admin token: {tokens['EDGE_ADMIN_TOKEN']}", flush=True)
        print(f"try:  curl -s {edge_url}/v1/catalog/items/sku-00042", flush=True)
        print(
            f"      curl -s -X POST {edge_url}/v1/sessions -H 'content-type: application/json'"
            ' -d \'{"user_id": "u-0001"}\'',
            flush=True,
        )
        print("Ctrl-C stops both nodes.", flush=True)
        return supervisor.wait()
    finally:
        supervisor.stop()


def run_fleet(args: argparse.Namespace) -> int:
    data_dir: Path = args.data_dir or Path("var/fleet")
    regions_dir: Path | None = args.regions_dir or _env_path("EDGE_REGIONS_DIR")
    regions = load_regions(regions_dir)
    if not regions:
        raise RegionError(f"no region files (*.toml) in {regions_dir}")
    central_urls = {region.central_url for region in regions}
    if len(central_urls) != 1:
        raise RegionError(f"the local fleet runs one central store, but regions name {sorted(central_urls)}")
    central_port = int(central_urls.pop().rsplit(":", 1)[1])
    tokens = _fresh_secrets()
    # The edges find the same region files through the environment they inherit.
    regions_env = {"EDGE_REGIONS_DIR": str(regions_dir.resolve())} if regions_dir else {}
    supervisor = Supervisor(env={**tokens, **regions_env})
    try:
        central_url = _start_central(supervisor, central_port, data_dir)
        print(f"central: {central_url}   (ops token: {tokens['CENTRAL_OPS_TOKEN']})", flush=True)
        for region in regions:
            edge_url = f"http://{LOCALHOST}:{region.port}"
            supervisor.start(
                f"edge-{region.name}",
                [
                    "edge",
                    "--host",
                    LOCALHOST,
                    "--region",
                    region.name,
                    "--data-dir",
                    str(data_dir / f"edge-{region.name}"),
                ],
                edge_url,
                "/readyz",
            )
            print(f"edge {region.name}: {edge_url}   ({region.title})", flush=True)
        print(f"edge admin token: {tokens['EDGE_ADMIN_TOKEN']}", flush=True)
        print("Ctrl-C stops the fleet.", flush=True)
        return supervisor.wait()
    finally:
        supervisor.stop()


def run_gen_trace(args: argparse.Namespace) -> int:
    events = generate_trace(
        seed=args.seed or _env_int("TRACE_SEED", 1), users=args.users or _env_int("TRACE_USERS", 200)
    )
    write_jsonl(events, sys.stdout)
    return 0


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def run_replay(args: argparse.Namespace) -> int:
    events = load_trace(args.trace)
    if not events:
        raise NodeFailed(f"{args.trace} holds no trace events")
    speed = args.speed or float(os.environ.get("REPLAY_SPEED") or 20)
    max_pause = args.max_pause or float(os.environ.get("REPLAY_MAX_PAUSE") or 2)
    edge = args.edge or os.environ.get("REPLAY_EDGE_URL")
    if edge:
        central = args.central_url or os.environ.get("REPLAY_CENTRAL_URL")
        ops = args.ops_token or os.environ.get("CENTRAL_OPS_TOKEN")
        report = asyncio.run(
            _replay(
                edge,
                central=central,
                ops_token=ops,
                events=events,
                speed=speed,
                max_pause=max_pause,
                progress=not args.no_progress,
            )
        )
    else:
        report = _replay_on_own_nodes(args, events, speed, max_pause)
    print(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
    return 0


def _replay_on_own_nodes(
    args: argparse.Namespace, events: list[dict[str, Any]], speed: float, max_pause: float
) -> dict[str, Any]:
    tokens = _fresh_secrets()
    strategy = args.strategy or os.environ.get("EDGE_PRERENDER_STRATEGY", "signals")
    with tempfile.TemporaryDirectory(prefix="replay-") as workdir:
        env = {**tokens, **lifted_rate_budgets(), "EDGE_PRERENDER_STRATEGY": strategy}
        supervisor = Supervisor(env=env, grace_seconds=10)
        try:
            central_url = _start_central(supervisor, free_port(LOCALHOST, 0), Path(workdir))
            edge_port = free_port(LOCALHOST, 0)
            edge_url = f"http://{LOCALHOST}:{edge_port}"
            supervisor.start(
                "edge",
                ["edge", "--host", LOCALHOST, "--port", str(edge_port), "--central-url", central_url,
                 "--data-dir", str(Path(workdir) / "edge"), "--node-id", "edge-replay"],
                edge_url,
                "/readyz",
            )  # fmt: skip
            report = asyncio.run(
                _replay(
                    edge_url,
                    central=central_url,
                    ops_token=tokens["CENTRAL_OPS_TOKEN"],
                    events=events,
                    speed=speed,
                    max_pause=max_pause,
                    progress=not args.no_progress,
                )
            )
        finally:
            supervisor.stop()
    return {"strategy": strategy, **report}


async def _replay(
    edge: str,
    *,
    central: str | None,
    ops_token: str | None,
    events: list[dict[str, Any]],
    speed: float,
    max_pause: float,
    progress: bool,
) -> dict[str, Any]:
    replay = Replay(edge, speed, max_pause)
    needs = catalog_needs(events)
    if central and ops_token:
        await replay.ensure_catalog(central.rstrip("/"), ops_token, needs)
    return await replay.run(events, progress=progress)


if __name__ == "__main__":
    sys.exit(main())
