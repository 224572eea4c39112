"""What every route reads from its Starlette request: the node's context and the shopper's session."""

from __future__ import annotations

from starlette.requests import Request

from gateway.edge.auth import SESSION_COOKIE, session_for_token
from gateway.edge.context import EdgeContext
from gateway.http.headers import bearer_token
from gateway.signing import Session, SessionSigner


def edge_context(request: Request) -> EdgeContext:
    context: EdgeContext = request.app.state.edge
    return context


def require_session(request: Request, signer: SessionSigner) -> Session:
    """The session from the bearer token, or else from the ``session`` cookie; 401 without one."""
    return session_for_token(signer, bearer_token(request) or request.cookies.get(SESSION_COOKIE) or "")
