"""An edge node's start: what it takes is given back when a later step fails, and on a normal stop."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.clients.central import CentralClient
from gateway.edge.app import create_edge_app
from gateway.outbox.store import Outbox
from gateway.settings import EdgeSettings


def _settings(tmp_path: Path) -> EdgeSettings:
    return EdgeSettings(
        secret="node-test-secret-long-enough", central_url="http://127.0.0.1:9", data_dir=tmp_path
    )


async def test_a_start_failing_half_way_releases_the_outbox_it_had_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreachable(self: CentralClient) -> None:
        raise RuntimeError("the HTTP session could not be made")

    monkeypatch.setattr(CentralClient, "start", unreachable)
    app = create_edge_app(_settings(tmp_path))
    with pytest.raises(RuntimeError, match="HTTP session"):
        async with app.router.lifespan_context(app):
            pytest.fail("the node must not start")
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    outbox.open()  # the lock was given back: a restart on the same directory takes it
    await outbox.close()


async def test_a_stopped_node_gives_back_everything_it_took(tmp_path: Path) -> None:
    app = create_edge_app(_settings(tmp_path))
    async with app.router.lifespan_context(app):
        pass
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    outbox.open()
    await outbox.close()
