"""The dependency rules are checked, not wished: lint-imports passes on the tree, and fails on a copy of
it where one rule is broken the way the code once broke it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# (file, the import that breaks a rule): each as it once stood in this code.
BREAKS = [
    ("gateway/domain/pricing.py", "from starlette.requests import Request"),  # a framework in the domain
    ("gateway/traces/generate.py", "from gateway.central import app"),  # the generator reaching the store
    ("gateway/outbox/forwarder.py", "from gateway.edge import context"),  # the outbox knowing the edge
    ("gateway/cache/items.py", "from gateway.responses import json_response"),  # Starlette in the cache
    ("gateway/edge/routes/catalog.py", "from gateway.central import routes"),  # one app in the other
]


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": str(LINT_IMPORTS.parent)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_tree_keeps_every_contract() -> None:
    run = _lint(ROOT)
    assert run.returncode == 0, run.stdout[-3000:]


@pytest.mark.parametrize(("module", "line"), BREAKS, ids=[module for module, _ in BREAKS])
def test_breaking_a_rule_fails_the_lint(tmp_path: Path, module: str, line: str) -> None:
    for part in ("gateway", "edge_nodes"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    run = _lint(tmp_path)
    assert run.returncode != 0, run.stdout[-3000:]
    assert "BROKEN" in run.stdout
