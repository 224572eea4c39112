"""Real central and edge processes on free ports, for integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from gateway import launch
from gateway.launch import fresh_secrets, start_central
from gateway.processes import Node, Supervisor
from loadtests.environment import LOAD_ENV

HOST = "127.0.0.1"
# A small catalog keeps start-up fast; the full 10k seed is covered by the seeder's own tests.
SMALL_SEED = {"CENTRAL_SEED_ITEMS": "200", "CENTRAL_SEED_USERS": "50"}
# Demo shoppers sign in; rate budgets stay out of the way of tests that are not about them.
TEST_NODE_ENV = {**SMALL_SEED, **LOAD_ENV}


@dataclass
class Cluster:
    supervisor: Supervisor
    central: Node
    edge: Node

    @property
    def secret(self) -> str:
        return self.supervisor.env["GATEWAY_SECRET"]


def start_edge(supervisor: Supervisor, central_url: str, data_dir: Path, port: int | None = None) -> Node:
    """The tests' edge: node id ``edge-test``, its state under ``data_dir/edge``."""
    return launch.start_edge(
        supervisor, data_dir, node_id="edge-test", directory="edge", port=port, central_url=central_url
    )


@contextmanager
def cluster(data_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[Cluster]:
    supervisor = Supervisor(env={**fresh_secrets(), **TEST_NODE_ENV, **(extra_env or {})}, grace_seconds=5)
    try:
        central = start_central(supervisor, data_dir)
        edge = start_edge(supervisor, central.url, data_dir)
        yield Cluster(supervisor, central, edge)
    finally:
        supervisor.stop()


def admin(nodes: Cluster) -> dict[str, str]:
    """The edge's admin token as a header: for /metrics, /stats and readiness details."""
    return {"authorization": f"Bearer {nodes.supervisor.env['EDGE_ADMIN_TOKEN']}"}


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
