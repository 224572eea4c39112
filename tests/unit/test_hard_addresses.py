"""The resolver on the hand-written corpus of hard addresses (tests/data/hard_addresses.jsonl).

Never confidently wrong; unsure where the text cannot tell; confidence that means what it says;
towns returned where written. The same corpus is compared with jionlp and cpca in
tests/benchmarks/test_bench_addresses.py and scripts/compare_address_resolvers.py.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from gateway.divisions import load_divisions, load_towns
from gateway.domain.address import CERTAIN, AddressResolver, Resolution
from tests.address_corpus import CLASSES, Row, load_corpus, outcome

NOISE_SET = Path(__file__).resolve().parents[1] / "data" / "addresses.jsonl"


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return load_corpus()


@pytest.fixture(scope="module")
def resolutions(rows: list[Row]) -> list[Resolution]:
    resolver = AddressResolver(load_divisions())
    return [resolver.resolve(row.text) for row in rows]


def _answer(resolution: Resolution) -> str | None:
    return resolution.division.adcode if resolution.certain and resolution.division else None


def test_the_corpus_covers_every_class_and_agrees_with_the_shipped_data(rows: list[Row]) -> None:
    divisions = {d.adcode: d for d in load_divisions()}
    towns = load_towns()
    assert len(rows) >= 200
    per_class = defaultdict(int)
    for row in rows:
        per_class[row.kind] += 1
        if row.adcode is None:
            division_names = {divisions[code].county for code in row.candidates}
            same_name = {d.adcode for d in divisions.values() if d.county in division_names}
            assert len(row.candidates) >= 2, row
            assert set(row.candidates) == same_name, row
            continue
        division = divisions[row.adcode]
        assert row.names == (division.province, division.city, division.county), row
        if row.town is not None:
            assert row.town in {t.name for t in towns[row.adcode]}, row
    assert set(per_class) == set(CLASSES)
    assert min(per_class.values()) >= 6, per_class


def test_no_address_is_answered_confidently_wrong(rows: list[Row], resolutions: list[Resolution]) -> None:
    wrong = [
        (row.text, row.adcode, _answer(resolution), resolution.evidence)
        for row, resolution in zip(rows, resolutions, strict=True)
        if outcome(row, _answer(resolution)) == "wrong"
    ]
    assert wrong == []


def test_nearly_every_address_is_resolved(rows: list[Row], resolutions: list[Resolution]) -> None:
    right = sum(outcome(row, _answer(r)) == "right" for row, r in zip(rows, resolutions, strict=True))
    # jionlp 1.5.31 gets 82% of this corpus right, cpca 0.5.5 60% (docs/benchmarks.md).
    assert right / len(rows) >= 0.95


def test_unsure_answers_list_every_county_the_text_may_mean(
    rows: list[Row], resolutions: list[Resolution]
) -> None:
    for row, resolution in zip(rows, resolutions, strict=True):
        if row.adcode is None:
            assert not resolution.certain, row
            assert set(row.candidates) <= {d.adcode for d in resolution.candidates}, row


def test_towns_and_villages_are_returned_where_written(
    rows: list[Row], resolutions: list[Resolution]
) -> None:
    for row, resolution in zip(rows, resolutions, strict=True):
        if row.town is None or _answer(resolution) != row.adcode:
            continue
        assert resolution.town is not None, row
        assert (resolution.town.name, resolution.town.adcode) == (row.town, row.adcode), row
        assert resolution.village == (row.village or ""), row


def test_confidence_means_what_it_says(rows: list[Row], resolutions: list[Resolution]) -> None:
    """Per tenth of confidence, the best candidate is right at least that often; none wrong at
    or above CERTAIN. On this corpus and the generated noise set together, for enough rows to tell
    (buckets of fewer than five addresses say nothing)."""
    resolver = AddressResolver(load_divisions())
    noisy = [json.loads(line) for line in NOISE_SET.read_text(encoding="utf-8").splitlines()]
    pairs = [(row.adcode, resolution) for row, resolution in zip(rows, resolutions, strict=True)]
    pairs += [(raw["adcode"], resolver.resolve(raw["text"])) for raw in noisy]
    buckets: dict[float, list[bool]] = defaultdict(list)
    for adcode, resolution in pairs:
        if adcode is None:
            continue
        best = resolution.candidates[0].adcode if resolution.candidates else None
        buckets[min(int(resolution.confidence * 10), 9) / 10].append(best == adcode)
        if resolution.certain:
            assert best == adcode, (adcode, resolution)
    judged = {low: sum(right) / len(right) for low, right in buckets.items() if len(right) >= 5}
    assert all(share >= low for low, share in judged.items()), judged
    assert {low for low in judged if low >= CERTAIN} == {0.8, 0.9}
