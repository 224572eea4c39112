"""The corpus of hard addresses (tests/data/hard_addresses.jsonl), how an answer is scored on it,
and the two libraries the resolver is compared with (jionlp and cpca, development dependencies).

Shared by the corpus tests, the benchmark and ``scripts/compare_address_resolvers.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.divisions import Division, load_divisions
from gateway.domain.address import AddressResolver

CORPUS = Path(__file__).resolve().parent / "data" / "hard_addresses.jsonl"

# The classes of issue 21, and villages; "ambiguous" rows cannot be told apart and must stay unsure.
CLASSES = (
    "typo",
    "city_abbreviation",
    "no_province",
    "reverse_order",
    "traditional",
    "recipient_mixed",
    "same_name_by_city",
    "renamed",
    "county_city_without_shi",
    "city_without_counties",
    "ethnic_prefecture_short",
    "shared_characters",
    "town_tells_county",
    "village",
    "ambiguous",
)

# An answerer reads a text and gives a county's adcode, or None when it cannot tell.
Answerer = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class Row:
    kind: str
    text: str
    adcode: str | None  # None: the text cannot tell the county
    town: str | None = None
    village: str | None = None
    candidates: tuple[str, ...] = ()  # for ambiguous rows: every county the text may mean
    names: tuple[str, str, str] | None = None  # province, city, county as written in the corpus


def load_corpus(path: Path = CORPUS) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        names = (raw["province"], raw["city"], raw["county"]) if raw["adcode"] else None
        rows.append(
            Row(
                raw["class"],
                raw["text"],
                raw["adcode"],
                raw.get("town"),
                raw.get("village"),
                tuple(raw.get("candidates", ())),
                names,
            )
        )
    return rows


def outcome(row: Row, answer: str | None) -> str:
    """ "right", "unsure" or "wrong" (a confident answer that is not the county)."""
    if row.adcode is None:
        return "wrong" if answer else "right"
    if answer is None:
        return "unsure"
    return "right" if answer == row.adcode else "wrong"


@dataclass
class Tally:
    outcomes: Counter[str] = field(default_factory=Counter)
    by_class: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    nanoseconds: list[int] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.outcomes["right"] / sum(self.outcomes.values())

    @property
    def median_ms(self) -> float:
        ordered = sorted(self.nanoseconds)
        return ordered[len(ordered) // 2] / 1e6


def tally(answer: Answerer, rows: Iterable[Row], rounds: int = 1) -> Tally:
    """Every row answered ``rounds`` times; outcomes from the first round, times from all."""
    result = Tally()
    rows = list(rows)
    for round_ in range(rounds):
        for row in rows:
            started = time.perf_counter_ns()
            got = answer(row.text)
            result.nanoseconds.append(time.perf_counter_ns() - started)
            if round_ == 0:
                result.outcomes[outcome(row, got)] += 1
                result.by_class[row.kind][outcome(row, got)] += 1
    return result


def ours(resolver: AddressResolver) -> Answerer:
    def answer(text: str) -> str | None:
        resolution = resolver.resolve(text)
        return resolution.division.adcode if resolution.certain and resolution.division else None

    return answer


class _ByNames:
    """Adcodes by the names the libraries answer with; a city with a single county names it."""

    def __init__(self, divisions: list[Division]) -> None:
        self._full = {(d.province, d.city, d.county): d.adcode for d in divisions}
        by_city: dict[tuple[str, str], list[str]] = defaultdict(list)
        by_county: dict[tuple[str, str], list[str]] = defaultdict(list)
        for d in divisions:
            by_city[d.province, d.city].append(d.adcode)
            by_county[d.province, d.county].append(d.adcode)
        self._by_city = dict(by_city)
        self._by_county = dict(by_county)
        self.adcodes = {d.adcode for d in divisions}

    def adcode(self, province: str | None, city: str | None, county: str | None) -> str | None:
        if not province:
            return None
        city = city if city and city != "市辖区" else province
        if county:
            if (found := self._full.get((province, city, county))) is not None:
                return found
            matches = self._by_county.get((province, county), [])
        else:
            matches = self._by_city.get((province, city), [])
        return matches[0] if len(matches) == 1 else None


def jionlp_answerer() -> Answerer:
    """jionlp's ``parse_location``; its import prints a banner, kept off stdout."""
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp  # a development dependency

    names = _ByNames(load_divisions())

    def answer(text: str) -> str | None:
        found: dict[str, Any] = jionlp.parse_location(text)
        return names.adcode(found["province"], found["city"], found["county"])

    answer(CORPUS_WARM_UP)  # jionlp loads its dictionaries on the first call
    return answer


def cpca_answerer() -> Answerer:
    with warnings.catch_warnings():  # cpca imports pkg_resources, deprecated
        warnings.simplefilter("ignore")
        import cpca  # a development dependency

    names = _ByNames(load_divisions())

    def answer(text: str) -> str | None:
        found = cpca.transform([text]).iloc[0]
        if found["adcode"] in names.adcodes:
            return str(found["adcode"])
        return names.adcode(found["省"], found["市"], found["区"])

    answer(CORPUS_WARM_UP)
    return answer


CORPUS_WARM_UP = "浙江省杭州市西湖区文三路90号"
