"""JSON orders acknowledged by a plain ASGI lane ahead of the middleware stack.

An acknowledgement is the edge's busiest write, and on one core every layer it passes costs
throughput: measured in-process, the middleware layers with Starlette's routing, request and
response objects were a fifth of an order's cost. This lane takes ``POST /v1/orders`` with a bearer
token and a JSON body and applies the same request policy as the stack (:mod:`gateway.http.policy`:
body limits and timeout, the in-flight limit once the body is in, the deadline, Server-Timing, the
route's latency record) in one frame. The order itself takes the same way as every other
(:func:`gateway.edge.services.acks.acknowledge`). Anything else (the order page's form, a session
in a cookie, no token) goes on to the application, which answers it with the same rules.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.domain.budgets import Deadline
from gateway.edge.auth import session_for_token
from gateway.edge.context import EdgeContext
from gateway.edge.services.acks import Ack, acknowledge
from gateway.edge.services.idempotency import check_key
from gateway.errors import ApiError
from gateway.http.asgi import send_error
from gateway.http.headers import authorization_of, bearer_of, first_headers
from gateway.http.policy import FORM_MEDIA_TYPE, ClientGone, RequestPolicy
from gateway.models import OrderRequest
from gateway.timing import Phases, server_timing
from gateway.validation import decode_json

_PATH = "/v1/orders"
_JSON_HEADERS = [(b"content-type", b"application/json")]
_REPLAYED = (b"idempotent-replayed", b"true")


class OrderAckLane:
    def __init__(self, app: ASGIApp, policy: RequestPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == _PATH and scope["method"] == "POST":
            context: EdgeContext | None = getattr(scope["app"].state, "edge", None)
            headers = first_headers(scope)
            token = bearer_of(authorization_of(headers))
            if (
                context is not None
                and token  # no bearer (or an empty one) may come with a session cookie: the app reads it
                and not headers.get(b"content-type", b"").startswith(FORM_MEDIA_TYPE)
            ):
                await self._answer(context, scope, receive, send, token=token, headers=headers)
                return
        await self.app(scope, receive, send)

    async def _answer(
        self,
        context: EdgeContext,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        token: str,
        headers: dict[bytes, bytes],
    ) -> None:
        policy = self.policy
        started = time.perf_counter()
        route = policy.route_of("POST", _PATH, headers)
        phases: Phases = []
        try:
            await policy.check_address(route, scope)
            body = await policy.read_body(headers, receive)
            policy.admit()
            try:
                ack = await _acknowledge(
                    context, token, headers, body, deadline=policy.deadline(route), phases=phases
                )
            finally:
                policy.release()
        except ClientGone:
            return
        except ApiError as error:
            timing = (b"server-timing", server_timing(phases, started))
            policy.record(route, time.perf_counter() - started)
            await send_error(send, error, [timing])
            return
        except Exception:  # answered as a JSON 500 by the server error handler; still counted
            policy.record(route, time.perf_counter() - started)
            raise
        response = [*_JSON_HEADERS, (b"content-length", str(len(ack.body)).encode())]
        if ack.replayed:
            response.append(_REPLAYED)
        response.append((b"server-timing", server_timing(phases, started)))
        policy.record(route, time.perf_counter() - started)
        await send({"type": "http.response.start", "status": 202, "headers": response})
        await send({"type": "http.response.body", "body": ack.body})


async def _acknowledge(
    context: EdgeContext,
    token: str,
    headers: dict[bytes, bytes],
    body: bytes,
    *,
    deadline: Deadline,
    phases: Phases,
) -> Ack:
    """The checks in the order the route makes them, then the order."""
    session = session_for_token(context.signer, token)
    order = decode_json(body, OrderRequest)
    raw_key = headers.get(b"idempotency-key")
    key = check_key(None if raw_key is None else raw_key.decode("latin-1"))
    return await acknowledge(context, order, session.user_id, key, deadline=deadline, phases=phases)
