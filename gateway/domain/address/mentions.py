"""Find the names of divisions in a normalized text: one left-to-right pass over a dictionary
indexed by the first two characters of every name, then the names hidden inside longer ones are
dropped (城区 in 东城区). County names with one wrong character are looked for separately, and only
right after the province or city they belong to."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from gateway.divisions import Division
from gateway.domain.address.index import Entry, Meanings, Reading, holes, near_names, readings_by_name
from gateway.domain.address.names import (
    ABBREVIATION,
    BARE,
    CHANGED,
    COUNTY,
    COUNTY_ENDINGS,
    FUZZY,
    NAME_GOES_ON,
    NEAR_TYPO,
    NOT_AFTER_SHORT,
    NOT_AFTER_SHORT_PAIRS,
    SHORT,
    county_short_names,
)

__all__ = ["Mention", "NameFinder", "overlaps"]


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    readings: tuple[Reading, ...]
    # Full province or city name ending in 省/市: 济南市中区 shares that 市 with 市中区.
    shares_suffix: bool = False
    place: bool = False  # it can name a province or a city
    firm_place: bool = False  # ... plainly enough to contradict a county (not so 哈市)
    hides: bool = True
    # A county name starting inside a province or city name that nothing else accounts for:
    # 西城区 in 山西城区 (which is 山西 and 城区). It is no county, and hides no shorter name.
    cut: bool = False


def overlaps(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end


class NameFinder:
    """The names of the given divisions, and where they are in a text."""

    def __init__(
        self,
        by_province: dict[str, list[Division]],
        by_city: dict[str, list[Division]],
        by_county: dict[str, list[Division]],
    ) -> None:
        self.by_county = {name: tuple(found) for name, found in by_county.items()}
        readings = readings_by_name(by_province, by_city, by_county)
        self.names: dict[str, Entry] = {}
        lengths: dict[str, set[int]] = defaultdict(set)  # by the first two characters
        for name, found in readings.items():
            self.names[name] = (
                Meanings.of(found),
                Meanings.of(r for r in found if not _is_short(r)),
                Meanings.of(r for r in found if not (r.kind == COUNTY and r.form == BARE)),
            )
            lengths[name[:2]].add(len(name))
        self._lengths = {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}
        self._near = {**near_names(by_province), **near_names(by_city)}
        # (科尔沁, 内蒙古自治区): a county of the province starts with this suffix-less name and is
        # not the one it stands for (科尔沁左翼中旗), so 科尔沁 in the text may be a name cut short.
        self.prefix_of_another = {
            (name[:size], division.province)
            for name, found in by_county.items()
            for division in found
            for size in range(2, len(name))
            if any(r.form == BARE for r in readings.get(name[:size], ()))
            and name[:size] not in county_short_names(name)[1]
        }

    def find(self, compact: str) -> list[Mention]:
        """Every known name in the text, except those inside a longer one (城区 in 东城区)."""
        raw = self._scan(compact)
        starts = {start for start, _, _ in raw}
        size = len(compact)
        found: list[Mention] = []
        places: list[Mention] = []
        for start, end, (everything, before_street, before_suffix) in raw:
            if end == size:
                meanings = everything
            elif _name_goes_on(compact, end):
                meanings = before_suffix
            elif end not in starts and _street_follows(compact, end):
                # 南京路 is a street, but 唐山路南区 is 唐山 and 路南区: a name may follow a name.
                meanings = before_street
            else:
                meanings = everything
            if meanings.readings:
                shares = meanings.full and compact[end - 1] in "省市"
                mention = Mention(
                    start,
                    end,
                    meanings.readings,
                    shares,
                    meanings.place,
                    meanings.firm_place,
                    meanings.hides,
                )
                found.append(mention)
                if meanings.place:
                    places.append(mention)
        if len(found) < 2:
            return found
        if places:
            _mark_cut(found, places)
        return _drop_hidden(found)

    def _scan(self, compact: str) -> list[tuple[int, int, Entry]]:
        raw: list[tuple[int, int, Entry]] = []
        size = len(compact)
        names = self.names
        for start in range(size - 1):
            lengths = self._lengths.get(compact[start : start + 2])
            if lengths is None:
                continue
            for length in lengths:
                end = start + length
                if end <= size and (entry := names.get(compact[start:end])) is not None:
                    raw.append((start, end, entry))
        return raw

    def find_fuzzy(self, mentions: list[Mention], compact: str) -> list[Mention]:
        """County names with one wrong character right after a province or city name.

        南三区 for 南山区, or 盂线 for 盂县 (a suffix typo of a name too short to index). Only that
        city's (or province's) counties are compared, the suffix must be right (or a known typo of
        it), and no other province or city name may start the window, so 江苏省苏州市 is never read
        as 邳州市. Names inside the window do not block it: 新县 in 宜新县 (宜阳县).
        """
        hits: dict[tuple[int, int, int], set[Division]] = defaultdict(set)
        size = len(compact)
        for mention in mentions:
            start = mention.end
            for reading in mention.readings:
                if reading.kind == COUNTY or reading.form == ABBREVIATION:
                    continue
                lengths, near = self._near[reading.key]
                for length in lengths:
                    end = start + length
                    if end > size:
                        break
                    window = compact[start:end]
                    if window not in self.by_county:
                        for key in holes(window):
                            hits[start, end, FUZZY].update(near.get(key, ()))
                        hits[start, end, NEAR_TYPO].update(near.get(window, ()))
        blocking = [m for m in mentions if any(r.form not in _WEAK for r in m.readings)]
        return [
            Mention(
                start, end, (Reading(COUNTY, form, compact[start:end], tuple(sorted(found, key=_adcode))),)
            )
            for (start, end, form), found in hits.items()
            if found
            and not any(
                m.start < end and start < m.end and (m.start <= start or m.end > end) for m in blocking
            )
        ]


# Names too loose to stop a misspelt county from being looked for where they are: 华安市 may be
# 华安县 with another suffix, or 瑞安市 misspelt.
_WEAK = frozenset((BARE, CHANGED, ABBREVIATION))


def _mark_cut(found: list[Mention], places: list[Mention]) -> None:
    ends = {m.end for m in found}
    for mention in found:
        if mention.start in ends:
            continue
        for place in places:
            if place.start < mention.start < place.end and not (
                place.shares_suffix and place.end == mention.start + 1
            ):
                mention.cut = True
                mention.hides = False
                break


def _drop_hidden(found: list[Mention]) -> list[Mention]:
    kept = []
    for mention in found:
        start, end = mention.start, mention.end
        for other in found:
            if (
                other.hides
                and other.start <= start
                and end <= other.end
                and other.end - other.start > end - start
            ):
                break
        else:
            kept.append(mention)
    return kept


def _is_short(reading: Reading) -> bool:
    return reading.form == BARE or (reading.kind != COUNTY and reading.form in (SHORT, ABBREVIATION))


def _name_goes_on(compact: str, end: int) -> bool:
    char = compact[end]
    if char in COUNTY_ENDINGS:
        return True
    tails = NAME_GOES_ON.get(char)
    return tails is not None and any(compact.startswith(tail, end) for tail in tails)


def _street_follows(compact: str, end: int) -> bool:
    return compact[end] in NOT_AFTER_SHORT or compact[end : end + 2] in NOT_AFTER_SHORT_PAIRS


def _adcode(division: Division) -> str:
    return division.adcode
