"""The durability contract under fire: a SIGKILLed edge and a central store that goes away.

Storefront clients here behave as real ones should: each submits its orders one after another
and retries a failed request with the same Idempotency-Key until it gets an answer.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.nodes import (
    Cluster,
    admin,
    central_orders,
    cluster,
    order_body,
    session_token,
    start_central,
    start_edge,
)

pytestmark = pytest.mark.integration

FAST_RETRIES = {"EDGE_FORWARD_MAX_BACKOFF_SECONDS": "0.5", "EDGE_BREAKER_RESET_SECONDS": "0.5"}
SKUS = [("sku-00042", "black-M"), ("sku-00007", None), ("sku-00100", None)]


@dataclass
class Shopper:
    name: str
    token: str
    acks: list[str] = field(default_factory=list)  # order ids, in submission order
    failures: int = 0


async def _submit(
    client: httpx.AsyncClient, url: str, shopper: Shopper, key: str, body: dict[str, object]
) -> None:
    """One order: retry with the same key until it is acknowledged (at most 60 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            response = await client.post(
                f"{url}/v1/orders",
                json=body,
                headers={"authorization": f"Bearer {shopper.token}", "idempotency-key": key},
            )
        except httpx.TransportError:
            shopper.failures += 1
            await asyncio.sleep(0.05)
            continue
        if response.status_code == 202:
            shopper.acks.append(response.json()["order_id"])
            return
        shopper.failures += 1
        assert response.status_code == 503, response.text
        await asyncio.sleep(0.05)
    raise AssertionError(f"{key} was never acknowledged")


async def _shop(url: str, shoppers: list[Shopper], per_shopper: int, specs: dict[str, str]) -> None:
    async with httpx.AsyncClient(timeout=5) as client:

        async def run(shopper: Shopper) -> None:
            for n in range(per_shopper):
                sku = SKUS[n % len(SKUS)][0]
                body = order_body(sku=sku, spec=specs[sku], note=f"{shopper.name}-{n}")
                await _submit(client, url, shopper, f"{shopper.name}-{n}", body)

        await asyncio.gather(*(run(shopper) for shopper in shoppers))


def _specs(edge_url: str) -> dict[str, str]:
    specs = {}
    for sku, spec in SKUS:
        item = httpx.get(f"{edge_url}/v1/catalog/items/{sku}").json()
        specs[sku] = spec or item["specs"][0]
    return specs


def _shoppers(edge_url: str, count: int) -> list[Shopper]:
    # Everyone orders as u-0001 (whose address a-0001-0 the orders name), with their own keys.
    token = session_token(edge_url, "u-0001")
    return [Shopper(f"s{n}", token) for n in range(count)]


async def _during(load: Awaitable[None], when: Callable[[], bool], action: Callable[[], None]) -> None:
    task = asyncio.ensure_future(load)
    while not when():
        if task.done():
            break
        await asyncio.sleep(0.01)
    action()
    await task


def _drained(nodes: Cluster, expected: set[str], timeout: float = 60) -> list[dict[str, object]]:
    ops = nodes.supervisor.env["CENTRAL_OPS_TOKEN"]
    deadline = time.monotonic() + timeout
    while True:
        stored = central_orders(nodes.central.url, ops, edge="edge-test")
        if expected <= {o["order_id"] for o in stored} or time.monotonic() > deadline:
            return stored
        time.sleep(0.2)


def _check_exactly_once_in_order(stored: list[dict[str, object]], shoppers: list[Shopper]) -> None:
    acked = [order_id for shopper in shoppers for order_id in shopper.acks]
    ids = [o["order_id"] for o in stored]
    assert len(ids) == len(set(ids)), "an order reached the central store twice"
    assert set(acked) <= set(ids), f"{len(set(acked) - set(ids))} acknowledged orders never arrived"
    assert len(set(acked)) == len(acked), "one key made two orders"
    assert len(ids) == len(acked), "the central store holds orders nobody was acknowledged for"
    seqs = [o["edge_seq"] for o in stored]
    assert seqs == sorted(seqs), "arrival order differs from the edge's submission order"
    arrival = {order_id: index for index, order_id in enumerate(ids)}
    for shopper in shoppers:
        positions = [arrival[order_id] for order_id in shopper.acks]
        assert positions == sorted(positions), f"{shopper.name}'s orders arrived out of order"


def test_sigkilled_edge_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    with cluster(tmp_path, extra_env=FAST_RETRIES) as nodes:
        specs = _specs(nodes.edge.url)
        shoppers = _shoppers(nodes.edge.url, 16)
        port = int(nodes.edge.url.rsplit(":", 1)[1])

        acks_at_kill: list[int] = []

        def kill_and_restart() -> None:
            acks_at_kill.append(sum(len(s.acks) for s in shoppers))
            nodes.edge.process.send_signal(signal.SIGKILL)
            nodes.edge.process.wait()
            nodes.supervisor.nodes.remove(nodes.edge)
            nodes.edge = start_edge(nodes.supervisor, nodes.central.url, tmp_path, port=port)

        load = _shop(nodes.edge.url, shoppers, per_shopper=25, specs=specs)
        asyncio.run(_during(load, lambda: sum(len(s.acks) for s in shoppers) >= 120, kill_and_restart))

        assert sum(len(s.acks) for s in shoppers) == 400
        # Mid-load: orders were acknowledged both before the kill and by the restarted edge. (Failed
        # requests are not a sign of it: answers already on their way, and a client that reconnects
        # on its own, can carry the load across the restart without a single error.)
        assert 0 < acks_at_kill[0] < 400 - 100, "the kill landed after the load had finished"
        stored = _drained(nodes, {order_id for s in shoppers for order_id in s.acks})
        _check_exactly_once_in_order(stored, shoppers)


def test_central_outage_keeps_acks_flowing_and_delivers_everything_later(tmp_path: Path) -> None:
    with cluster(tmp_path, extra_env=FAST_RETRIES) as nodes:
        specs = _specs(nodes.edge.url)
        shoppers = _shoppers(nodes.edge.url, 8)
        central_port = int(nodes.central.url.rsplit(":", 1)[1])
        acks_at_outage: list[int] = []

        def stop_central() -> None:
            acks_at_outage.append(sum(len(s.acks) for s in shoppers))
            nodes.central.process.send_signal(signal.SIGKILL)
            nodes.central.process.wait()
            nodes.supervisor.nodes.remove(nodes.central)

        load = _shop(nodes.edge.url, shoppers, per_shopper=40, specs=specs)
        asyncio.run(_during(load, lambda: sum(len(s.acks) for s in shoppers) >= 60, stop_central))
        acked = sum(len(s.acks) for s in shoppers)
        assert acked == 320
        assert acked - acks_at_outage[0] >= 200, "acknowledgements stopped with the central store"
        ready = httpx.get(f"{nodes.edge.url}/readyz", headers=admin(nodes)).json()
        assert ready["ready"] is True
        assert ready["outbox"]["depth"] > 0

        nodes.central = start_central(nodes.supervisor, tmp_path, port=central_port)
        stored = _drained(nodes, {order_id for s in shoppers for order_id in s.acks})
        _check_exactly_once_in_order(stored, shoppers)
        assert httpx.get(f"{nodes.edge.url}/readyz", headers=admin(nodes)).json()["outbox"]["depth"] == 0
        assert os.path.exists(tmp_path / "edge" / "outbox.sqlite3")
