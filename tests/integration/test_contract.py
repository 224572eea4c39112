"""The OpenAPI documents: valid 3.1, one operation for every route, and schemathesis against a live edge
with two shoppers (all checks, authorization between the two included), bounded in time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from openapi_spec_validator import validate
from starlette.routing import Route

from gateway.central.app import create_central_app
from gateway.edge.app import ROUTES as EDGE_ROUTES
from gateway.settings import CentralSettings
from gateway.signing import SessionSigner
from tests.nodes import Cluster

pytestmark = pytest.mark.integration
CONFIG = Path(__file__).parents[1] / "contract" / "schemathesis.toml"
SECONDS = 45


def _operations(document: dict[str, object]) -> set[tuple[str, str]]:
    paths = document["paths"]
    assert isinstance(paths, dict)
    return {(method.upper(), path) for path, methods in paths.items() for method in methods}


def _routes(routes: list[object]) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in routes
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    }


@pytest.mark.parametrize("node", ["edge", "central"])
def test_each_node_publishes_a_valid_document_for_every_route_it_serves(running: Cluster, node: str) -> None:
    url = running.edge.url if node == "edge" else running.central.url
    document = httpx.get(f"{url}/openapi.json").json()
    validate(document)
    if node == "edge":
        routes = _routes(EDGE_ROUTES)
    else:
        routes = _routes(create_central_app(CentralSettings(secret="x" * 32)).routes)
    assert _operations(document) == routes


def test_schemathesis_finds_nothing_with_two_shoppers(running: Cluster, tmp_path: Path) -> None:
    signer = SessionSigner(running.secret)
    shoppers = {"alice": "u-0001", "bob": "u-0002"}
    wfc = {
        "auth": [
            {
                "name": name,
                "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {signer.issue(user)[0]}"}],
            }
            for name, user in shoppers.items()
        ]
    }
    (tmp_path / "wfc.json").write_text(json.dumps(wfc), encoding="utf-8")
    schemathesis = Path(sys.executable).with_name("schemathesis")
    command = [
        str(schemathesis), "--config-file", str(CONFIG), "run", f"{running.edge.url}/openapi.json",
        "--checks", "all", "--max-time", str(SECONDS), "--seed", "1", "--workers", "1",
        "--report", "junit", "--report-dir", str(tmp_path / "report"),
    ]  # fmt: skip
    env = {**os.environ, "GATEWAY_WFC_FILE": str(tmp_path / "wfc.json")}
    run = subprocess.run(  # in tmp_path: schemathesis keeps a cache of its own in its working directory
        command, capture_output=True, text=True, env=env, timeout=SECONDS + 120, check=False, cwd=tmp_path
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "passed" in run.stdout.rsplit("SUMMARY", 1)[-1], run.stdout[-2000:]
