"""Floors for the address resolver on the labelled set tests/data/addresses.jsonl.

The set is made by scripts/make_address_set.py (seeded; labels come from the divisions data, not
from the resolver); scripts/address_accuracy.py prints the same numbers as a table.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.divisions import load_divisions
from gateway.domain.address import AddressResolver

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "addresses.jsonl"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def answers(rows: list[dict[str, object]]) -> list[tuple[str | None, str | None]]:
    """(label, certain answer or None) per row."""
    resolver = AddressResolver(load_divisions())
    pairs: list[tuple[str | None, str | None]] = []
    for row in rows:
        resolution = resolver.resolve(str(row["text"]))
        answer = resolution.division.adcode if resolution.certain and resolution.division else None
        label = row["adcode"]
        pairs.append((label if isinstance(label, str) else None, answer))
    return pairs


def test_the_set_is_large_varied_and_well_formed(rows: list[dict[str, object]]) -> None:
    adcodes = {d.adcode for d in load_divisions()}
    assert len(rows) >= 400
    for row in rows:
        assert set(row) == {"text", "adcode", "noise"}
        assert row["adcode"] is None or row["adcode"] in adcodes
        assert isinstance(row["noise"], list)
    kinds = {kind for row in rows for kind in row["noise"]}  # type: ignore[attr-defined]
    assert {
        "dropped_province",
        "short_province",
        "dropped_city",
        "city_no_suffix",
        "county_no_suffix",
        "suffix_typo",
        "county_typo",
        "separators",
        "fullwidth",
        "street",
        "village",
    } <= kinds
    assert sum(row["adcode"] is None for row in rows) >= 10


def test_the_committed_set_is_what_the_generator_makes(tmp_path: Path) -> None:
    out = tmp_path / "addresses.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_address_set.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == DATA.read_bytes()


def test_most_resolvable_addresses_are_answered_certainly_and_correctly(
    answers: list[tuple[str | None, str | None]],
) -> None:
    resolvable = [(label, answer) for label, answer in answers if label is not None]
    correct = sum(label == answer for label, answer in resolvable)
    assert correct / len(resolvable) >= 0.90


def test_certain_but_wrong_answers_are_at_most_half_a_percent(
    answers: list[tuple[str | None, str | None]],
) -> None:
    wrong = [(label, answer) for label, answer in answers if answer is not None and answer != label]
    assert len(wrong) <= 0.005 * len(answers), wrong


def test_addresses_that_cannot_be_told_apart_are_never_answered_certainly(
    rows: list[dict[str, object]], answers: list[tuple[str | None, str | None]]
) -> None:
    guessed = [
        row["text"] for row, (label, answer) in zip(rows, answers, strict=True) if label is None and answer
    ]
    assert guessed == []
