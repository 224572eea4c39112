"""With the central store gone or hung, cached items are still served and the rest fail fast."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.nodes import cluster

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("outage", ["killed", "hung"])
def test_cached_item_survives_and_uncached_fails_fast(tmp_path: Path, outage: str) -> None:
    with cluster(tmp_path) as nodes:
        cached = f"{nodes.edge.url}/v1/catalog/items/sku-00003"
        assert httpx.get(cached).status_code == 200
        central = nodes.central.process
        if outage == "killed":
            central.kill()
            central.wait()
        else:
            os.kill(central.pid, signal.SIGSTOP)  # accepts connections, never answers
        try:
            assert httpx.get(cached).status_code == 200

            started = time.monotonic()
            response = httpx.get(f"{nodes.edge.url}/v1/catalog/items/sku-00004", timeout=5)
            elapsed = time.monotonic() - started
            assert response.status_code == 503
            assert response.json()["error"]["code"] == "upstream_unavailable"
            assert "retry-after" in response.headers
            assert elapsed < 1.0
        finally:
            if outage == "hung":
                os.kill(central.pid, signal.SIGCONT)
