"""The edge-gateway verbs as a user runs them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from gateway.processes import free_port
from tests.nodes import SMALL_SEED, fresh_secrets

pytestmark = pytest.mark.integration
CLI = [sys.executable, "-m", "gateway.cli"]


@pytest.mark.parametrize("verb", ["central", "edge", "demo", "fleet"])
def test_every_verb_has_help_naming_its_environment(verb: str) -> None:
    result = subprocess.run([*CLI, verb, "--help"], capture_output=True, text=True, check=True)
    text = " ".join(result.stdout.split())
    assert text.startswith(f"usage: edge-gateway {verb}")
    options = set(re.findall(r"\[(--[a-z-]+) [A-Z_]+\]", text))
    assert options, text
    assert len(re.findall(r"\[env [A-Z_]+\]", text)) == len(options), "every flag names its variable"


@pytest.mark.parametrize("verb", ["central", "edge"])
def test_nodes_refuse_to_start_without_the_secret(verb: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GATEWAY_SECRET"}
    result = subprocess.run([*CLI, verb], capture_output=True, text=True, env=env, timeout=30, check=False)
    assert result.returncode == 2
    assert "GATEWAY_SECRET" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_region_is_a_clear_error() -> None:
    env = {**os.environ, **fresh_secrets()}
    result = subprocess.run(
        [*CLI, "edge", "--region", "atlantis"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "atlantis" in result.stderr


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("EDGE_CACHE_BACKEND", "memcached"),
        ("EDGE_PRERENDER_STRATEGY", "psychic"),
        ("EDGE_OUTBOX_SYNCHRONOUS", "OFF"),
        ("EDGE_RATE_ORDERS_PER_SHOPPER", "lots"),
        ("EDGE_SESSION_PUBLIC_KEY", "/nonexistent/identity.pem"),
        ("EDGE_SERVER_MAX_CONNECTIONS", "many"),
    ],
)
def test_a_bad_setting_stops_the_edge_before_it_takes_anything(
    setting: str, value: str, tmp_path: Path
) -> None:
    env = {**os.environ, **fresh_secrets(), setting: value, "EDGE_DATA_DIR": str(tmp_path / "edge")}
    result = subprocess.run([*CLI, "edge"], capture_output=True, text=True, env=env, timeout=30, check=False)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.startswith(f"edge-gateway edge: {setting}")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "edge").exists(), "nothing was opened: no outbox, no lock"


def _wait_for_line(process: subprocess.Popen[str], pattern: str, timeout: float) -> re.Match[str]:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        match = re.fullmatch(pattern, line.rstrip("\n"))
        if match:
            return match
    raise AssertionError(f"no line matching {pattern!r} in {seen!r}")


def _interrupt_and_reap(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGINT)
    return process.wait(timeout=30)


def test_demo_prints_the_edge_url_serves_items_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    env = {**os.environ, **SMALL_SEED}
    demo = subprocess.Popen(
        [*CLI, "demo", "--data-dir", str(tmp_path), "--central-port", str(free_port("127.0.0.1", 0)),
         "--edge-port", str(free_port("127.0.0.1", 0))],
        stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        edge_url = _wait_for_line(demo, r"edge: (http://127\.0\.0\.1:\d+)", timeout=60).group(1)
        response = httpx.get(f"{edge_url}/v1/catalog/items/sku-00042")
        assert response.status_code == 200
        assert response.json()["sku"] == "sku-00042"
    finally:
        code = _interrupt_and_reap(demo)
    assert code == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{edge_url}/healthz")


def test_fleet_runs_one_edge_per_region(tmp_path: Path) -> None:
    central_port = free_port("127.0.0.1", 0)
    regions = tmp_path / "regions"
    regions.mkdir()
    ports = {}
    for index, name in enumerate(["alpha", "beta", "gamma"]):
        ports[name] = free_port("127.0.0.1", 0)
        (regions / f"{name}.toml").write_text(
            f'name = "{name}"\nport = {ports[name]}\ncentral_url = "http://127.0.0.1:{central_port}"\n'
            f'adcode_prefixes = ["{11 + index}"]\n',
            encoding="utf-8",
        )
    fleet = subprocess.Popen(
        [*CLI, "fleet", "--data-dir", str(tmp_path / "state"), "--regions-dir", str(regions)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, **SMALL_SEED},
    )  # fmt: skip
    try:
        token = _wait_for_line(fleet, r"edge admin token: (\S+)", timeout=90).group(1)
        _wait_for_line(fleet, r"Ctrl-C stops the fleet\.", timeout=30)
        for name, port in ports.items():
            admin = {"authorization": f"Bearer {token}"}
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", headers=admin).json()
            assert ready["region"] == name
            assert ready["node"] == f"edge-{name}"
            assert httpx.get(f"http://127.0.0.1:{port}/v1/catalog/items/sku-00001").status_code == 200
    finally:
        code = _interrupt_and_reap(fleet)
    assert code == 0
