"""The request policy as the middleware in front of an application's routes (plain ASGI).

Routes find the request's deadline and its Server-Timing phases in the scope; the body they read is
the one the policy has already read within its limits.
"""

from __future__ import annotations

import asyncio
import time

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.domain.budgets import Deadline
from gateway.errors import ApiError
from gateway.http.asgi import send_error
from gateway.http.headers import first_headers
from gateway.http.policy import ClientGone, Overloaded, RequestPolicy, replaying
from gateway.timing import Phases, add_phase, server_timing

TIMING_SCOPE_KEY = "gateway.timing"
DEADLINE_SCOPE_KEY = "gateway.deadline"


class PolicyMiddleware:
    def __init__(self, app: ASGIApp, policy: RequestPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.policy
        started = time.perf_counter()
        headers = first_headers(scope)
        route = policy.route_of(scope["method"], scope["path"], headers)
        phases: Phases = []
        scope[TIMING_SCOPE_KEY] = phases
        answered_at = 0.0

        async def timed_send(message: Message) -> None:
            nonlocal answered_at
            if message["type"] == "http.response.start":
                answered_at = time.perf_counter()
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (b"server-timing", server_timing(phases, started)),
                    ],
                }
            await send(message)

        try:
            await policy.check_address(route, scope)
            body = await policy.read_body(headers, receive)
        except ClientGone:
            return
        except ApiError as refused:  # 429, 408, 413
            await send_error(timed_send, refused)
            policy.record(route, answered_at - started)
            return
        try:
            policy.admit()
        except Overloaded as refused:
            await send_error(timed_send, refused)
            policy.record(route, answered_at - started)
            return
        try:
            scope[DEADLINE_SCOPE_KEY] = policy.deadline(route)
            await self.app(scope, replaying(body, receive), timed_send)
        finally:
            policy.release()
            policy.record(route, (answered_at or time.perf_counter()) - started)


class FaultDelayMiddleware:
    """Chaos for tests and drills: hold every ``/v1/`` request for ``seconds`` before serving it.

    Off unless configured (``EDGE_FAULT_DELAY_SECONDS`` / ``CENTRAL_FAULT_DELAY_SECONDS``); health
    and ops endpoints stay prompt so that a slow node is still seen as alive.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)


def with_fault_delay(middleware: list[Middleware], seconds: float) -> list[Middleware]:
    """Outermost, so that every /v1/ answer is late, also the ones served before the application."""
    return [Middleware(FaultDelayMiddleware, seconds=seconds), *middleware] if seconds > 0 else middleware


def record_phase(scope: Scope, name: str, started: float) -> None:
    """Record a phase that began at ``started`` (a ``time.perf_counter()`` reading) and ends now."""
    add_phase(scope.get(TIMING_SCOPE_KEY), name, started)


def phases_of(scope: Scope) -> Phases | None:
    """Where this request's phases are collected (None outside the policy middleware)."""
    phases: Phases | None = scope.get(TIMING_SCOPE_KEY)
    return phases


def request_deadline(scope: Scope, fallback_seconds: float) -> Deadline:
    deadline = scope.get(DEADLINE_SCOPE_KEY)
    return deadline if isinstance(deadline, Deadline) else Deadline.after(fallback_seconds)
