"""JSON orders acknowledged by a plain ASGI lane ahead of the middleware stack.

An acknowledgement is the edge's busiest write, and on one core every layer it passes costs
throughput: measured in-process, the four middleware layers with Starlette's routing, request and
response objects were a fifth of an order's cost. This lane does for ``POST /v1/orders`` with a
bearer token and a JSON body what those layers do, in one frame: the in-flight limit (503), the
body limit (413), the request's deadline, ``Server-Timing`` and the route's latency record. The
order itself takes the same way as every other (:func:`gateway.edge.acks.acknowledge`). Anything
else (the order page's form, a session in a cookie, no token) goes on to the application, which
answers it with the same rules.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.domain.budgets import Deadline
from gateway.edge.acks import Ack, acknowledge
from gateway.edge.auth import session_for_token
from gateway.edge.context import EdgeContext
from gateway.edge.idempotency import check_key
from gateway.edge.order_forms import FORM_MEDIA_TYPE
from gateway.errors import ApiError
from gateway.http import authorization_of, bearer_of, first_headers
from gateway.middleware import BodyTooLarge, Phases, send_error, server_timing
from gateway.models import OrderRequest
from gateway.ops.budgets import RouteStats
from gateway.ops.load import LoadGauge
from gateway.validation import decode_json

_PATH = "/v1/orders"
_ROUTE = "order_ack"
_FORM = FORM_MEDIA_TYPE.encode()
_JSON_HEADERS = [(b"content-type", b"application/json")]
_REPLAYED = (b"idempotent-replayed", b"true")


class _ClientGone(Exception):
    """The client hung up before its body arrived; there is no one to answer."""


class OrderAckLane:
    def __init__(
        self, app: ASGIApp, stats: RouteStats, gauge: LoadGauge, max_inflight: int, max_body_bytes: int
    ) -> None:
        self.app = app
        self.stats = stats
        self.gauge = gauge
        self.max_inflight = max_inflight
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == _PATH and scope["method"] == "POST":
            context: EdgeContext | None = getattr(scope["app"].state, "edge", None)
            headers = first_headers(scope)
            token = bearer_of(authorization_of(headers))
            if (
                context is not None
                and token  # no bearer (or an empty one) may come with a session cookie: the app reads it
                and not headers.get(b"content-type", b"").startswith(_FORM)
            ):
                await self._answer(context, token, headers, receive, send)
                return
        await self.app(scope, receive, send)

    async def _answer(
        self, context: EdgeContext, token: str, headers: dict[bytes, bytes], receive: Receive, send: Send
    ) -> None:
        started = time.perf_counter()
        phases: Phases = []
        try:
            ack = await self._admit(context, token, headers, receive, phases)
        except ApiError as error:
            timing = (b"server-timing", server_timing(phases, started))
            self.stats.record(_ROUTE, time.perf_counter() - started)
            await send_error(send, error, [timing])
            return
        except _ClientGone:
            return
        except Exception:  # answered as a JSON 500 by the server error handler; still counted
            self.stats.record(_ROUTE, time.perf_counter() - started)
            raise
        response = [*_JSON_HEADERS, (b"content-length", str(len(ack.body)).encode())]
        if ack.replayed:
            response.append(_REPLAYED)
        response.append((b"server-timing", server_timing(phases, started)))
        self.stats.record(_ROUTE, time.perf_counter() - started)
        await send({"type": "http.response.start", "status": 202, "headers": response})
        await send({"type": "http.response.body", "body": ack.body})

    async def _admit(
        self,
        context: EdgeContext,
        token: str,
        headers: dict[bytes, bytes],
        receive: Receive,
        phases: Phases,
    ) -> Ack:
        """The checks in the order the middleware stack and the route make them, then the order."""
        if self.gauge.inflight >= self.max_inflight:
            raise ApiError(503, "overloaded", "too many requests in flight", headers={"retry-after": "1"})
        self.gauge.inflight += 1
        try:
            deadline = Deadline.after(self.stats.budget_for(_ROUTE))
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
                raise BodyTooLarge(self.max_body_bytes)
            session = session_for_token(context.signer, token)
            order = decode_json(await self._body(receive), OrderRequest)
            raw_key = headers.get(b"idempotency-key")
            key = check_key(None if raw_key is None else raw_key.decode("latin-1"))
            return await acknowledge(context, order, session.user_id, key, deadline=deadline, phases=phases)
        finally:
            self.gauge.inflight -= 1

    async def _body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise BodyTooLarge(self.max_body_bytes)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)
