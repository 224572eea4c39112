"""What every route reads from its Starlette request: the node's context and the shopper's session."""

from __future__ import annotations

from starlette.requests import Request

from gateway.edge.auth import SESSION_COOKIE, session_for_token
from gateway.edge.context import EdgeContext
from gateway.errors import ApiError
from gateway.http.headers import bearer_token
from gateway.signing import Session, SessionSigner, credential_matches


def edge_context(request: Request) -> EdgeContext:
    context: EdgeContext = request.app.state.edge
    return context


def require_session(request: Request, signer: SessionSigner) -> Session:
    """The session from the bearer token, or else from the ``session`` cookie; 401 without one."""
    return session_for_token(signer, bearer_token(request) or request.cookies.get(SESSION_COOKIE) or "")


def require_admin(request: Request, context: EdgeContext) -> None:
    """The admin token (``EDGE_ADMIN_TOKEN``) as a bearer: for /admin and the node's own numbers."""
    token = context.settings.admin_token
    if token is None:
        raise ApiError(403, "admin_disabled", "set EDGE_ADMIN_TOKEN to use the admin and ops endpoints")
    if not credential_matches(bearer_token(request), token):
        raise ApiError(401, "unauthorized", "the admin token is required", field="authorization")


def is_admin(request: Request, context: EdgeContext) -> bool:
    token = context.settings.admin_token
    return token is not None and credential_matches(bearer_token(request), token)
