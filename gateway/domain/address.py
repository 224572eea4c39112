"""Resolve a free-text Chinese address to a county-level division.

Matching is by names found in the text: county names (the most specific), then city and
province names and their short forms to confirm or disambiguate. An answer is only given with
high confidence when one division explains the text; otherwise the caller gets candidates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

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
        found = [name for name in self._county_names if name in compact]
        # A name inside a longer matched one is not a mention of its own (城区 inside 东城区).
        counties = [name for name in found if not any(name != other and name in other for other in found)]
        candidates = [d for name in counties for d in self._by_county[name]]
        if provinces:
            in_province = [d for d in candidates if d.province in provinces]
            if candidates and not in_province:
                # The text names a province none of its counties lie in: ask, never guess.
                return Resolution(None, 0.2, tuple(candidates[:5]))
            candidates = in_province
        if cities:
            candidates = [d for d in candidates if d.city in cities] or candidates
        if len(candidates) == 1:
            division = candidates[0]
            confirmed = division.province in provinces or division.city in cities
            unique_name = len(self._by_county[division.county]) == 1
            confidence = 0.95 if confirmed else (0.85 if unique_name else 0.5)
            return Resolution(division, confidence, (division,), _detail_after(compact, division.county))
        return Resolution(None, 0.0 if not candidates else 0.3, tuple(candidates[:5]))


def _detail_after(compact: str, county: str) -> str:
    index = compact.find(county)
    return compact[index + len(county) :] if index >= 0 else ""
