"""Small request helpers shared by the edge and central apps."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Scope

FORM = "application/x-www-form-urlencoded"  # the media type of a plain HTML form's body


def bearer_token(request: Request) -> str | None:
    return bearer_of(request.headers.get("authorization", ""))


def bearer_of(authorization: str) -> str | None:
    """The token of an ``Authorization: Bearer …`` value; None for another scheme or no token."""
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def first_headers(scope: Scope) -> dict[bytes, bytes]:
    """A plain ASGI scope's headers by name, the first of repeated ones winning as Starlette reads."""
    return dict(reversed(scope["headers"]))


def authorization_of(headers: dict[bytes, bytes]) -> str:
    return headers.get(b"authorization", b"").decode("latin-1")
