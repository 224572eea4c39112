"""The edge node's application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from edge_nodes.regions import load_regions
from gateway.divisions import load_divisions
from gateway.domain.address import AddressResolver
from gateway.domain.ids import OrderIds
from gateway.domain.payments import PaymentCatalog
from gateway.domain.rules import RulePolicy
from gateway.edge import catalog, health, orders, sessions
from gateway.edge.central_client import CentralClient
from gateway.edge.context import EdgeContext
from gateway.edge.idempotency import IdempotencyGuard
from gateway.edge.reference import Reference
from gateway.errors import EXCEPTION_HANDLERS
from gateway.middleware import BodyLimitMiddleware, InflightLimitMiddleware, ServerTimingMiddleware
from gateway.outbox.forwarder import Forwarder
from gateway.outbox.store import Outbox
from gateway.resilience import Backoff, CircuitBreaker
from gateway.serve import freeze_startup_heap
from gateway.settings import EdgeSettings
from gateway.signing import BatchSigner, SessionSigner, edge_credential, payment_redirect_key

logger = logging.getLogger("gateway.edge")

ROUTES = [
    Route("/healthz", health.healthz, methods=["GET"]),
    Route("/readyz", health.readyz, methods=["GET"]),
    Route("/v1/sessions", sessions.create_session, methods=["POST"]),
    Route("/v1/catalog/items/{sku}", catalog.get_item, methods=["GET"]),
    Route("/v1/orders", orders.create_order, methods=["POST"]),
    Route("/v1/orders/{order_id}", orders.get_order, methods=["GET"]),
]


def rule_policy(settings: EdgeSettings) -> RulePolicy:
    if settings.remote_adcode_prefixes:
        remote = tuple(p.strip() for p in settings.remote_adcode_prefixes.split(",") if p.strip())
    else:
        regions = load_regions(Path(settings.regions_dir) if settings.regions_dir else None)
        remote = tuple(prefix for region in regions for prefix in region.remote_adcode_prefixes)
    return RulePolicy(remote_adcode_prefixes=remote)


def create_edge_app(settings: EdgeSettings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        breaker = CircuitBreaker(settings.breaker_failure_threshold, settings.breaker_reset_seconds)
        central = CentralClient(settings.central_url, edge_credential(settings.secret), breaker)
        outbox = Outbox(
            settings.data_dir / "outbox.sqlite3",
            synchronous=settings.outbox_synchronous,
            max_depth=settings.outbox_max_depth,
            max_bytes=settings.outbox_max_bytes,
        )
        outbox.open()
        await central.start()
        forwarder = Forwarder(
            outbox,
            central,
            BatchSigner(settings.secret),
            settings.node_id,
            batch_size=settings.forward_batch_size,
            backoff=Backoff(cap=settings.forward_max_backoff_seconds),
            retention_seconds=settings.idempotency_retention_seconds,
        )
        app.state.edge = EdgeContext(
            settings=settings,
            central=central,
            signer=SessionSigner(settings.secret),
            reference=Reference(
                central, settings.item_cache_ttl_seconds, settings.reference_cache_ttl_seconds
            ),
            outbox=outbox,
            idempotency=IdempotencyGuard(outbox),
            forwarder=forwarder,
            resolver=AddressResolver(load_divisions()),
            payments=PaymentCatalog(settings.payment_methods, payment_redirect_key(settings.secret)),
            policy=rule_policy(settings),
            order_ids=OrderIds(),
        )
        freeze_startup_heap()
        forwarding = asyncio.create_task(forwarder.run(), name="forwarder")
        try:
            yield
        finally:
            forwarding.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await forwarding
            await outbox.close()
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
