"""The central store's application factory."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware

from gateway.central import changes, orders, routes
from gateway.central.context import CentralContext, ChangeSignal
from gateway.central.seed import build_seed
from gateway.central.storage import CentralStorage, SqliteStorage
from gateway.errors import EXCEPTION_HANDLERS
from gateway.middleware import (
    BodyLimitMiddleware,
    InflightLimitMiddleware,
    ServerTimingMiddleware,
    with_fault_delay,
)
from gateway.serve import freeze_startup_heap
from gateway.settings import CentralSettings
from gateway.signing import BatchSigner, SessionSigner, edge_credential

logger = logging.getLogger("gateway.central")


def create_central_app(settings: CentralSettings, storage: CentralStorage | None = None) -> Starlette:
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
        )
        freeze_startup_heap()
        try:
            yield
        finally:
            await store.close()

    return Starlette(
        routes=[*routes.ROUTES, *orders.ROUTES, *changes.ROUTES],
        middleware=with_fault_delay(
            [
                Middleware(ServerTimingMiddleware),
                Middleware(InflightLimitMiddleware, max_inflight=settings.server.max_inflight_requests),
                Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
            ],
            settings.fault_delay_seconds,
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
