"""The central store's application factory."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from gateway.central import changes, orders, routes
from gateway.central.context import CentralContext, ChangeSignal
from gateway.central.contract import central_openapi
from gateway.central.storage import CentralStorage, SqliteStorage
from gateway.http.handlers import EXCEPTION_HANDLERS
from gateway.http.middleware import PolicyMiddleware, with_fault_delay
from gateway.http.openapi import openapi_endpoint
from gateway.http.policy import RequestLimits, RequestPolicy, RouteNames
from gateway.ops.budgets import RouteStats
from gateway.seed import build_seed
from gateway.serving.uvicorn_server import freeze_startup_heap
from gateway.settings import CentralSettings
from gateway.signing import BatchSigner, SessionSigner, edge_credential

logger = logging.getLogger("gateway.central")


ROUTE_NAMES = RouteNames(
    exact={
        "/v1/order-batches": "order_batches",
        "/v1/changes": "changes",
        "/v1/sessions": "sessions",
        "/v1/orders": "orders",
        "/v1/review-queue": "review_queue",
        "/v1/coupons": "coupons",
        **dict.fromkeys(("/healthz", "/readyz", "/metrics", "/openapi.json"), "ops"),
    },
    prefixes=(("/v1/items/", "items"), ("/v1/users/", "users")),
)


def create_central_app(settings: CentralSettings, storage: CentralStorage | None = None) -> Starlette:
    server = settings.server
    policy = RequestPolicy(
        ROUTE_NAMES,
        # A change-feed reader is held up to 25 s by design: that is its budget, not a slow answer.
        RouteStats({"changes": 30.0}),
        RequestLimits(
            max_body_bytes=settings.max_body_bytes,
            max_inflight=server.max_inflight_requests,
            body_read_seconds=server.body_read_timeout_seconds,
        ),
    )
    store = storage or SqliteStorage(settings.data_dir / "central.sqlite3")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.open()
        if await store.is_empty():
            logger.info("empty store: seeding %d items, %d users", settings.seed_items, settings.seed_users)
            await store.seed(build_seed(items=settings.seed_items, users=settings.seed_users))
        app.state.central = CentralContext(
            storage=store,
            signer=SessionSigner(settings.secret, settings.session_ttl_seconds),
            batch_signer=BatchSigner(settings.secret),
            edge_credential=edge_credential(settings.secret),
            ops_token=settings.ops_token,
            changes=ChangeSignal(),
            demo_login=settings.demo_login,
        )
        freeze_startup_heap()
        try:
            yield
        finally:
            await store.close()

    return Starlette(
        routes=[
            *routes.ROUTES,
            *orders.ROUTES,
            *changes.ROUTES,
            Route("/openapi.json", openapi_endpoint(central_openapi), methods=["GET"]),
        ],
        middleware=with_fault_delay(
            [
                Middleware(PolicyMiddleware, policy=policy),
            ],
            settings.fault_delay_seconds,
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
