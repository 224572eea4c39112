"""``POST /v1/orders`` (what the plain ASGI lane does not take) and ``GET /v1/orders/{order_id}``.

The order's way through the edge is in ``acks.py``; this module reads Starlette requests into it.
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.edge.order_forms import decode_form
from gateway.edge.requests import edge_context, require_session
from gateway.edge.services.acks import Ack, acknowledge
from gateway.edge.services.idempotency import check_key
from gateway.errors import ApiError
from gateway.http.headers import FORM
from gateway.http.middleware import phases_of, request_deadline
from gateway.models import OrderRequest
from gateway.responses import JSON_MEDIA_TYPE
from gateway.validation import decode_json


async def create_order(request: Request) -> Response:
    """Orders the plain ASGI lane leaves to the application: the order page's form, a session in a
    cookie, a missing token (answered with the same errors)."""
    context = edge_context(request)
    deadline = request_deadline(request.scope, context.settings.ack_budget_seconds)
    session = require_session(request, context.signer)
    form = request.headers.get("content-type", "").startswith(FORM)
    if form:
        raw_key, order = decode_form(await request.body())
    else:
        raw_key, order = (
            request.headers.get("idempotency-key"),
            decode_json(await request.body(), OrderRequest),
        )
    key = check_key(raw_key, field="idempotency_key" if form else "Idempotency-Key")
    ack = await acknowledge(
        context, order, session.user_id, key, deadline=deadline, phases=phases_of(request.scope)
    )
    return (_form_answer if form else _accepted)(ack)


async def get_order(request: Request) -> Response:
    context = edge_context(request)
    session = require_session(request, context.signer)
    order_id = request.path_params["order_id"]
    stored = context.outbox.get(order_id)
    if stored is None or stored.user_id != session.user_id:
        # Another user's order is indistinguishable from a missing one.
        raise ApiError(404, "unknown_order", f"no order {order_id} for this session", field="order_id")
    forwarded = stored.forwarded_at is not None
    status = "needs_review" if stored.status == "needs_review" else ("stored" if forwarded else "queued")
    body = {
        "order_id": stored.order_id,
        "status": status,
        "queued": not forwarded,
        "placed_at": stored.created_at,
        "stored_at": stored.forwarded_at,
        "ack": orjson.Fragment(stored.response),
    }
    return Response(orjson.dumps(body), media_type=JSON_MEDIA_TYPE)


def _form_answer(ack: Ack) -> Response:
    """A browser without JavaScript goes on to pay (or to its order's status) with a 303."""
    answer = orjson.loads(ack.body)
    target = answer["payment"]["redirect_url"] or f"/v1/orders/{answer['order_id']}"
    return RedirectResponse(
        target, status_code=303, headers={"idempotent-replayed": "true"} if ack.replayed else None
    )


def _accepted(ack: Ack) -> Response:
    headers = {"idempotent-replayed": "true"} if ack.replayed else None
    return Response(ack.body, status_code=202, media_type=JSON_MEDIA_TYPE, headers=headers)
