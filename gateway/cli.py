"""The ``edge-gateway`` command: run a central store, an edge node, the demo or a local fleet."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import orjson

from edge_nodes.regions import RegionError, load_regions, region_named
from gateway.central.app import create_central_app
from gateway.edge.app import create_edge_app
from gateway.launch import LOCALHOST, fresh_secrets, start_central, start_edge
from gateway.processes import NodeFailed, Supervisor, free_port
from gateway.serving.uvicorn_server import serve
from gateway.settings import CentralSettings, EdgeSettings, SettingsError, lifted_rate_budgets
from gateway.traces.drive import ReplayOptions, ReplayTarget, replay_on_own_nodes, replay_trace
from gateway.traces.generate import generate_trace, write_jsonl
from gateway.traces.replay import ReplayFailed, load_trace


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        return command(args)
    except (SettingsError, RegionError, NodeFailed, ReplayFailed) as exc:
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
    _flag(
        demo,
        "--rate-limits",
        "GATEWAY_DEMO_RATE_LIMITS",
        "'shipped' (default) or 'lifted', for a load generator on this machine (one address, many shoppers)",
    )
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
    _flag(replay, "--admin-token", "EDGE_ADMIN_TOKEN", "with --edge: its admin token (prerender counts)")
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


def run_demo(args: argparse.Namespace) -> int:
    data_dir: Path = args.data_dir or Path("var/demo")
    tokens = fresh_secrets()
    rate_limits = args.rate_limits or os.environ.get("GATEWAY_DEMO_RATE_LIMITS", "shipped")
    if rate_limits not in ("shipped", "lifted"):
        raise SettingsError(f"--rate-limits must be shipped or lifted, not {rate_limits!r}")
    supervisor = Supervisor(env={**tokens, **(lifted_rate_budgets() if rate_limits == "lifted" else {})})
    try:
        central = start_central(supervisor, data_dir, args.central_port or free_port(LOCALHOST, 8800))
        edge = start_edge(
            supervisor,
            data_dir,
            node_id="edge-demo",
            directory="edge",
            port=args.edge_port or free_port(LOCALHOST, 8801),
            central_url=central.url,
        )
        print(f"central: {central.url}   (ops token: {tokens['CENTRAL_OPS_TOKEN']})", flush=True)
        print(f"edge: {edge.url}", flush=True)
        print(f"edge admin token: {tokens['EDGE_ADMIN_TOKEN']}", flush=True)
        print(f"dashboard: {edge.url}/dashboard#token={tokens['EDGE_ADMIN_TOKEN']}", flush=True)
        print(f"try:  curl -s {edge.url}/v1/catalog/items/sku-00042", flush=True)
        print(
            f"      curl -s -X POST {edge.url}/v1/sessions -H 'content-type: application/json'"
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
    tokens = fresh_secrets()
    # The edges find the same region files through the environment they inherit.
    regions_env = {"EDGE_REGIONS_DIR": str(regions_dir.resolve())} if regions_dir else {}
    supervisor = Supervisor(env={**tokens, **regions_env})
    try:
        central = start_central(supervisor, data_dir, central_port)
        print(f"central: {central.url}   (ops token: {tokens['CENTRAL_OPS_TOKEN']})", flush=True)
        for region in regions:
            edge = start_edge(
                supervisor, data_dir, node_id=f"edge-{region.name}", port=region.port, region=region.name
            )
            print(f"edge {region.name}: {edge.url}   ({region.title})", flush=True)
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
    options = ReplayOptions(
        speed=args.speed or float(os.environ.get("REPLAY_SPEED") or 20),
        max_pause=args.max_pause or float(os.environ.get("REPLAY_MAX_PAUSE") or 2),
        progress=not args.no_progress,
    )
    edge = args.edge or os.environ.get("REPLAY_EDGE_URL")
    if edge:
        target = ReplayTarget(
            edge=edge,
            admin_token=args.admin_token or os.environ.get("EDGE_ADMIN_TOKEN"),
            central=args.central_url or os.environ.get("REPLAY_CENTRAL_URL"),
            ops_token=args.ops_token or os.environ.get("CENTRAL_OPS_TOKEN"),
        )
        report = asyncio.run(replay_trace(target, events, options))
    else:
        strategy = args.strategy or os.environ.get("EDGE_PRERENDER_STRATEGY", "signals")
        report = replay_on_own_nodes(events, options, strategy)
    print(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
