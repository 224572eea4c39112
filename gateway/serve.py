"""Run an ASGI app on uvicorn with the settings an edge node wants (uvloop, httptools)."""

from __future__ import annotations

import uvicorn
from starlette.types import ASGIApp

from gateway.settings import ServerSettings


def serve(app: ASGIApp, host: str, port: int, server: ServerSettings) -> None:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=server.access_log,
        timeout_keep_alive=int(server.keepalive_seconds),
        limit_concurrency=server.max_connections,
        backlog=server.backlog,
        timeout_graceful_shutdown=int(server.graceful_shutdown_seconds),
        server_header=False,
        date_header=True,
        log_level="info",
    )
    uvicorn.Server(config).run()
