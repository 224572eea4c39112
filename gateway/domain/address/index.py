"""The resolver's index: every way a division's name can appear in a text, and what it can mean.

Built once per process from the divisions data (~13k names), then read by one left-to-right pass.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from gateway.divisions import Division
from gateway.domain.address.former import FORMER_CITIES, FORMER_COUNTIES
from gateway.domain.address.names import (
    ABBREVIATION,
    BARE,
    CHANGED,
    CITY,
    COUNTY,
    FORMER,
    FULL,
    HOLE,
    PROVINCE,
    SHORT,
    SUFFIX_TYPOS,
    TYPO,
    city_abbreviation,
    city_short_names,
    county_short_names,
    province_short_names,
)

__all__ = ["Entry", "Meanings", "Reading", "holes", "near_names", "readings_by_name"]


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
    # It names a province or city plainly enough to contradict a county elsewhere; 哈市 may be
    # 哈尔滨 but is too loose a name to rule anything out.
    firm_place: bool
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
            any(r.kind != COUNTY and r.form != ABBREVIATION for r in found),
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
    full_names = {*by_province, *by_city, *by_county}
    _add_counties(readings, by_county, full_names)
    _add_former_names(readings, by_city, by_county, full_names)
    readings.update(_suffix_typos(readings))
    loose: dict[str, list[Reading]] = defaultdict(list)
    for name, reading in (*_abbreviations(by_city), *_changed_suffixes(by_county)):
        loose[name].append(reading)
    for name, more in loose.items():
        if name not in readings and name not in full_names:  # 沙市 is 沙市区, never a city
            readings[name] = more
    return readings


def _add_counties(
    readings: dict[str, list[Reading]], by_county: dict[str, list[Division]], full_names: set[str]
) -> None:
    """Counties by their full names, short names as good (白沙县) and suffix-less ones (南山)."""
    strong: dict[str, list[Division]] = defaultdict(list)
    bare: dict[str, list[Division]] = defaultdict(list)
    for county, found in by_county.items():
        readings[county].append(Reading(COUNTY, FULL, county, tuple(found)))
        strong_names, bare_names = county_short_names(county)
        for name in strong_names:
            strong[name] += found
        for name in bare_names:
            bare[name] += found
    for name, found in strong.items():
        if name not in full_names:
            readings[name].append(Reading(COUNTY, SHORT, found[0].county, tuple(found)))
    for name, found in bare.items():
        if name not in full_names and name not in strong:
            readings[name].append(Reading(COUNTY, BARE, name, tuple(found)))


def _add_former_names(
    readings: dict[str, list[Reading]],
    by_city: dict[str, list[Division]],
    by_county: dict[str, list[Division]],
    full_names: set[str],
) -> None:
    for former, city in FORMER_CITIES.items():
        if city in by_city:
            for name in (former, *city_short_names(former)):
                readings[name].append(Reading(CITY, FORMER, city, tuple(by_city[city])))
    by_adcode = {d.adcode: d for found in by_county.values() for d in found}
    for former, adcode in FORMER_COUNTIES.items():
        if (division := by_adcode.get(adcode)) is not None and former not in full_names:
            readings[former].append(Reading(COUNTY, FORMER, division.county, (division,)))


def _abbreviations(by_city: dict[str, list[Division]]) -> list[tuple[str, Reading]]:
    """哈市 (哈尔滨市), 呼市 (呼和浩特市); 张市 may be 张家口 or 张家界."""
    found = []
    for city, divisions in by_city.items():
        if (name := city_abbreviation(city)) is not None:
            found.append((name, Reading(CITY, ABBREVIATION, city, tuple(divisions))))
    return found


def _changed_suffixes(by_county: dict[str, list[Division]]) -> list[tuple[str, Reading]]:
    """Counties written with the suffix they had, or another one: 萧山市 (now 萧山区), 梁平县."""
    changed: dict[str, list[Division]] = defaultdict(list)
    for county, divisions in by_county.items():
        if county[-1] not in "区县市":
            continue
        for stem in county_short_names(county)[1]:
            for suffix in "区县市":
                if suffix != county[-1]:
                    changed[stem + suffix] += divisions
    return [
        (name, Reading(COUNTY, CHANGED, found[0].county, tuple(found))) for name, found in changed.items()
    ]


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
