"""Small request helpers shared by the edge and central apps."""

from __future__ import annotations

from starlette.requests import Request


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None
