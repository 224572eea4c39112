"""The baseline for server benchmarks: a bare Starlette app on the same uvicorn settings as a node.

``POST /ack`` reads the body and answers 202 with a small JSON document, the least an order
endpoint could do; ``GET /page`` answers a fixed 12 KB HTML page (gzip-sized like an order page).
"""

from __future__ import annotations

import os

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.serve import serve
from gateway.settings import ServerSettings

_PAGE = ("<!doctype html><title>order</title>" + "<p>" + "x" * 12_000 + "</p>").encode()


async def ack(request: Request) -> Response:
    body = await request.body()
    return Response(
        orjson.dumps({"order_id": "o-bare", "status": "accepted", "bytes": len(body)}),
        status_code=202,
        media_type="application/json",
    )


async def page(_: Request) -> Response:
    return Response(_PAGE, media_type="text/html; charset=utf-8")


async def healthz(_: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


app = Starlette(
    routes=[
        Route("/ack", ack, methods=["POST"]),
        Route("/page", page, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
)

if __name__ == "__main__":
    serve(app, "127.0.0.1", int(os.environ.get("BARE_PORT", "8899")), ServerSettings())
