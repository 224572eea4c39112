"""The README and docs/ stand alone and stay true: every setting documented, every route of both
contracts described, every link resolving, nothing pointing outside the repository."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from gateway.central.contract import OPERATIONS as CENTRAL_OPERATIONS
from gateway.edge.contract import OPERATIONS as EDGE_OPERATIONS
from gateway.settings import CentralSettings, EdgeSettings, ServerSettings

ROOT = Path(__file__).parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _variables() -> set[str]:
    names = {"GATEWAY_SECRET", "GATEWAY_DEMO_LOGIN"}
    for cls, prefix in ((CentralSettings, "CENTRAL_"), (EdgeSettings, "EDGE_")):
        for field in dataclasses.fields(cls):
            if field.name not in ("secret", "server", "demo_login"):
                names.add(f"{prefix}{field.name.upper()}")
    names |= {f"…_{field.name.upper()}" for field in dataclasses.fields(ServerSettings)}
    return names


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:EDGE|CENTRAL|GATEWAY)_[A-Z_]+|…_[A-Z_]+)`", text))
    missing = sorted(_variables() - named)
    assert missing == []


@pytest.mark.parametrize(
    ("operations", "section"), [(EDGE_OPERATIONS, "## Edge"), (CENTRAL_OPERATIONS, "## Central store")]
)
def test_every_operation_is_described(operations: tuple[object, ...], section: str) -> None:
    text = (ROOT / "docs" / "http-api.md").read_text(encoding="utf-8")
    part = text[text.index(section) :]
    for operation in operations:
        method, path = operation.method, operation.path  # type: ignore[attr-defined]
        assert re.search(rf"`{method} {re.escape(path)}[`?]", part), f"{method} {path}"


@pytest.mark.parametrize("document", DOCS, ids=lambda path: path.name)
def test_links_resolve_and_stay_inside_the_repository(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    assert "../shared" not in text
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if not target.startswith(("http://", "https://")):
            assert (document.parent / target).exists(), target
