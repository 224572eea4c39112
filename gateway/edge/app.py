"""The edge node's application factory."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from gateway.cache.items import ItemCache
from gateway.edge import catalog, health, sessions
from gateway.edge.central_client import CentralClient
from gateway.edge.context import EdgeContext
from gateway.errors import EXCEPTION_HANDLERS
from gateway.middleware import BodyLimitMiddleware, InflightLimitMiddleware, ServerTimingMiddleware
from gateway.settings import EdgeSettings
from gateway.signing import SessionSigner, edge_credential

ROUTES = [
    Route("/healthz", health.healthz, methods=["GET"]),
    Route("/readyz", health.readyz, methods=["GET"]),
    Route("/v1/sessions", sessions.create_session, methods=["POST"]),
    Route("/v1/catalog/items/{sku}", catalog.get_item, methods=["GET"]),
]


def create_edge_app(settings: EdgeSettings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        central = CentralClient(settings.central_url, edge_credential(settings.secret))
        await central.start()
        app.state.edge = EdgeContext(
            settings=settings,
            central=central,
            signer=SessionSigner(settings.secret),
            items=ItemCache(settings.item_cache_ttl_seconds),
        )
        try:
            yield
        finally:
            await central.close()

    return Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(ServerTimingMiddleware),
            Middleware(InflightLimitMiddleware, max_inflight=settings.server.max_inflight_requests),
            Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
