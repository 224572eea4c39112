"""No Docker engine runs here, so the Dockerfile is held to account by lint and by running its commands."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from gateway.processes import Node, free_port, wait_ready
from tests.nodes import SMALL_SEED, fresh_secrets

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    joined = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in joined.splitlines() if line.strip() and not line.startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    return instructions[last_from:]


def _exec_form(op: str) -> list[str]:
    values = [json.loads(arg) for name, arg in _final_stage() if name == op]
    assert values, f"{op} must be in exec form"
    command: list[str] = values[-1]
    return command


def _image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for op, arg in _final_stage():
        if op == "ENV":
            for pair in shlex.split(arg):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def test_hadolint_is_clean() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_runtime_stage_is_non_root_and_checks_health_without_curl() -> None:
    final = _final_stage()
    users = [arg for op, arg in final if op == "USER"]
    assert users
    assert not users[-1].startswith(("root", "0"))
    healthcheck = next(arg for op, arg in final if op == "HEALTHCHECK")
    assert "curl" not in healthcheck
    assert "wget" not in healthcheck
    assert len([op for op, _ in _instructions() if op == "FROM"]) >= 2, "multi-stage"


def test_build_stage_sources_make_a_complete_wheel(tmp_path: Path) -> None:
    """Build from exactly what the build stage copies, as its `pip install .` does."""
    build = [arg for op, arg in _instructions() if op == "COPY" and "--from" not in arg]
    context = tmp_path / "context"
    context.mkdir()
    for arg in build:
        *sources, _ = arg.split()
        for source in sources:
            target = context / source
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(ROOT / source, target)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            ".",
        ],
        cwd=context,
        check=True,
    )
    wheel = next(tmp_path.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "gateway/data/divisions.json" in names
    assert any(name.startswith("edge_nodes/regions/") and name.endswith(".toml") for name in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "edge-gateway = gateway.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.parametrize("role", ["central", "edge"])
def test_entrypoint_and_healthcheck_commands_run_as_the_image_runs_them(tmp_path: Path, role: str) -> None:
    entrypoint, command = _exec_form("ENTRYPOINT"), _exec_form("CMD")
    healthcheck = json.loads(
        next(arg for op, arg in _final_stage() if op == "HEALTHCHECK").split("CMD", 1)[1]
    )
    port = free_port("127.0.0.1", 0)
    prefix = role.upper()
    env = {
        **os.environ,
        **_image_env(),
        **fresh_secrets(),
        **SMALL_SEED,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        f"{prefix}_HOST": "127.0.0.1",  # the image binds 0.0.0.0; a test stays on loopback
        f"{prefix}_PORT": str(port),
        "CENTRAL_DATA_DIR": str(tmp_path / "central"),
        "EDGE_DATA_DIR": str(tmp_path / "edge"),
    }
    if role == "edge":
        env["EDGE_CENTRAL_URL"] = "http://127.0.0.1:9"
        env["CENTRAL_PORT"] = str(free_port("127.0.0.1", 0))
    else:
        env["EDGE_PORT"] = str(free_port("127.0.0.1", 0))
    args = command if role == "edge" else [role]
    assert command == ["edge"], "the image's default role is the edge"
    node = Node(role, f"http://127.0.0.1:{port}", subprocess.Popen([*entrypoint, *args], env=env))
    try:
        wait_ready(node, "/healthz", timeout=60)
        assert httpx.get(f"{node.url}/healthz").status_code == 200
        assert subprocess.run(healthcheck, env=env, check=False).returncode == 0
    finally:
        node.process.terminate()
        node.process.wait(timeout=20)
    assert subprocess.run(healthcheck, env=env, check=False).returncode == 1
