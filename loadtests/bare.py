"""The baselines for server benchmarks: bare Starlette endpoints on the same uvicorn settings as a node.

``POST /ack`` reads the body and answers 202 with a small JSON document, the least an order
endpoint could do; ``POST /durable-ack`` also stores the body in an outbox like the edge's
(SQLite WAL, ``synchronous=FULL``, group commit) before it answers, the least a *durable* order
endpoint could do; ``GET /page`` answers a fixed 12 KB HTML page (gzip-sized like an order page).
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.outbox.store import NewOrder, Outbox
from gateway.serving.uvicorn_server import serve
from gateway.settings import ServerSettings

_PAGE = ("<!doctype html><title>order</title>" + "<p>" + "x" * 12_000 + "</p>").encode()
_numbers = itertools.count()


async def ack(request: Request) -> Response:
    body = await request.body()
    return Response(
        orjson.dumps({"order_id": "o-bare", "status": "accepted", "bytes": len(body)}),
        status_code=202,
        media_type="application/json",
    )


async def durable_ack(request: Request) -> Response:
    body = await request.body()
    number = next(_numbers)
    answer = orjson.dumps({"order_id": f"o-{number}", "status": "accepted", "bytes": len(body)})
    outbox: Outbox = request.app.state.outbox
    await outbox.append(
        NewOrder(
            order_id=f"o-{number}",
            user_id="u-bare",
            idempotency_key=str(number),
            fingerprint="",
            status="accepted",
            payload=body,
            response=answer,
        )
    )
    return Response(answer, status_code=202, media_type="application/json")


async def page(_: Request) -> Response:
    return Response(_PAGE, media_type="text/html; charset=utf-8")


async def healthz(_: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    with tempfile.TemporaryDirectory(prefix="bare-outbox-") as directory:
        app.state.outbox = outbox = Outbox(Path(directory) / "outbox.sqlite3", max_depth=10**9)
        outbox.open()
        try:
            yield
        finally:
            await outbox.close()


app = Starlette(
    routes=[
        Route("/ack", ack, methods=["POST"]),
        Route("/durable-ack", durable_ack, methods=["POST"]),
        Route("/page", page, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
    ],
    lifespan=lifespan,
)

if __name__ == "__main__":
    serve(app, "127.0.0.1", int(os.environ.get("BARE_PORT", "8899")), ServerSettings())
