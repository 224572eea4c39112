"""``POST /v1/orders`` and ``GET /v1/orders/{order_id}``.

One straight line: session → idempotency claim → decode → reference data (within the budget) →
assess (rules, pricing, review packet) → durable append → 202. Nothing is acknowledged before the
outbox has committed it.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from typing import Any

import msgspec
import orjson
from starlette.requests import Request
from starlette.responses import Response

from gateway.domain.budgets import Deadline
from gateway.domain.orders import Assessment, OrderContext, OrderRejected, assess
from gateway.edge.auth import require_session
from gateway.edge.central_client import CentralUnavailable
from gateway.edge.context import EdgeContext, edge_context
from gateway.edge.idempotency import check_key, replay
from gateway.errors import ApiError
from gateway.middleware import record_phase
from gateway.models import OrderRequest
from gateway.outbox.store import NewOrder, OutboxUnavailable
from gateway.responses import JSON_MEDIA_TYPE
from gateway.validation import decode_json

# Of the acknowledgement's budget, this much is kept for our own work and the durable commit;
# lookups of reference data get the rest.
_COMMIT_RESERVE_SECONDS = 0.08


async def create_order(request: Request) -> Response:
    context = edge_context(request)
    deadline = Deadline.after(context.settings.ack_budget_seconds)
    session = require_session(request, context.signer)
    key = check_key(request.headers.get("idempotency-key"))
    order = decode_json(await request.body(), OrderRequest)
    fingerprint = hashlib.sha256(msgspec.json.encode(order)).hexdigest()

    async with context.idempotency.claim(session.user_id, key, deadline) as prior:
        if prior is not None:
            return _accepted(replay(prior, fingerprint), replayed=True)
        started = time.perf_counter()
        order_context = await _gather(context, order, session.user_id, deadline)
        record_phase(request.scope, "lookup", started)

        started = time.perf_counter()
        order_id = f"o-{uuid.uuid4().hex}"
        try:
            assessment = assess(
                order,
                order_context,
                order_id=order_id,
                user_id=session.user_id,
                edge=context.settings.node_id,
                now=time.time(),
                resolver=context.resolver,
                payments=context.payments,
                policy=context.policy,
            )
        except OrderRejected as rejected:
            raise ApiError(422, rejected.code, rejected.message, field=rejected.field) from None
        ack = _ack(context, order_id, assessment)
        record_phase(request.scope, "assess", started)

        started = time.perf_counter()
        try:
            appended = await context.outbox.append(
                NewOrder(
                    order_id=order_id,
                    user_id=session.user_id,
                    idempotency_key=key,
                    fingerprint=fingerprint,
                    status=assessment.status,
                    payload=orjson.dumps(assessment.review_packet),
                    response=ack,
                )
            )
        except OutboxUnavailable as full:
            raise ApiError(
                503,
                "outbox_unavailable",
                f"the order could not be stored ({full.reason}); nothing was placed, retry with the same key",
                headers={"retry-after": "2"},
            ) from None
        record_phase(request.scope, "commit", started)
        if not appended.created:  # stored by an earlier process under the same key
            return _accepted(replay(appended.order, fingerprint), replayed=True)
        return _accepted(appended.order.response, replayed=False)


async def get_order(request: Request) -> Response:
    context = edge_context(request)
    session = require_session(request, context.signer)
    order_id = request.path_params["order_id"]
    stored = context.outbox.get(order_id)
    if stored is None or stored.user_id != session.user_id:
        # Another user's order is indistinguishable from a missing one.
        raise ApiError(404, "unknown_order", f"no order {order_id} for this session", field="order_id")
    forwarded = stored.forwarded_at is not None
    if stored.status == "needs_review" or stored.central_status == "needs_review":
        status = "needs_review"
    else:
        status = "stored" if forwarded else "queued"
    body = {
        "order_id": stored.order_id,
        "status": status,
        "queued": not forwarded,
        "placed_at": stored.created_at,
        "stored_at": stored.forwarded_at,
        "ack": orjson.Fragment(stored.response),
    }
    return Response(orjson.dumps(body), media_type=JSON_MEDIA_TYPE)


async def _gather(
    context: EdgeContext, order: OrderRequest, user_id: str, deadline: Deadline
) -> OrderContext:
    """Fetch the item, address book and coupons concurrently; what cannot be had in time is None."""
    time_limit = deadline.limit(_COMMIT_RESERVE_SECONDS, context.settings.central_timeout_seconds)
    reference = context.reference
    item, book, coupons = await asyncio.gather(
        reference.item(order.sku, time_limit),
        reference.address_book(user_id, time_limit),
        reference.coupons(time_limit),
        return_exceptions=True,
    )
    for outcome in (item, book, coupons):
        if isinstance(outcome, BaseException) and not isinstance(outcome, CentralUnavailable):
            raise outcome
    if item is None:
        raise ApiError(422, "unknown_sku", f"no item {order.sku}", field="sku")
    return OrderContext(
        item=None if isinstance(item, BaseException) else item,
        book=None if isinstance(book, BaseException) else book,
        coupons=None if isinstance(coupons, BaseException) else coupons,
    )


def _ack(context: EdgeContext, order_id: str, assessment: Assessment) -> bytes:
    pricing = assessment.pricing
    body: dict[str, Any] = {
        "order_id": order_id,
        "status": assessment.status,
        "flags": [
            {"code": f.code, "message": f.message, "field": f.field, "blocking": f.blocking}
            for f in assessment.flags
        ],
        "queued": True,
        "payment": {
            "method": assessment.review_packet["payment_method"],
            "redirect_url": None
            if pricing is None
            else context.payments.redirect_url(
                assessment.review_packet["payment_method"], order_id, pricing.total_cents
            ),
        },
        "totals": None
        if pricing is None
        else {
            "subtotal_cents": pricing.subtotal_cents,
            "discount_cents": pricing.discount_cents,
            "total_cents": pricing.total_cents,
        },
        "suggestions": ["save_address"] if any(f.code == "unusual_address" for f in assessment.flags) else [],
        "edge": context.settings.node_id,
    }
    return orjson.dumps(body)


def _accepted(body: bytes, replayed: bool) -> Response:
    headers = {"idempotent-replayed": "true"} if replayed else None
    return Response(body, status_code=202, media_type=JSON_MEDIA_TYPE, headers=headers)
