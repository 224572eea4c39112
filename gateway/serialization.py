"""JSON out: orjson, with msgspec structs lowered on the way. Free of any web framework, so caches
can store encoded bodies without importing one."""

from __future__ import annotations

from typing import Any

import msgspec
import orjson


def dumps(content: Any) -> bytes:
    """orjson, with msgspec structs lowered to builtins on the way (orjson cannot see into them)."""
    return orjson.dumps(content, default=msgspec.to_builtins)
