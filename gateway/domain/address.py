"""Resolve a free-text Chinese address to a county-level division.

Matching is by names found in the text: county names (the most specific), then city and
province names and their short forms to confirm or disambiguate. An answer is only given with
high confidence when one division explains the text; otherwise the caller gets candidates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from gateway.divisions import Division

_PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")
_SPECIAL_SHORT = {"内蒙古自治区": ("内蒙古", "内蒙")}
_CITY_SUFFIXES = ("市", "地区", "盟", "自治州")
_SEPARATORS = re.compile(r"[\s,，、;；/|-]+")


@dataclass(frozen=True, slots=True)
class Resolution:
    division: Division | None
    confidence: float
    candidates: tuple[Division, ...] = ()
    detail: str = ""
    matched: tuple[str, ...] = field(default=())

    @property
    def certain(self) -> bool:
        return self.division is not None and self.confidence >= 0.8


def province_short_names(province: str) -> tuple[str, ...]:
    if province in _SPECIAL_SHORT:
        return _SPECIAL_SHORT[province]
    for suffix in _PROVINCE_SUFFIXES:
        if province.endswith(suffix) and len(province) - len(suffix) >= 2:
            return (province[: -len(suffix)],)
    return ()


def city_short_names(city: str) -> tuple[str, ...]:
    for suffix in _CITY_SUFFIXES:
        if city.endswith(suffix) and len(city) - len(suffix) >= 2:
            return (city[: -len(suffix)],)
    return ()


class AddressResolver:
    def __init__(self, divisions: Iterable[Division]) -> None:
        self._by_county: dict[str, list[Division]] = defaultdict(list)
        self._provinces: dict[str, str] = {}
        self._cities: dict[str, set[str]] = defaultdict(set)
        for division in divisions:
            self._by_county[division.county].append(division)
            for name in (division.province, *province_short_names(division.province)):
                self._provinces[name] = division.province
            for name in (division.city, *city_short_names(division.city)):
                self._cities[name].add(division.city)
        # Longest names first, so 东城区 is not read as a mention of 城区.
        self._county_names = sorted(self._by_county, key=len, reverse=True)
        self._province_names = sorted(self._provinces, key=len, reverse=True)
        self._city_names = sorted(self._cities, key=len, reverse=True)

    def resolve(self, text: str) -> Resolution:
        compact = _SEPARATORS.sub("", text)
        provinces = {self._provinces[name] for name in self._province_names if name in compact}
        cities = {city for name in self._city_names if name in compact for city in self._cities[name]}
        counties = [name for name in self._county_names if name in compact]
        candidates = [d for name in counties for d in self._by_county[name]]
        if provinces:
            candidates = [d for d in candidates if d.province in provinces] or candidates
        if cities:
            candidates = [d for d in candidates if d.city in cities] or candidates
        candidates = _most_specific(candidates)
        if len(candidates) == 1:
            division = candidates[0]
            confirmed = division.province in provinces or division.city in cities
            unique_name = len(self._by_county[division.county]) == 1
            confidence = 0.95 if confirmed else (0.85 if unique_name else 0.5)
            return Resolution(division, confidence, (division,), _detail_after(compact, division.county))
        return Resolution(None, 0.0 if not candidates else 0.3, tuple(candidates[:5]))


def _most_specific(candidates: list[Division]) -> list[Division]:
    """Drop divisions whose county name is contained in a longer matched one (城区 inside 东城区)."""
    names = {d.county for d in candidates}
    keep = [d for d in candidates if not any(d.county != other and d.county in other for other in names)]
    seen: set[str] = set()
    unique = []
    for division in keep:
        if division.adcode not in seen:
            seen.add(division.adcode)
            unique.append(division)
    return unique


def _detail_after(compact: str, county: str) -> str:
    index = compact.find(county)
    return compact[index + len(county) :] if index >= 0 else ""
