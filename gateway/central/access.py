"""Who may call what at the central store, and query parameters checked the same way everywhere."""

from __future__ import annotations

from starlette.requests import Request

from gateway.central.context import CentralContext
from gateway.errors import ApiError
from gateway.http.headers import bearer_token
from gateway.signing import credential_matches


def require_edge(request: Request, context: CentralContext) -> None:
    if not credential_matches(bearer_token(request), context.edge_credential):
        raise ApiError(401, "unauthorized", "an edge credential is required", field="authorization")


def require_ops(request: Request, context: CentralContext) -> None:
    if context.ops_token is None:
        raise ApiError(403, "ops_disabled", "set CENTRAL_OPS_TOKEN to use the ops endpoints")
    if not credential_matches(bearer_token(request), context.ops_token):
        raise ApiError(401, "unauthorized", "the ops token is required", field="authorization")


def int_param(request: Request, name: str, default: int, upper: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "invalid_query", f"{name} must be an integer", field=name) from None
    if not 0 <= value <= upper:
        raise ApiError(400, "invalid_query", f"{name} must be between 0 and {upper}", field=name)
    return value
