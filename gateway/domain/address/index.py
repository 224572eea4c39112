"""The resolver's index: every way a division's name can appear in a text, and what it can mean.

Built once per process from the divisions data (~13k names), then read by one left-to-right pass.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from gateway.divisions import Division
from gateway.domain.address.names import (
    BARE,
    CITY,
    COUNTY,
    FULL,
    HOLE,
    PROVINCE,
    SHORT,
    SUFFIX_TYPOS,
    TYPO,
    city_short_names,
    county_short_names,
    province_short_names,
)


@dataclass(frozen=True, slots=True)
class Reading:
    """One thing a name in the text can mean."""

    kind: int  # PROVINCE, CITY or COUNTY
    form: int  # FULL, SHORT, BARE, TYPO, FUZZY or NEAR_TYPO
    key: str  # the province or city name; the county name for counties
    divisions: tuple[Division, ...]  # the counties it can stand for (all of a city's, a province's)


@dataclass(frozen=True, slots=True)
class Meanings:
    """What a name found in the text can mean, with facts about it worked out once."""

    readings: tuple[Reading, ...]
    full: bool  # a full name (not a short form or a typo)
    place: bool  # it can name a province or a city
    # Names inside this one are no mentions of their own (城区 in 东城区); not so for a suffix
    # typo: 河北曲阳 is 河北 and 曲阳, not 河北区 misspelt.
    hides: bool

    @classmethod
    def of(cls, readings: Iterable[Reading]) -> Meanings:
        found = tuple(readings)
        return cls(
            found,
            any(r.form == FULL for r in found),
            any(r.kind != COUNTY for r in found),
            any(r.form != TYPO for r in found),
        )


# What a name means: anywhere, before a street word (南京路), before a county suffix (凌海区).
Entry = tuple[Meanings, Meanings, Meanings]


def readings_by_name(
    by_province: dict[str, list[Division]],
    by_city: dict[str, list[Division]],
    by_county: dict[str, list[Division]],
) -> dict[str, list[Reading]]:
    """Every name to look for, and what it can mean."""
    readings: dict[str, list[Reading]] = defaultdict(list)
    for kind, groups, short_names in (
        (PROVINCE, by_province, province_short_names),
        (CITY, by_city, city_short_names),
    ):
        for key, found in groups.items():
            readings[key].append(Reading(kind, FULL, key, tuple(found)))
            for name in short_names(key):
                readings[name].append(Reading(kind, SHORT, key, tuple(found)))
    strong: dict[str, list[Division]] = defaultdict(list)
    bare: dict[str, list[Division]] = defaultdict(list)
    for county, found in by_county.items():
        readings[county].append(Reading(COUNTY, FULL, county, tuple(found)))
        strong_names, bare_names = county_short_names(county)
        for name in strong_names:
            strong[name] += found
        for name in bare_names:
            bare[name] += found
    full_names = {*by_province, *by_city, *by_county}
    for name, found in strong.items():
        if name not in full_names:
            readings[name].append(Reading(COUNTY, SHORT, found[0].county, tuple(found)))
    for name, found in bare.items():
        if name not in full_names and name not in strong:
            readings[name].append(Reading(COUNTY, BARE, name, tuple(found)))
    readings.update(_suffix_typos(readings))
    return readings


def _suffix_typos(readings: dict[str, list[Reading]]) -> dict[str, list[Reading]]:
    """Suffix typos of every full name (and of 白沙县-like names): 南山去, 江苏生, 昆山是."""
    typos: dict[str, list[Reading]] = defaultdict(list)
    for name, found in readings.items():
        if len(name) < 3 or name[-1] not in SUFFIX_TYPOS:
            continue
        for reading in found:
            if reading.form not in (FULL, SHORT) or (name[-1] == "省" and reading.kind != PROVINCE):
                continue
            for typo in SUFFIX_TYPOS[name[-1]]:
                if (variant := name[:-1] + typo) not in readings:
                    typos[variant].append(Reading(reading.kind, TYPO, reading.key, reading.divisions))
    return typos


def near_names(
    groups: dict[str, list[Division]],
) -> dict[str, tuple[tuple[int, ...], dict[str, list[Division]]]]:
    """Per province or city: the lengths of its county names, and the names with one character
    (never the suffix) replaced by a hole, or with the suffix misspelt, to look windows up in."""
    near_names = {}
    for key, found in groups.items():
        near: dict[str, list[Division]] = defaultdict(list)
        for division in found:
            name = division.county
            if len(name) >= 3:
                for hole in holes(name):
                    near[hole].append(division)
            for typo in SUFFIX_TYPOS.get(name[-1], ""):
                near[name[:-1] + typo].append(division)
        near_names[key] = (tuple(sorted({len(d.county) for d in found})), dict(near))
    return near_names


def holes(name: str) -> list[str]:
    return [name[:position] + HOLE + name[position + 1 :] for position in range(len(name) - 1)]
