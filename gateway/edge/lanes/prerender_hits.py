"""Prerendered order pages served ahead of the application, as a cache in front of an origin is.

An exact hit (the shopper's own page, in the spec and quantity it was prerendered for, as HTML)
needs nothing the application offers: the session is one already verified, the page is in memory
and compressed. Answering it here, before Starlette's request and response objects and the
middleware stack, is what lets a hit cost little more than serving a static page. Anything else
(another spec or quantity, JSON, a revalidation, a token not seen before, a malformed query) goes
on to the application, which answers it in full. Latency is recorded for the route all the same.

A hit does not take a slot of the in-flight limit: that limit bounds work that waits (on a lookup, a
commit), and a hit waits on nothing; it is answered in the same turn of the event loop that read it,
for less than the 503 that would shed it would cost.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.edge.context import EdgeContext
from gateway.edge.services.pages import PAGE_HEADERS, SERVED, StoredPage
from gateway.http.compression import encoded
from gateway.http.headers import authorization_of, bearer_of, first_headers
from gateway.http.policy import RequestPolicy

_PATH = "/v1/order-page"
_STATIC_HEADERS = [
    (b"content-type", b"text/html; charset=utf-8"),
    (b"x-prerender", b"hit"),
    (b"x-prerender-variant", b"exact"),
    *((name.encode(), value.encode()) for name, value in PAGE_HEADERS.items()),
]


class PrerenderFastPath:
    def __init__(self, app: ASGIApp, policy: RequestPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == _PATH and scope["method"] == "GET":
            started = time.perf_counter()
            hit = _exact_hit(scope)
            if hit is not None:
                await _send_hit(send, hit, started)
                self.policy.record("order_page", time.perf_counter() - started)
                return
        await self.app(scope, receive, send)


def _exact_hit(scope: Scope) -> tuple[EdgeContext, StoredPage, str] | None:
    """The stored page, if this request is an exact hit that needs nothing from the application."""
    context: EdgeContext | None = getattr(scope["app"].state, "edge", None)
    headers = first_headers(scope)
    token = bearer_of(authorization_of(headers))
    session = context.signer.remembered(token) if context and token else None
    if (
        context is None
        or session is None
        or b"if-none-match" in headers
        or b"application/json" in headers.get(b"accept", b"")
    ):
        return None
    query = _query(scope["query_string"])
    stored = context.pages.get(session.user_id, query.get("sku", ""))
    if stored is None:
        return None
    page = stored.page
    exact = query.get("spec", page.spec) == page.spec and query.get("qty", "1") == str(page.qty)
    if not exact or (page.spec, page.qty) not in stored.variants:
        return None
    return context, stored, headers.get(b"accept-encoding", b"").decode("latin-1")


def _query(raw: bytes) -> dict[str, str]:
    """The query's fields. A plain query (no escapes) is split by hand: parse_qsl took a fifth of a
    hit. Whatever this reads differently (an empty or odd field) only makes the hit inexact, and
    the request goes on to the application, which parses it in full."""
    text = raw.decode("latin-1")
    if "%" in text or "+" in text:
        return dict(parse_qsl(text, keep_blank_values=True))  # as Starlette's QueryParams reads it
    return {name: value for name, _, value in (field.partition("=") for field in text.split("&") if field)}


async def _send_hit(send: Send, hit: tuple[EdgeContext, StoredPage, str], started: float) -> None:
    context, stored, accept_encoding = hit
    body, coding, etag = encoded(stored.variants[stored.page.spec, stored.page.qty], accept_encoding)
    context.pages.mark_used(stored)
    SERVED["hit"].inc()
    headers = [*_STATIC_HEADERS, (b"etag", etag.encode()), (b"content-length", str(len(body)).encode())]
    if coding != "identity":
        headers.append((b"content-encoding", coding.encode()))
    elapsed = f"{(time.perf_counter() - started) * 1000:.2f}"
    headers.append((b"server-timing", f"page;dur={elapsed}, total;dur={elapsed}".encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
