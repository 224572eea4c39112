"""Acknowledging an order, free of any web framework: the one straight line every order takes.

idempotency claim → reference data (within the budget) → assess (rules, pricing, review packet) →
durable append → the answer. Nothing is acknowledged before the outbox has committed it. Both ways
in call :func:`acknowledge`: the plain ASGI lane for JSON orders (``lanes/acks.py``) and the
Starlette route for everything else, such as the order page's form (``routes/orders.py``).
"""

from __future__ import annotations

import hashlib
import time
from typing import cast

import msgspec
import orjson

from gateway.domain.budgets import Deadline
from gateway.domain.orders import Assessment, OrderContext, OrderRejected, assess
from gateway.edge.answers import AckStatus, OrderAck, Payment, Totals
from gateway.edge.context import EdgeContext
from gateway.edge.services.idempotency import replay
from gateway.edge.services.reference import UnknownItem
from gateway.errors import ApiError
from gateway.http.rate_limits import RateLimited
from gateway.models import OrderRequest
from gateway.outbox.store import NewOrder, OutboxUnavailable
from gateway.timing import Phases, add_phase

# Of the acknowledgement's budget, this much is kept for our own work and the durable commit;
# lookups of reference data get the rest.
_COMMIT_RESERVE_SECONDS = 0.08


class Ack(msgspec.Struct, frozen=True):
    body: bytes  # the JSON acknowledgement, byte for byte the first one given under this key
    replayed: bool


def fingerprint_of(order: OrderRequest) -> str:
    """Same order, same fingerprint: the decoded struct is encoded again, so key order and spacing
    in the request do not matter."""
    return hashlib.sha256(msgspec.json.encode(order)).hexdigest()


async def acknowledge(
    context: EdgeContext,
    order: OrderRequest,
    user_id: str,
    key: str,
    *,
    deadline: Deadline,
    phases: Phases | None,
) -> Ack:
    """Store the order durably and answer it; raises :class:`ApiError` for what the client must fix."""
    fingerprint = fingerprint_of(order)
    async with context.idempotency.claim(user_id, key, deadline) as prior:
        if prior is not None:
            return Ack(replay(prior, fingerprint), True)
        try:
            await context.rate_limits.check("orders_per_shopper", user_id)
        except RateLimited:
            # A retry of an order already placed is answered, whatever the budget says: the key may
            # be one this process no longer remembers (an earlier process stored it, say).
            earlier = context.idempotency.stored(user_id, key)
            if earlier is None:
                raise
            return Ack(replay(earlier, fingerprint), True)
        try:
            order_id, assessment, ack = await _assess(context, order, user_id, deadline, phases)
        except ApiError:
            # Refused as sent; but if an earlier process stored this key, the first answer stands.
            earlier = context.idempotency.stored(user_id, key)
            if earlier is None:
                raise
            return Ack(replay(earlier, fingerprint), True)

        started = time.perf_counter()
        try:
            appended = await context.outbox.append(
                NewOrder(
                    order_id=order_id,
                    user_id=user_id,
                    idempotency_key=key,
                    fingerprint=fingerprint,
                    status=assessment.status,
                    payload=orjson.dumps(assessment.review_packet),
                    response=ack,
                )
            )
        except OutboxUnavailable as full:
            earlier = context.idempotency.stored(user_id, key)
            if earlier is not None:  # stored before (e.g. by an earlier process): the first answer stands
                return Ack(replay(earlier, fingerprint), True)
            raise ApiError(
                503,
                "outbox_unavailable",
                f"the order could not be stored ({full.reason}); nothing was placed, retry with the same key",
                headers={"retry-after": "2"},
            ) from None
        add_phase(phases, "commit", started)
        context.idempotency.remember(user_id, key, appended.order)
        # The page's form carried this key: the next visit needs a page with a fresh one.
        context.pages.drop((user_id, order.sku))
        if not appended.created:  # stored by an earlier process under the same key
            return Ack(replay((appended.order.fingerprint, appended.order.response), fingerprint), True)
        return Ack(appended.order.response, False)


async def _assess(
    context: EdgeContext, order: OrderRequest, user_id: str, deadline: Deadline, phases: Phases | None
) -> tuple[str, Assessment, bytes]:
    started = time.perf_counter()
    order_context = await _gather(context, order, user_id, deadline)
    add_phase(phases, "lookup", started)
    started = time.perf_counter()
    order_id = context.order_ids.next()
    second_look_ms = 0.0
    try:
        assessment = _assess_with(context, order, order_context, order_id, user_id)
    except OrderRejected as rejected:
        if rejected.code != "unknown_address":
            raise ApiError(422, rejected.code, rejected.message, field=rejected.field) from None
        # The address may have been saved through another worker a moment ago, and this one's
        # near copy of the book predate it: look once more, past the near tier.
        looking = time.perf_counter()
        try:
            order_context = await _gather(context, order, user_id, deadline, near=False)
        finally:  # booked at once, so that a 422 during or after it still shows it
            second_look_ms = (time.perf_counter() - looking) * 1000
            if phases is not None:
                phases.append(("lookup_again", second_look_ms))
        if order_context.book is None:  # no second look in time: the first answer stands
            raise ApiError(422, rejected.code, rejected.message, field=rejected.field) from None
        try:
            assessment = _assess_with(context, order, order_context, order_id, user_id)
        except OrderRejected as again:
            raise ApiError(422, again.code, again.message, field=again.field) from None
    ack = _ack(context, order_id, assessment)
    if phases is not None:  # the second look is a lookup, not part of assessing
        phases.append(("assess", (time.perf_counter() - started) * 1000 - second_look_ms))
    return order_id, assessment, ack


def _assess_with(
    context: EdgeContext, order: OrderRequest, order_context: OrderContext, order_id: str, user_id: str
) -> Assessment:
    return assess(
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


async def _gather(
    context: EdgeContext, order: OrderRequest, user_id: str, deadline: Deadline, *, near: bool = True
) -> OrderContext:
    """The item, address book and coupons; what cannot be had within the budget is None."""
    cap = context.settings.central_timeout_seconds
    try:
        reference = await context.reference.for_order(
            order.sku, user_id, lambda: deadline.limit(_COMMIT_RESERVE_SECONDS, cap), near=near
        )
    except UnknownItem:
        raise ApiError(422, "unknown_sku", f"no item {order.sku}", field="sku") from None
    return OrderContext(
        item=reference.item.item if reference.item else None, book=reference.book, coupons=reference.coupons
    )


def _ack(context: EdgeContext, order_id: str, assessment: Assessment) -> bytes:
    """The acknowledgement, encoded from the struct the OpenAPI document publishes for it."""
    pricing = assessment.pricing
    method = assessment.review_packet["payment_method"]
    ack = OrderAck(
        order_id=order_id,
        status=cast(AckStatus, assessment.status),
        flags=assessment.flags,
        queued=True,
        payment=Payment(
            method,
            None if pricing is None else context.payments.redirect_url(method, order_id, pricing.total_cents),
        ),
        totals=None
        if pricing is None
        else Totals(pricing.subtotal_cents, pricing.discount_cents, pricing.total_cents),
        suggestions=["save_address"] if any(f.code == "unusual_address" for f in assessment.flags) else [],
        edge=context.settings.node_id,
    )
    return _encode(ack)


_encode = msgspec.json.Encoder().encode
