"""Who is asking: session tokens verified locally, from the bearer header or the ``session`` cookie."""

from __future__ import annotations

from starlette.requests import Request

from gateway.errors import ApiError
from gateway.http import bearer_token
from gateway.signing import InvalidToken, Session, SessionSigner

SESSION_COOKIE = "session"


def require_session(request: Request, signer: SessionSigner) -> Session:
    return session_for_token(signer, bearer_token(request) or request.cookies.get(SESSION_COOKIE) or "")


def session_for_token(signer: SessionSigner, token: str) -> Session:
    if not token:
        raise ApiError(401, "unauthenticated", "a session token is required", field="authorization")
    try:
        return signer.verify(token)
    except InvalidToken as exc:
        raise ApiError(
            401, "invalid_session", f"session token rejected: {exc}", field="authorization"
        ) from None
