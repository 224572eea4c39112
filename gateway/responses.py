"""orjson-encoded JSON responses; every JSON body the gateway produces goes through here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from gateway.serialization import dumps

JSON_MEDIA_TYPE = "application/json"


class OrjsonResponse(Response):
    media_type = JSON_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return dumps(content)


def json_response(
    content: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> OrjsonResponse:
    return OrjsonResponse(content, status_code=status, headers=headers)
