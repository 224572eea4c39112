"""gen-trace and replay as a load-test engineer runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.nodes import SMALL_SEED

pytestmark = pytest.mark.integration
CLI = [sys.executable, "-m", "gateway.cli"]


def test_gen_trace_is_seeded_json_lines(tmp_path: Path) -> None:
    first = subprocess.run(
        [*CLI, "gen-trace", "--seed", "5", "--users", "10"], capture_output=True, check=True
    )
    again = subprocess.run(
        [*CLI, "gen-trace", "--seed", "5", "--users", "10"], capture_output=True, check=True
    )
    assert first.stdout == again.stdout
    events = [json.loads(line) for line in first.stdout.splitlines()]
    assert events
    assert [e["t"] for e in events] == sorted(e["t"] for e in events)
    assert {"view", "open_order"} <= {e["type"] for e in events}


def test_replay_drives_its_own_edge_and_reports(tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    generated = subprocess.run(
        [*CLI, "gen-trace", "--seed", "2", "--users", "12"], capture_output=True, check=True
    )
    # A line of garbage and an unknown event type are skipped, never fatal.
    trace.write_bytes(
        generated.stdout + b'not json\n{"t": 1, "session": "x", "user": "u-0001", "type": "teleport"}\n'
    )
    result = subprocess.run(
        [*CLI, "replay", str(trace), "--speed", "400", "--max-pause", "0.2", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **SMALL_SEED},  # the trace names items past these 200: replay adds them
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    opens = sum(1 for line in generated.stdout.splitlines() if b'"open_order"' in line)
    assert report["opens"] == opens
    assert set(report) >= {
        "hits",
        "hit_rate",
        "prerenders",
        "unused_prerenders",
        "waste_per_hit",
        "latency_ms",
    }
    assert report["errors"] == 0
    assert 0 < report["hits"] <= report["opens"]
    assert 0 <= report["unused_prerenders"] <= report["prerenders"]
    assert report["latency_ms"]["hit"]["p99"] > 0
