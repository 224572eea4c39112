"""The address resolver, jionlp and cpca on the corpus of hard addresses, in the same run.

``make bench`` times the three in the group ``address-corpus``: every round answers one address of
the corpus (``tests/data/hard_addresses.jsonl``, in a cycle), so each median is the median time per
address and their ratio is measured in the same run. ``scripts/compare_address_resolvers.py``
prints the accuracy table beside it for docs/benchmarks.md. In ``make test`` each benchmark runs
once, and the accuracy test compares the three answers on the whole corpus.

jionlp and cpca are development dependencies; where one cannot be imported its tests skip, saying so.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from gateway.divisions import load_divisions
from gateway.domain.address import AddressResolver
from tests.address_corpus import Answerer, cpca_answerer, jionlp_answerer, load_corpus, ours, tally

ROWS = load_corpus()


def _library(make: Callable[[], Answerer], name: str) -> Answerer:
    try:
        return make()
    except ImportError as exc:
        pytest.skip(f"{name} is not installed ({exc}); pip install -e '.[dev]' brings it")


def _per_address(benchmark: BenchmarkFixture, answer: Answerer, cycles: int) -> None:
    texts = itertools.cycle([row.text for row in ROWS])

    def next_address() -> tuple[tuple[str], dict[str, object]]:
        return (next(texts),), {}

    benchmark.group = "address-corpus"
    benchmark.pedantic(answer, setup=next_address, rounds=cycles * len(ROWS), warmup_rounds=len(ROWS))


def test_resolver_per_address(benchmark: BenchmarkFixture) -> None:
    _per_address(benchmark, ours(AddressResolver(load_divisions())), cycles=20)


def test_jionlp_per_address(benchmark: BenchmarkFixture) -> None:
    _per_address(benchmark, _library(jionlp_answerer, "jionlp"), cycles=1)


def test_cpca_per_address(benchmark: BenchmarkFixture) -> None:
    _per_address(benchmark, _library(cpca_answerer, "cpca"), cycles=2)


def test_accuracy_at_least_each_librarys_and_never_confidently_wrong() -> None:
    mine = tally(ours(AddressResolver(load_divisions())), ROWS)
    assert mine.outcomes["wrong"] == 0, mine.outcomes
    for make, name in ((jionlp_answerer, "jionlp"), (cpca_answerer, "cpca")):
        theirs = tally(_library(make, name), ROWS)
        assert mine.accuracy >= theirs.accuracy, (name, mine.outcomes, theirs.outcomes)
