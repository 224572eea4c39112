"""Drive an ASGI app in-process, so a benchmark measures the app and not a network stack."""

from __future__ import annotations

import asyncio
from pathlib import Path

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message

from gateway.edge.app import create_edge_app
from gateway.edge.context import EdgeContext
from gateway.settings import EdgeSettings, lifted_rate_budgets
from tests.asgi import http_scope


async def call(
    app: ASGIApp, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    raw = [(b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = http_scope(method, path, raw)
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, content


class EdgeInProcess:
    def __init__(self, tmp: Path) -> None:
        # Rate limits are counted as in production, with budgets one benchmark loop cannot spend.
        budgets = {name.removeprefix("EDGE_").lower(): value for name, value in lifted_rate_budgets().items()}
        settings = EdgeSettings(
            secret="benchmark-secret-long-enough", central_url="http://127.0.0.1:9", data_dir=tmp, **budgets
        )
        self.app: Starlette = create_edge_app(settings)
        self.loop = asyncio.new_event_loop()
        self._lifespan = self.app.router.lifespan_context(self.app)
        self.loop.run_until_complete(self._lifespan.__aenter__())

    @property
    def context(self) -> EdgeContext:
        context: EdgeContext = self.app.state.edge
        return context

    def run(self, coroutine: object) -> object:
        return self.loop.run_until_complete(coroutine)  # type: ignore[arg-type]

    def close(self) -> None:
        self.loop.run_until_complete(self._lifespan.__aexit__(None, None, None))
        self.loop.close()
