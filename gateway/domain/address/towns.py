"""Towns (乡镇, 街道) and villages (村) in an address, and the counties they belong to.

A town name is found like a division name, in one pass over a dictionary indexed by its first two
characters. Besides its official name, a town is found under the suffixes it had or may be given
(松陵镇 for what is now 松陵街道, 太邑乡 for 太邑彝族乡): such a match is not ``exact``.
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
_CHANGED_SUFFIXES = ("街道", "镇", "乡")
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
    def __init__(self, towns: Mapping[str, tuple[Town, ...]], simplified: Mapping[int, str]) -> None:
        """``simplified`` is the table texts are translated with before they are looked at."""
        names: dict[str, dict[str, tuple[Town, bool]]] = defaultdict(dict)
        for adcode, found in towns.items():
            for town in found:
                names[town.name.translate(simplified)].setdefault(adcode, (town, True))
        for adcode, found in towns.items():
            for town in found:
                for variant in _variants(town.name.translate(simplified)):
                    names[variant].setdefault(adcode, (town, False))
        self._names = dict(names)
        lengths: dict[str, set[int]] = defaultdict(set)
        for name in names:
            lengths[name[:2]].add(len(name))
        self._lengths = {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}

    def find(self, compact: str) -> list[TownMatch]:
        """The longest town name at each place in the text, none inside another."""
        found: list[TownMatch] = []
        size = len(compact)
        covered = 0
        for start in range(size - 1):
            lengths = self._lengths.get(compact[start : start + 2])
            if lengths is None:
                continue
            for length in lengths:
                end = start + length
                if end <= size and end > covered and (towns := self._names.get(compact[start:end])):
                    official = sum(exact for _, exact in towns.values())
                    found.append(TownMatch(start, end, towns, len(towns), official))
                    covered = end
                    break
        return found


def village_after(compact: str, end: int) -> str:
    """The village (村) or community (社区) written right after a town, if any: 前进村."""
    match = _VILLAGE.match(compact, end)
    if match is None or not _NOT_IN_VILLAGE.isdisjoint(match.group()):
        return ""
    return match.group()


def _variants(name: str) -> list[str]:
    """Other ways to write a town: 松陵镇 for 松陵街道, 太邑乡 for 太邑彝族乡."""
    suffix = next((s for s in _SUFFIXES if name.endswith(s)), "")
    stem = name[: -len(suffix)] if suffix else name
    if len(stem) < 2:
        return []
    stems = {stem}
    if stem.endswith("族"):
        stems.add(strip_ethnic(stem))
    variants = [s + other for s in stems for other in (*_CHANGED_SUFFIXES, suffix) if len(s) >= 2]
    return [v for v in variants if v != name]
