"""Central store endpoints that edges and demo clients call."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.central.access import require_edge, require_ops
from gateway.central.changes import put_item, update_item
from gateway.central.context import central_context
from gateway.errors import ApiError
from gateway.models import SessionGrant, SessionRequest
from gateway.ops.endpoints import metrics_response
from gateway.responses import json_response
from gateway.validation import decode_json


async def healthz(_: Request) -> Response:
    return json_response({"status": "ok"})


async def readyz(request: Request) -> Response:
    counts = await central_context(request).storage.counts()
    return json_response(
        {"ready": counts["items"] > 0, "counts": counts}, status=200 if counts["items"] else 503
    )


async def metrics(request: Request) -> Response:
    """Prometheus text: the store's request latency per route against its budget (ops token)."""
    require_ops(request, central_context(request))
    return metrics_response()


async def create_session(request: Request) -> Response:
    """The demo identity (``GATEWAY_DEMO_LOGIN=1`` only): a session for any user id, who is created."""
    context = central_context(request)
    if not context.demo_login:
        raise ApiError(404, "not_found", "sessions come from the storefront's identity service")
    body = decode_json(await request.body(), SessionRequest)
    created = await context.storage.ensure_user(body.user_id)
    token, expires_at = context.signer.issue(body.user_id)
    grant = SessionGrant(token=token, user_id=body.user_id, expires_at=expires_at)
    return json_response(grant, status=201 if created else 200)


async def item(request: Request) -> Response:
    """One route for an item's three methods, so that a 405 names them all in ``Allow``."""
    if request.method == "PATCH":
        return await update_item(request)
    if request.method == "PUT":
        return await put_item(request)
    return await get_item(request)


async def get_item(request: Request) -> Response:
    sku = request.path_params["sku"]
    item = await central_context(request).storage.get_item(sku)
    if item is None:
        raise ApiError(404, "unknown_sku", f"no item {sku}", field="sku")
    return json_response(item)


async def get_address_book(request: Request) -> Response:
    context = central_context(request)
    require_edge(request, context)
    user_id = request.path_params["user_id"]
    book = await context.storage.address_book(user_id)
    if book is None:
        raise ApiError(404, "unknown_user", f"no user {user_id}", field="user_id")
    return json_response(book)


async def list_coupons(request: Request) -> Response:
    return json_response(await central_context(request).storage.coupons())


ROUTES = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
    Route("/v1/sessions", create_session, methods=["POST"]),
    Route("/v1/items/{sku}", item, methods=["GET", "PATCH", "PUT"]),
    Route("/v1/users/{user_id}/address-book", get_address_book, methods=["GET"]),
    Route("/v1/coupons", list_coupons, methods=["GET"]),
]
