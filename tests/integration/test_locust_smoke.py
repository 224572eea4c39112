"""The load-test kit as CI runs it: a bounded Locust smoke, and the SLO gate failing a slow edge."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.nodes import SMALL_SEED, cluster

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
LOCUST = str(Path(sys.executable).with_name("locust"))


def _locust(host: str, workdir: Path, seconds: int = 10) -> subprocess.CompletedProcess[str]:
    files = f"{ROOT / 'loadtests' / 'locustfile.py'},{ROOT / 'loadtests' / 'shapes' / 'flash_sale.py'}"
    return subprocess.run(
        [LOCUST, "-f", files, "--headless", "--host", host, "--csv", str(workdir / "smoke"),
         "--html", str(workdir / "smoke.html"), "--only-summary"],
        env={**os.environ, "LOAD_BASE_USERS": "4", "LOAD_SECONDS": str(seconds), "LOAD_USERS": "50",
             "LOAD_SKUS": SMALL_SEED["CENTRAL_SEED_ITEMS"]},  # only items the seed made; others are 404s
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_smoke_run_meets_the_slo_and_writes_csv_and_html(tmp_path: Path) -> None:
    with cluster(tmp_path / "nodes") as nodes:
        result = _locust(nodes.edge.url, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "SLO met" in result.stderr
    stats = (tmp_path / "smoke_stats.csv").read_text()
    assert "/v1/order-page" in stats
    assert "/v1/orders" in stats
    assert (tmp_path / "smoke.html").stat().st_size > 1000


def test_the_slo_gate_fails_the_run_when_the_edge_is_slow(tmp_path: Path) -> None:
    with cluster(tmp_path / "nodes", extra_env={"EDGE_FAULT_DELAY_SECONDS": "0.6"}) as nodes:
        result = _locust(nodes.edge.url, tmp_path, seconds=8)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "SLO missed: GET /v1/order-page: p95" in result.stderr
