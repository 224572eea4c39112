"""Real central and edge processes on free ports, for integration tests."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gateway.processes import Node, Supervisor, free_port

HOST = "127.0.0.1"
# A small catalog keeps start-up fast; the full 10k seed is covered by the seeder's own tests.
SMALL_SEED = {"CENTRAL_SEED_ITEMS": "200", "CENTRAL_SEED_USERS": "50"}


def fresh_secrets() -> dict[str, str]:
    return {
        "GATEWAY_SECRET": secrets.token_urlsafe(32),
        "CENTRAL_OPS_TOKEN": secrets.token_urlsafe(16),
        "EDGE_ADMIN_TOKEN": secrets.token_urlsafe(16),
    }


@dataclass
class Cluster:
    supervisor: Supervisor
    central: Node
    edge: Node

    @property
    def secret(self) -> str:
        return self.supervisor.env["GATEWAY_SECRET"]


def start_central(supervisor: Supervisor, data_dir: Path) -> Node:
    port = free_port(HOST, 0)
    args = ["central", "--host", HOST, "--port", str(port), "--data-dir", str(data_dir / "central")]
    return supervisor.start("central", args, f"http://{HOST}:{port}", "/readyz")


def start_edge(supervisor: Supervisor, central_url: str, data_dir: Path, port: int | None = None) -> Node:
    port = port or free_port(HOST, 0)
    args = [
        "edge", "--host", HOST, "--port", str(port), "--central-url", central_url,
        "--data-dir", str(data_dir / "edge"), "--node-id", "edge-test",
    ]  # fmt: skip
    return supervisor.start("edge", args, f"http://{HOST}:{port}", "/readyz")


@contextmanager
def cluster(data_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[Cluster]:
    supervisor = Supervisor(env={**fresh_secrets(), **SMALL_SEED, **(extra_env or {})}, grace_seconds=5)
    try:
        central = start_central(supervisor, data_dir)
        edge = start_edge(supervisor, central.url, data_dir)
        yield Cluster(supervisor, central, edge)
    finally:
        supervisor.stop()
