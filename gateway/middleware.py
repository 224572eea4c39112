"""Plain ASGI middleware shared by the edge and the central store.

Starlette 1.x ships a body limit, but it answers 413 in plain text; the contract wants the JSON
error model everywhere, so the limit lives here, raising :class:`ApiError` for the handlers.
"""

from __future__ import annotations

import asyncio
import time

import orjson
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import ApiError, error_body
from gateway.ops.load import LoadGauge

TIMING_SCOPE_KEY = "gateway.timing"

Phases = list[tuple[str, float]]  # (name, milliseconds), in the order they ran


class BodyTooLarge(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, "body_too_large", f"request body exceeds {limit} bytes", field="body")


class BodyLimitMiddleware:
    """Reject bodies over ``max_bytes``: at once from Content-Length, or as soon as the stream passes it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await send_error(send, BodyTooLarge(self.max_bytes))
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited_receive, send)


class InflightLimitMiddleware:
    """Shed load with a JSON 503 and ``Retry-After`` once too many requests are in flight.

    uvicorn's own ``limit_concurrency`` counts idle keep-alive connections too and answers in plain
    text, so it stays a high connection cap while this bounds the work actually being done.
    """

    def __init__(self, app: ASGIApp, max_inflight: int, gauge: LoadGauge | None = None) -> None:
        self.app = app
        self.max_inflight = max_inflight
        self.gauge = gauge or LoadGauge()

    @property
    def inflight(self) -> int:
        return self.gauge.inflight

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.gauge.inflight >= self.max_inflight:
            await send_error(
                send,
                ApiError(503, "overloaded", "too many requests in flight", headers={"retry-after": "1"}),
            )
            return
        self.gauge.inflight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.gauge.inflight -= 1


class ServerTimingMiddleware:
    """Add ``Server-Timing`` to every response: the phases routes recorded, and the total so far."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        phases: Phases = []
        scope[TIMING_SCOPE_KEY] = phases

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"server-timing", server_timing(phases, started)))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed_send)


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


def server_timing_total(header: str) -> float | None:
    """The ``total;dur=`` entry of a Server-Timing header, in milliseconds (for load tools)."""
    for entry in header.split(","):
        name, _, rest = entry.strip().partition(";")
        if name == "total" and rest.startswith("dur="):
            return float(rest[4:])
    return None


def server_timing(phases: Phases, started: float) -> bytes:
    """The ``Server-Timing`` value: each phase, then the total since ``started``."""
    total_ms = (time.perf_counter() - started) * 1000
    entries = [f"{name};dur={ms:.2f}" for name, ms in phases]
    entries.append(f"total;dur={total_ms:.2f}")
    return ", ".join(entries).encode()


def record_phase(scope: Scope, name: str, started: float) -> None:
    """Record a phase that began at ``started`` (a ``time.perf_counter()`` reading) and ends now."""
    add_phase(scope.get(TIMING_SCOPE_KEY), name, started)


def phases_of(scope: Scope) -> Phases | None:
    """Where this request's phases are collected (None outside the timing middleware)."""
    phases: Phases | None = scope.get(TIMING_SCOPE_KEY)
    return phases


def add_phase(phases: Phases | None, name: str, started: float) -> None:
    if phases is not None:
        phases.append((name, (time.perf_counter() - started) * 1000))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def send_error(send: Send, error: ApiError, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    """Answer with the JSON error model, from plain ASGI code that has no exception handlers."""
    body = orjson.dumps(error_body(error.code, error.message, error.field))
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in (error.headers or {}).items()]
    headers += extra or []
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
