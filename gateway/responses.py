"""orjson-encoded JSON responses; every JSON body the gateway produces goes through here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
import orjson
from starlette.responses import Response

JSON_MEDIA_TYPE = "application/json"


def dumps(content: Any) -> bytes:
    """orjson, with msgspec structs lowered to builtins on the way (orjson cannot see into them)."""
    return orjson.dumps(content, default=msgspec.to_builtins)


class OrjsonResponse(Response):
    media_type = JSON_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return dumps(content)


def json_response(
    content: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> OrjsonResponse:
    return OrjsonResponse(content, status_code=status, headers=headers)
