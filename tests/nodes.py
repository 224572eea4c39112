"""Real central and edge processes on free ports, for integration tests."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from gateway.processes import Node, Supervisor, free_port
from loadtests.environment import LOAD_ENV

HOST = "127.0.0.1"
# A small catalog keeps start-up fast; the full 10k seed is covered by the seeder's own tests.
SMALL_SEED = {"CENTRAL_SEED_ITEMS": "200", "CENTRAL_SEED_USERS": "50"}
# Demo shoppers sign in; rate budgets stay out of the way of tests that are not about them.
TEST_NODE_ENV = {**SMALL_SEED, **LOAD_ENV}


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


def start_central(supervisor: Supervisor, data_dir: Path, port: int | None = None) -> Node:
    port = port or free_port(HOST, 0)
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
    supervisor = Supervisor(env={**fresh_secrets(), **TEST_NODE_ENV, **(extra_env or {})}, grace_seconds=5)
    try:
        central = start_central(supervisor, data_dir)
        edge = start_edge(supervisor, central.url, data_dir)
        yield Cluster(supervisor, central, edge)
    finally:
        supervisor.stop()


def session_token(edge_url: str, user_id: str) -> str:
    response = httpx.post(f"{edge_url}/v1/sessions", json={"user_id": user_id})
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


def order_body(**changes: object) -> dict[str, object]:
    """A valid order for demo user u-0001 (their first saved address), changed as asked."""
    body: dict[str, object] = {
        "sku": "sku-00042",
        "spec": "black-M",
        "qty": 1,
        "payment_method": "alipay",
        "address_id": "a-0001-0",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def central_orders(central_url: str, ops_token: str, edge: str | None = None) -> list[dict[str, object]]:
    """Every order the central store holds (for the edge), in arrival order, following the cursor."""
    orders: list[dict[str, object]] = []
    after = "0"
    while True:
        params = {"after": after, "limit": "1000", **({"edge": edge} if edge else {})}
        page = httpx.get(
            f"{central_url}/v1/orders", params=params, headers={"authorization": f"Bearer {ops_token}"}
        ).json()
        orders.extend(page["orders"])
        if page["next"] is None:
            return orders
        after = page["next"]
