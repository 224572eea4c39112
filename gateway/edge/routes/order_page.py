"""``GET /v1/order-page?sku=&spec=&qty=``: the shopper's order page, prerendered when we guessed right.

A stored page for (shopper, sku, spec) is a hit, in any quantity: another quantity is derived from
the stored page without a lookup. Otherwise the page is built on the spot within the order page's
budget (``X-Prerender: miss``). HTML is sent brotli- or gzip-compressed as the client accepts
(compressed once, when the page was made), or as JSON for app clients.
"""

from __future__ import annotations

import secrets
import time

import orjson
from starlette.requests import Request
from starlette.responses import Response

from gateway.domain.budgets import Deadline
from gateway.domain.order_page import OrderPage, build_page, render_variant
from gateway.domain.page_html import render_html
from gateway.edge.context import EdgeContext
from gateway.edge.requests import edge_context, require_session
from gateway.edge.services.pages import MAX_VARIANTS, PAGE_HEADERS, SERVED, StoredPage
from gateway.edge.services.prerender import default_spec
from gateway.edge.services.reference import UnknownItem
from gateway.errors import ApiError
from gateway.http.compression import CompressedPage, compress, encoded
from gateway.http.etags import none_match
from gateway.http.middleware import record_phase, request_deadline
from gateway.models import SKU_PATTERN
from gateway.responses import JSON_MEDIA_TYPE

_RENDER_RESERVE_SECONDS = 0.05


async def order_page(request: Request) -> Response:
    context = edge_context(request)
    session = require_session(request, context.signer)
    sku, spec, qty = _params(request)
    started = time.perf_counter()
    stored = context.pages.get(session.user_id, sku)
    if stored is not None and (spec is None or spec in dict(stored.page.specs)):
        page, compressed, variant = _variant(stored, spec or stored.page.spec, qty)
        context.pages.mark_used(stored)
        outcome = "hit"
    else:
        deadline = request_deadline(request.scope, context.settings.order_page_budget_seconds)
        page, compressed = await _render_now(context, session.user_id, sku, spec, qty, deadline=deadline)
        outcome, variant = "miss", "rendered"
    record_phase(request.scope, "page", started)
    SERVED[outcome].inc()
    headers = {
        "x-prerender": outcome,
        # "exact": the page as prerendered; "derived": another spec or quantity made from it
        "x-prerender-variant": variant,
        **PAGE_HEADERS,
    }
    if "application/json" in request.headers.get("accept", ""):
        return Response(orjson.dumps(page.model()), media_type=JSON_MEDIA_TYPE, headers=headers)
    return _html(request, compressed, headers)


def _params(request: Request) -> tuple[str, str | None, int]:
    query = request.query_params
    sku = query.get("sku", "")
    if not SKU_PATTERN.fullmatch(sku):
        raise ApiError(422, "invalid_field", "sku must look like sku-00042", field="sku")
    spec = query.get("spec") or None
    if spec is not None and len(spec) > 64:
        raise ApiError(422, "invalid_field", "spec is too long", field="spec")
    raw_qty = query.get("qty", "1")
    # isdigit() alone takes "²" and "①", which int() refuses: ASCII digits only, and few of them.
    if not (raw_qty.isascii() and raw_qty.isdigit() and len(raw_qty) <= 3) or not 1 <= int(raw_qty) <= 200:
        raise ApiError(422, "invalid_field", "qty must be a whole number from 1 to 200", field="qty")
    return sku, spec, int(raw_qty)


def _variant(stored: StoredPage, spec: str, qty: int) -> tuple[OrderPage, CompressedPage, str]:
    page = render_variant(stored.page, spec=spec, qty=qty)
    exact = "exact" if page is stored.page else "derived"
    compressed = stored.variants.get((spec, qty))
    if compressed is None:
        compressed = compress(render_html(page))
        if len(stored.variants) < MAX_VARIANTS:
            stored.variants[spec, qty] = compressed
    return page, compressed, exact


async def _render_now(
    context: EdgeContext, user_id: str, sku: str, spec: str | None, qty: int, *, deadline: Deadline
) -> tuple[OrderPage, CompressedPage]:
    """Within the budget; what cannot be fetched in time is left out (coupons, the address)."""
    cap = context.settings.central_timeout_seconds
    try:
        reference = await context.reference.for_order(
            sku, user_id, lambda: deadline.limit(_RENDER_RESERVE_SECONDS, cap)
        )
    except UnknownItem:
        raise ApiError(404, "unknown_sku", f"no item {sku}", field="sku") from None
    if reference.item is None:
        raise ApiError(
            503,
            "upstream_unavailable",
            "the item cannot be loaded right now",
            field="sku",
            headers={"retry-after": "2"},
        )
    item = reference.item.item
    if spec is not None and spec not in item.specs:
        raise ApiError(422, "spec_not_offered", f"{sku} has no spec {spec!r}", field="spec")
    book = reference.book.addresses if reference.book else []
    page = build_page(
        item,
        spec or default_spec(item),
        qty,
        coupons=reference.coupons or {},
        address=book[0] if book else None,
        payment_methods=context.settings.payment_methods,
        remote_prefixes=context.policy.remote_adcode_prefixes,
        idempotency_key=secrets.token_urlsafe(16),
    )
    return page, compress(render_html(page))


def _html(request: Request, compressed: CompressedPage, headers: dict[str, str]) -> Response:
    body, coding, etag = encoded(compressed, request.headers.get("accept-encoding", ""))
    headers = {**headers, "etag": etag}
    if coding != "identity":
        headers["content-encoding"] = coding
    if none_match(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/html; charset=utf-8", headers=headers)
