"""``POST /v1/orders`` and ``GET /v1/orders/{order_id}``.

One straight line: session → idempotency claim → decode → reference data (within the budget) →
assess (rules, pricing, review packet) → durable append → 202. Nothing is acknowledged before the
outbox has committed it.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import msgspec
import orjson
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.domain.budgets import Deadline
from gateway.domain.orders import Assessment, OrderContext, OrderRejected, assess
from gateway.edge.auth import require_session
from gateway.edge.context import EdgeContext, edge_context
from gateway.edge.idempotency import check_key, replay
from gateway.edge.order_forms import FORM_MEDIA_TYPE, decode_form
from gateway.edge.reference import UnknownItem
from gateway.errors import ApiError
from gateway.middleware import record_phase
from gateway.models import OrderRequest
from gateway.ops.budgets import request_deadline
from gateway.outbox.store import NewOrder, OutboxUnavailable
from gateway.responses import JSON_MEDIA_TYPE
from gateway.validation import decode_json

# Of the acknowledgement's budget, this much is kept for our own work and the durable commit;
# lookups of reference data get the rest.
_COMMIT_RESERVE_SECONDS = 0.08


async def create_order(request: Request) -> Response:
    context = edge_context(request)
    deadline = request_deadline(request.scope, context.settings.ack_budget_seconds)
    session = require_session(request, context.signer)
    form = request.headers.get("content-type", "").startswith(FORM_MEDIA_TYPE)
    if form:
        raw_key, order = decode_form(await request.body())
    else:
        raw_key, order = (
            request.headers.get("idempotency-key"),
            decode_json(await request.body(), OrderRequest),
        )
    key = check_key(raw_key, field="idempotency_key" if form else "Idempotency-Key")
    answer = _form_answer if form else _accepted
    fingerprint = hashlib.sha256(msgspec.json.encode(order)).hexdigest()

    async with context.idempotency.claim(session.user_id, key, deadline) as prior:
        if prior is not None:
            return answer(replay(prior, fingerprint), True)
        try:
            order_id, assessment, ack = await _assess(request, context, order, session.user_id, deadline)
        except ApiError:
            # Refused as sent; but if an earlier process stored this key, the first answer stands.
            earlier = context.idempotency.stored(session.user_id, key)
            if earlier is None:
                raise
            return answer(replay(earlier, fingerprint), True)

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
            earlier = context.idempotency.stored(session.user_id, key)
            if earlier is not None:  # stored before (e.g. by an earlier process): the first answer stands
                return answer(replay(earlier, fingerprint), True)
            raise ApiError(
                503,
                "outbox_unavailable",
                f"the order could not be stored ({full.reason}); nothing was placed, retry with the same key",
                headers={"retry-after": "2"},
            ) from None
        record_phase(request.scope, "commit", started)
        context.idempotency.remember(session.user_id, key, appended.order)
        # The page's form carried this key: the next visit needs a page with a fresh one.
        context.pages.drop((session.user_id, order.sku))
        if not appended.created:  # stored by an earlier process under the same key
            return answer(replay((appended.order.fingerprint, appended.order.response), fingerprint), True)
        return answer(appended.order.response, False)


async def _assess(
    request: Request, context: EdgeContext, order: OrderRequest, user_id: str, deadline: Deadline
) -> tuple[str, Assessment, bytes]:
    started = time.perf_counter()
    order_context = await _gather(context, order, user_id, deadline)
    record_phase(request.scope, "lookup", started)
    started = time.perf_counter()
    order_id = context.order_ids.next()
    try:
        assessment = assess(
            order,
            order_context,
            order_id=order_id,
            user_id=user_id,
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
    return order_id, assessment, ack


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


async def _gather(
    context: EdgeContext, order: OrderRequest, user_id: str, deadline: Deadline
) -> OrderContext:
    """The item, address book and coupons; what cannot be had within the budget is None."""
    cap = context.settings.central_timeout_seconds
    try:
        reference = await context.reference.for_order(
            order.sku, user_id, lambda: deadline.limit(_COMMIT_RESERVE_SECONDS, cap)
        )
    except UnknownItem:
        raise ApiError(422, "unknown_sku", f"no item {order.sku}", field="sku") from None
    return OrderContext(
        item=reference.item.item if reference.item else None, book=reference.book, coupons=reference.coupons
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


def _form_answer(body: bytes, replayed: bool) -> Response:
    """A browser without JavaScript goes on to pay (or to its order's status) with a 303."""
    ack = orjson.loads(body)
    target = ack["payment"]["redirect_url"] or f"/v1/orders/{ack['order_id']}"
    return RedirectResponse(
        target, status_code=303, headers={"idempotent-replayed": "true"} if replayed else None
    )


def _accepted(body: bytes, replayed: bool) -> Response:
    headers = {"idempotent-replayed": "true"} if replayed else None
    return Response(body, status_code=202, media_type=JSON_MEDIA_TYPE, headers=headers)
