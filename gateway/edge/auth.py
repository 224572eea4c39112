"""Who is asking: session tokens verified locally, without a round trip to the central store."""

from __future__ import annotations

from gateway.errors import ApiError
from gateway.signing import InvalidToken, Session, SessionSigner

SESSION_COOKIE = "session"


def session_for_token(signer: SessionSigner, token: str) -> Session:
    if not token:
        raise ApiError(401, "unauthenticated", "a session token is required", field="authorization")
    try:
        return signer.verify(token)
    except InvalidToken as exc:
        raise ApiError(
            401, "invalid_session", f"session token rejected: {exc}", field="authorization"
        ) from None
