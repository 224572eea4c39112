"""The server benchmark's baselines answer what they claim: the durable one stores before it acks."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest
from starlette.testclient import TestClient

from gateway.outbox.group_commit import GroupCommitter
from gateway.outbox.store import Outbox
from loadtests import outbox_io, outbox_model
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


async def test_the_outbox_model_times_every_stage_of_every_group_and_puts_the_committer_back(
    tmp_path: Path,
) -> None:
    committer_methods = dict(vars(GroupCommitter))
    stages = await outbox_model.run(rate=400, seconds=0.5, work_us=50, directory=tmp_path)
    assert vars(GroupCommitter) == committer_methods
    assert set(stages) == set(outbox_model.STAGES)
    appends = stages["append"]["count"]
    assert 100 <= appends <= 320  # ~200 orders in half a second at 400/s
    assert stages["resume"]["count"] == appends
    groups = stages["commit"]["count"]
    assert 0 < groups <= appends + 20  # a group per commit; the forwarder's marks add a few
    for stage in ("statements", "to_thread", "back_to_loop"):
        assert stages[stage]["count"] == groups
    assert stages["wait_for_loop_turn"]["count"] + stages["wait_for_group_ahead"]["count"] == groups
    assert all(
        0 < figures["p50"] <= figures["p99"] <= figures["max"]
        for figures in stages.values()
        if figures["count"]
    )


async def test_the_outbox_model_puts_the_committer_back_when_a_run_fails(tmp_path: Path) -> None:
    committer_methods = dict(vars(GroupCommitter))
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    with pytest.raises(FileExistsError):
        await outbox_model.run(rate=400, seconds=0.5, work_us=0, directory=not_a_directory)
    assert vars(GroupCommitter) == committer_methods


async def test_the_outbox_io_probe_stores_forwarded_orders_first_then_appends_and_marks(
    tmp_path: Path,
) -> None:
    result = await outbox_io.measure(tmp_path, stored=300, orders=250, group=16)
    assert result.group == 16
    assert result.cpu_us > 0
    assert result.orders_per_second > 0
    assert 0 < result.append_p50_ms <= result.append_p99_ms
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    outbox.open()
    try:
        # Marked 200 at a time: after the 13th group of 16 (208 orders); the last 42 still wait.
        assert outbox.depth == 42
        pending = await outbox.pending(100)
        assert pending[0].seq == 300 + 208 + 1
    finally:
        await outbox.close()
