"""The server benchmark's baselines answer what they claim: the durable one stores before it acks."""

from __future__ import annotations

import asyncio

import orjson
from starlette.testclient import TestClient

from loadtests.bare import app


def test_the_durable_baseline_has_stored_every_body_it_acknowledged() -> None:
    with TestClient(app) as client:
        answers = [client.post("/durable-ack", content=b'{"n": %d}' % n) for n in range(3)]
        assert [answer.status_code for answer in answers] == [202] * 3
        pending = asyncio.run(_pending(client))
    assert [payload for _, payload in pending] == [b'{"n": 0}', b'{"n": 1}', b'{"n": 2}']
    assert [order_id for order_id, _ in pending] == [orjson.loads(a.content)["order_id"] for a in answers]


async def _pending(client: TestClient) -> list[tuple[str, bytes]]:
    return [(order.order_id, order.payload) for order in await client.app.state.outbox.pending(10)]  # type: ignore[attr-defined]
