"""An edge app in-process, its reference data put in its cache (no central store), and a way to send it
a request in chunks: the harness of the lane, policy and route tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.types import Message

from gateway.edge.app import create_edge_app
from gateway.edge.context import EdgeContext
from gateway.edge.services.reference import COUPONS_KEY, book_key
from gateway.http.policy import RequestPolicy
from gateway.models import AddressBook
from gateway.seed import COUPONS, build_seed
from gateway.settings import EdgeSettings
from tests.asgi import http_scope

SEED = build_seed(items=50, users=5)
ITEM, USER = SEED.items[42], "u-0001"
ORDER = orjson.dumps(
    {"sku": ITEM.sku, "spec": ITEM.specs[0], "qty": 1, "payment_method": "alipay",
     "address_id": SEED.addresses[USER][0].address_id}
)  # fmt: skip
STALLED = object()  # a chunk that never comes: the client trickles and stops
HANGUP = object()  # where the client hangs up instead of sending the next chunk


@asynccontextmanager
async def running_edge(settings: EdgeSettings) -> AsyncIterator[Starlette]:
    """The app with its lifespan entered, the seed's item, the shopper's book and the coupons cached."""
    app = create_edge_app(settings)
    async with app.router.lifespan_context(app):
        context: EdgeContext = app.state.edge
        reference = context.reference
        await reference.put_item(ITEM)
        book = AddressBook(USER, SEED.addresses[USER])
        await reference.cache.put(book_key(USER), book, reference._book_loader(USER))
        await reference.cache.put(COUPONS_KEY, {c.code: c for c in COUPONS}, reference._coupons_loader())
        yield app


def policy_of(app: Starlette) -> RequestPolicy:
    policy: RequestPolicy = next(m.kwargs["policy"] for m in app.user_middleware if "policy" in m.kwargs)
    return policy


def token_for(app: Starlette, user: str = USER) -> str:
    token: str = app.state.edge.signer.issue(user)[0]
    return token


async def send_request(
    app: Starlette,
    method: str,
    target: str,
    chunks: list[Any],
    headers: dict[str, str] | list[tuple[str, str]],
    *,
    declare_length: bool = True,
    sent: list[Message] | None = None,
    scope_out: dict[str, Any] | None = None,
    client: str = "127.0.0.1",
) -> tuple[int | None, dict[str, str], Any]:
    """(status, headers, JSON body), or (None, {}, None) when nothing was answered. ``chunks`` are the
    body's parts as the client sends them; :data:`STALLED` is a part that never arrives, and at
    :data:`HANGUP` the client hangs up."""
    pending = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]
    sent = [] if sent is None else sent

    async def receive() -> Message:
        if not pending:
            return {"type": "http.disconnect"}
        message = pending.pop(0)
        if message["body"] is STALLED:
            await asyncio.Event().wait()
        if message["body"] is HANGUP:
            return {"type": "http.disconnect"}
        return message

    async def send(message: Message) -> None:
        sent.append(message)

    pairs = headers.items() if isinstance(headers, dict) else headers
    raw = [(k.lower().encode(), v.encode()) for k, v in pairs]
    if declare_length:
        raw.append((b"content-length", str(sum(len(c) for c in chunks if isinstance(c, bytes))).encode()))
    else:  # a body of unknown length comes chunked, as any HTTP/1.1 client sends it
        raw.append((b"transfer-encoding", b"chunked"))
    scope = http_scope(method, target, raw)
    scope["client"] = (client, 5000)
    if scope_out is not None:
        scope_out.update(scope)
        scope = scope_out
    await app(scope, receive, send)
    start = next((m for m in sent if m["type"] == "http.response.start"), None)
    if start is None:
        return None, {}, None
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    content_type = dict(start["headers"]).get(b"content-type", b"")
    return (
        start["status"],
        {k.decode(): v.decode() for k, v in start["headers"]},
        orjson.loads(body or b"null") if content_type.startswith(b"application/json") else body,
    )
