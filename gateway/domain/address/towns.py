"""Towns (乡镇, 街道) and villages (村) in an address, and the counties they belong to.

Besides its official name, a town is found under the suffix it had or may be given (松陵镇 for
what is now 松陵街道, 太邑乡 for 太邑彝族乡): such a match is not ``exact``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from gateway.divisions import Town
from gateway.domain.address.names import strip_ethnic

__all__ = ["TownIndex", "TownMatch", "village_after"]

_SUFFIXES = ("街道", "镇", "乡", "苏木")
_VILLAGE = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:村|社区)")
_NOT_IN_VILLAGE = frozenset("路街道巷弄号楼")


@dataclass(frozen=True, slots=True)
class TownMatch:
    start: int
    end: int
    # By county adcode: the town this name is there, and whether it is its official name.
    towns: Mapping[str, tuple[Town, bool]]
    counties: int  # how many counties in China have a town named so
    official: int  # ... as its official name


class TownIndex:
    """Town names by their stem (the name without 镇, 乡, 街道 or 苏木).

    The text is searched for those suffixes, a handful per address, and the characters before
    each are looked up: far fewer lookups than trying every position of the text, and a stem
    found before another suffix than its own is the same town written differently.
    """

    def __init__(self, towns: Mapping[str, tuple[Town, ...]], simplified: Mapping[int, str]) -> None:
        """``simplified`` is the table texts are translated with before they are looked at."""
        stems: dict[str, dict[str, tuple[Town, str]]] = defaultdict(dict)
        for adcode, found in towns.items():
            for town in found:
                name = town.name.translate(simplified)
                suffix = next((s for s in _SUFFIXES if name.endswith(s)), None)
                if suffix is None or len(name) - len(suffix) < 2:
                    continue
                stem = name[: -len(suffix)]
                stems[stem].setdefault(adcode, (town, suffix))
                if stem.endswith("族") and len(shorter := strip_ethnic(stem)) >= 2:
                    stems[shorter].setdefault(adcode, (town, ""))  # 太邑乡 for 太邑彝族乡
        self._stems = dict(stems)
        self._lengths = tuple(sorted({len(stem) for stem in stems}, reverse=True))
        # What a stem before a suffix means, worked out on first sight: (towns by county, official).
        self._meanings: dict[tuple[str, str], tuple[dict[str, tuple[Town, bool]], int]] = {}

    def find(self, compact: str) -> list[TownMatch]:
        """The town names in the text, the longest where several end at one suffix."""
        found: list[TownMatch] = []
        for suffix in _SUFFIXES:
            end = compact.find(suffix, 2)
            while end >= 0:
                match = self._match(compact, end, suffix)
                if match is not None:
                    found.append(match)
                end = compact.find(suffix, end + 1)
        if len(found) > 1:
            found.sort(key=_start)
        return found

    def _match(self, compact: str, end: int, suffix: str) -> TownMatch | None:
        for length in self._lengths:
            if length > end:
                continue
            stem = compact[end - length : end]
            if stem in self._stems:
                towns, official = self._meaning(stem, suffix)
                return TownMatch(end - length, end + len(suffix), towns, len(towns), official)
        return None

    def _meaning(self, stem: str, suffix: str) -> tuple[dict[str, tuple[Town, bool]], int]:
        meaning = self._meanings.get((stem, suffix))
        if meaning is None:
            entries = self._stems[stem]
            towns = {adcode: (town, official == suffix) for adcode, (town, official) in entries.items()}
            meaning = towns, sum(1 for _, exact in towns.values() if exact)
            self._meanings[stem, suffix] = meaning
        return meaning


def village_after(compact: str, end: int) -> str:
    """The village (村) or community (社区) written right after a town, if any: 前进村."""
    match = _VILLAGE.match(compact, end)
    if match is None or not _NOT_IN_VILLAGE.isdisjoint(match.group()):
        return ""
    return match.group()


def _start(match: TownMatch) -> int:
    return match.start
