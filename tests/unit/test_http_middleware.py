"""The policy middleware in front of a small app, and the JSON error handlers."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from gateway.http.handlers import EXCEPTION_HANDLERS
from gateway.http.middleware import PolicyMiddleware, record_phase
from gateway.http.policy import RequestLimits, RequestPolicy, RouteNames
from gateway.ops.budgets import RouteStats


async def echo_length(request: Request) -> Response:
    record_phase(request.scope, "echo", 0.0)
    return PlainTextResponse(str(len(await request.body())))


def _client(max_body_bytes: int = 10) -> tuple[TestClient, RequestPolicy]:
    policy = RequestPolicy(
        RouteNames({"/": "echo"}),
        RouteStats({}),
        RequestLimits(max_body_bytes=max_body_bytes, max_inflight=4),
    )
    app = Starlette(
        routes=[Route("/", echo_length, methods=["GET", "POST"])],
        middleware=[Middleware(PolicyMiddleware, policy=policy)],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    return TestClient(app, raise_server_exceptions=False), policy


def test_the_application_reads_the_body_the_policy_read_for_it() -> None:
    client, _ = _client()
    assert client.post("/", content=iter([b"x" * 4, b"y" * 6])).text == "10"


def test_server_timing_lists_the_routes_phases_then_the_total() -> None:
    client, _ = _client()
    timing = client.get("/").headers["server-timing"]
    assert [entry.split(";")[0] for entry in timing.split(", ")] == ["echo", "total"]


def test_unknown_paths_share_one_route_name() -> None:
    client, policy = _client()
    for n in range(20):
        assert client.get(f"/v1/junk-{n}").status_code == 404
    assert set(policy.stats.snapshot()) == {"other"}
    assert policy.stats.snapshot()["other"]["count"] == 20


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
    client, _ = _client()
    response = client.request(method, "/missing" if status == 404 else "/")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
