"""Liveness and readiness."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.edge.context import edge_context
from gateway.responses import json_response


async def healthz(_: Request) -> Response:
    return json_response({"status": "ok"})


async def readyz(request: Request) -> Response:
    context = edge_context(request)
    return json_response({"ready": True, "node": context.settings.node_id, "region": context.settings.region})
