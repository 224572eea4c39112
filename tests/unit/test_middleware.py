from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from gateway.errors import EXCEPTION_HANDLERS
from gateway.middleware import (
    BodyLimitMiddleware,
    InflightLimitMiddleware,
    ServerTimingMiddleware,
    record_phase,
)


async def echo_length(request: Request) -> Response:
    return PlainTextResponse(str(len(await request.body())))


def _app_with(middleware: Any, **options: Any) -> TestClient:
    app = Starlette(routes=[Route("/", echo_length, methods=["POST"])], exception_handlers=EXCEPTION_HANDLERS)
    app.add_middleware(middleware, **options)
    return TestClient(app)


def test_body_under_the_limit_passes() -> None:
    assert _app_with(BodyLimitMiddleware, max_bytes=10).post("/", content=b"x" * 10).text == "10"


def test_declared_oversize_is_refused_before_reading() -> None:
    response = _app_with(BodyLimitMiddleware, max_bytes=10).post("/", content=b"x" * 11)
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "body_too_large", "message": "request body exceeds 10 bytes", "field": "body",
    }  # fmt: skip


def test_streamed_oversize_is_refused_while_reading() -> None:
    response = _app_with(BodyLimitMiddleware, max_bytes=10).post("/", content=iter([b"x" * 6, b"x" * 6]))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


async def _call(app: Any, path: str = "/") -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": []}
    await app(scope, receive, send)
    return sent


async def test_inflight_limit_sheds_with_json_503() -> None:
    release = asyncio.Event()

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        await release.wait()
        await PlainTextResponse("done")(scope, receive, send)

    limited = InflightLimitMiddleware(slow, max_inflight=2)
    first = asyncio.create_task(_call(limited))
    second = asyncio.create_task(_call(limited))
    await asyncio.sleep(0)
    shed = await _call(limited)
    assert shed[0]["status"] == 503
    assert (b"retry-after", b"1") in shed[0]["headers"]
    assert orjson.loads(shed[1]["body"])["error"]["code"] == "overloaded"
    release.set()
    assert [m[0]["status"] for m in await asyncio.gather(first, second)] == [200, 200]
    assert limited.inflight == 0
    assert (await _call(limited))[0]["status"] == 200


async def test_server_timing_lists_recorded_phases_and_total() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        record_phase(scope, "cache", 0.0)
        await PlainTextResponse("ok")(scope, receive, send)

    start = (await _call(ServerTimingMiddleware(app)))[0]
    timing = dict(start["headers"])[b"server-timing"].decode()
    names = [entry.split(";")[0] for entry in timing.split(", ")]
    assert names == ["cache", "total"]


def test_unhandled_errors_become_json_500() -> None:
    async def broken(request: Request) -> Response:
        raise RuntimeError("secret internals")

    app = Starlette(routes=[Route("/", broken)], exception_handlers=EXCEPTION_HANDLERS)
    response = TestClient(app, raise_server_exceptions=False).get("/")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal_error", "message": "internal error"}}
    assert "secret internals" not in response.text


@pytest.mark.parametrize(
    ("method", "status", "code"), [("GET", 404, "not_found"), ("PUT", 405, "method_not_allowed")]
)
def test_routing_errors_are_json(method: str, status: int, code: str) -> None:
    app = Starlette(routes=[Route("/", echo_length, methods=["POST"])], exception_handlers=EXCEPTION_HANDLERS)
    path = "/missing" if status == 404 else "/"
    response = TestClient(app).request(method, path)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
