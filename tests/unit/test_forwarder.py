"""The forwarder in-process, against a central store in the same event loop: orders reach it once, in
their outbox order, through an outage and a refusal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson
import pytest

from gateway.clients.central import CentralClient
from gateway.outbox.forwarder import Forwarder
from gateway.outbox.store import NewOrder, Outbox
from gateway.resilience import Backoff, CircuitBreaker
from gateway.signing import BatchSigner, edge_credential
from tests.central_app import OPS_TOKEN, SECRET, CentralInProcess, central_in_process

EDGE = "edge-forwarder-test"


def _order(n: int, status: str = "accepted") -> NewOrder:
    packet = orjson.dumps({"user_id": "u-0001", "status": status, "order_id": f"o-{n:04d}"})
    return NewOrder(f"o-{n:04d}", "u-0001", f"key-{n}", "fp", status, packet, b"{}")


@pytest.fixture
async def central(tmp_path: Path) -> AsyncIterator[CentralInProcess]:
    async with central_in_process(tmp_path / "central") as running:
        yield running


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[Outbox]:
    store = Outbox(tmp_path / "outbox.sqlite3")
    store.open()
    yield store
    await store.close()


@pytest.fixture
async def client(central: CentralInProcess) -> AsyncIterator[CentralClient]:
    client = CentralClient(central.url, edge_credential(SECRET), CircuitBreaker(100, 0.05))
    await client.start()
    yield client
    await client.close()


def _forwarder(outbox: Outbox, client: CentralClient, secret: str = SECRET) -> Forwarder:
    backoff = Backoff(base=0.01, cap=0.05)
    return Forwarder(
        outbox, client, BatchSigner(secret), EDGE, batch_size=4, backoff=backoff, retention_seconds=3600
    )


def _stored(central: CentralInProcess) -> list[dict[str, object]]:
    headers = {"authorization": f"Bearer {OPS_TOKEN}"}
    answer = httpx.get(f"{central.url}/v1/orders", params={"edge": EDGE, "limit": 1000}, headers=headers)
    orders: list[dict[str, object]] = answer.json()["orders"]
    return orders


async def _drain(forwarder: Forwarder, outbox: Outbox, steps: int = 50) -> None:
    for _ in range(steps):
        if outbox.depth == 0:
            return
        await asyncio.sleep(await forwarder.send(await outbox.pending(4)))


async def test_orders_reach_the_central_store_once_in_outbox_order(
    central: CentralInProcess, outbox: Outbox, client: CentralClient
) -> None:
    for n in range(10):
        await outbox.append(_order(n, "needs_review" if n == 3 else "accepted"))
    forwarder = _forwarder(outbox, client)
    await _drain(forwarder, outbox)
    stored = await asyncio.to_thread(_stored, central)
    assert [order["order_id"] for order in stored] == [f"o-{n:04d}" for n in range(10)]
    assert [order["edge_seq"] for order in stored] == sorted(order["edge_seq"] for order in stored)
    assert forwarder.stats.forwarded == 10
    assert outbox.depth == 0
    batch = await outbox.pending(4)
    assert batch == []


async def test_a_batch_sent_twice_is_stored_once(
    central: CentralInProcess, outbox: Outbox, client: CentralClient
) -> None:
    for n in range(3):
        await outbox.append(_order(n))
    forwarder = _forwarder(outbox, client)
    batch = await outbox.pending(4)
    await forwarder.send(batch)
    await forwarder.send(batch)  # the answer to the first was lost, say: the same batch again
    assert len(await asyncio.to_thread(_stored, central)) == 3


async def test_an_outage_delays_orders_and_loses_none(
    central: CentralInProcess, outbox: Outbox, client: CentralClient
) -> None:
    forwarder = _forwarder(outbox, client)
    await central.stop()
    for n in range(5):
        await outbox.append(_order(n))
    assert await forwarder.send(await outbox.pending(4)) > 0, "it backs off"
    assert forwarder.stats.failures == 1
    assert outbox.depth == 5
    await central.start()
    await _drain(forwarder, outbox)
    assert [o["order_id"] for o in await asyncio.to_thread(_stored, central)] == [
        f"o-{n:04d}" for n in range(5)
    ]


async def test_a_refused_batch_stays_in_the_outbox(
    central: CentralInProcess, outbox: Outbox, client: CentralClient
) -> None:
    await outbox.append(_order(0))
    forwarder = _forwarder(outbox, client, secret="not-the-central-stores-secret")
    assert await forwarder.send(await outbox.pending(4)) > 0
    assert forwarder.stats.failures == 1
    assert "401" in (forwarder.stats.last_error or "")
    assert outbox.depth == 1
    assert await asyncio.to_thread(_stored, central) == []
