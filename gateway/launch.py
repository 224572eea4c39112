"""Start a central store and edge nodes as supervised child processes: one place for ``demo``,
``fleet``, ``replay`` and the tests' clusters, so they all start nodes the same way."""

from __future__ import annotations

import secrets
from pathlib import Path

from gateway.processes import Node, Supervisor, free_port

LOCALHOST = "127.0.0.1"


def fresh_secrets() -> dict[str, str]:
    """A run's own secrets (never defaulted in code), and the demo identity its shoppers sign in with."""
    return {
        "GATEWAY_SECRET": secrets.token_urlsafe(32),
        "CENTRAL_OPS_TOKEN": secrets.token_urlsafe(24),
        "EDGE_ADMIN_TOKEN": secrets.token_urlsafe(24),
        "GATEWAY_DEMO_LOGIN": "1",
    }


def start_central(supervisor: Supervisor, data_dir: Path, port: int | None = None) -> Node:
    """A central store on ``port`` (any free one by default), its state under ``data_dir/central``."""
    port = port or free_port(LOCALHOST, 0)
    args = ["central", "--host", LOCALHOST, "--port", str(port), "--data-dir", str(data_dir / "central")]
    return supervisor.start("central", args, f"http://{LOCALHOST}:{port}", "/readyz")


def start_edge(
    supervisor: Supervisor,
    data_dir: Path,
    *,
    node_id: str,
    port: int | None = None,
    central_url: str | None = None,
    region: str | None = None,
    directory: str | None = None,
) -> Node:
    """An edge node on ``port`` (any free one by default), its state under ``data_dir/directory``
    (``directory`` defaults to the node id). With ``region``, what is not given here (the central
    store's URL) comes from the region's file."""
    port = port or free_port(LOCALHOST, 0)
    args = ["edge", "--host", LOCALHOST, "--port", str(port), "--node-id", node_id]
    args += ["--data-dir", str(data_dir / (directory or node_id))]
    if region is not None:
        args += ["--region", region]
    if central_url is not None:
        args += ["--central-url", central_url]
    return supervisor.start(node_id, args, f"http://{LOCALHOST}:{port}", "/readyz")
