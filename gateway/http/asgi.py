"""Answering from plain ASGI code, which has no exception handlers: the JSON error model by hand."""

from __future__ import annotations

import orjson
from starlette.types import Send

from gateway.errors import ApiError, error_body


async def send_error(send: Send, error: ApiError, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = orjson.dumps(error_body(error.code, error.message, error.field))
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in (error.headers or {}).items()]
    headers += extra or []
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
