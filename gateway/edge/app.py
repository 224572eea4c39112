"""The edge node's application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from edge_nodes.regions import Region, load_regions
from gateway.cache import build_cache
from gateway.cache.layer import Policy
from gateway.divisions import load_divisions
from gateway.domain.address import AddressResolver
from gateway.domain.ids import OrderIds
from gateway.domain.payments import PaymentCatalog
from gateway.domain.predictor import EveryView, MarkovBaseline, Predictor, SignalPredictor
from gateway.domain.rules import RulePolicy
from gateway.domain.tracegen import generate_trace
from gateway.edge import addresses, admin, catalog, dashboard, health, order_page, orders, sessions, signals
from gateway.edge.ack_lane import OrderAckLane
from gateway.edge.central_client import CentralClient
from gateway.edge.change_feed import ChangeFollower
from gateway.edge.context import EdgeContext
from gateway.edge.csrf import CookieOriginCheck, trusted_origins
from gateway.edge.fast_path import PrerenderFastPath
from gateway.edge.idempotency import IdempotencyGuard
from gateway.edge.pages import PageStore
from gateway.edge.prerender import Prerenderer
from gateway.edge.reference import Reference
from gateway.edge.signal_store import SignalStore
from gateway.errors import EXCEPTION_HANDLERS
from gateway.middleware import (
    BodyLimitMiddleware,
    InflightLimitMiddleware,
    ServerTimingMiddleware,
    with_fault_delay,
)
from gateway.ops import endpoints, metrics
from gateway.ops.budgets import BudgetMiddleware, RouteStats
from gateway.ops.load import LoadGauge
from gateway.outbox.forwarder import Forwarder
from gateway.outbox.store import Outbox
from gateway.resilience import Backoff, CircuitBreaker
from gateway.serve import freeze_startup_heap
from gateway.settings import EdgeSettings
from gateway.signing import BatchSigner, SessionSigner, edge_credential, payment_redirect_key

logger = logging.getLogger("gateway.edge")

# The hot routes first: Starlette tries them in order.
ROUTES = [
    Route("/v1/order-page", order_page.order_page, methods=["GET"]),
    Route("/v1/orders", orders.create_order, methods=["POST"]),
    Route("/v1/signals", signals.receive_signals, methods=["POST"]),
    Route("/v1/catalog/items/{sku}", catalog.get_item, methods=["GET"]),
    Route("/v1/orders/{order_id}", orders.get_order, methods=["GET"]),
    Route("/v1/sessions", sessions.create_session, methods=["POST"]),
    Route("/v1/address/resolve", addresses.resolve_address, methods=["POST"]),
    Route("/v1/address/book", addresses.get_book, methods=["GET"]),
    Route("/v1/address/book", addresses.save_address, methods=["POST"]),
    Route("/healthz", health.healthz, methods=["GET"]),
    Route("/readyz", health.readyz, methods=["GET"]),
    Route("/metrics", endpoints.metrics, methods=["GET"]),
    Route("/stats", dashboard.stats, methods=["GET"]),
    Route("/dashboard", dashboard.page, methods=["GET"]),
    Route("/admin/purge", admin.purge, methods=["POST"]),
]


def rule_policy(settings: EdgeSettings, regions: list[Region]) -> RulePolicy:
    if settings.remote_adcode_prefixes:
        remote = tuple(p.strip() for p in settings.remote_adcode_prefixes.split(",") if p.strip())
    else:
        remote = tuple(prefix for region in regions for prefix in region.remote_adcode_prefixes)
    return RulePolicy(remote_adcode_prefixes=remote)


def cache_policies(settings: EdgeSettings) -> tuple[Policy, Policy]:
    """(items, other reference data): lifetimes from the settings, shared stale and error windows."""
    common = {
        "stale_seconds": settings.cache_stale_seconds,
        "error_seconds": settings.cache_error_seconds,
        "negative_seconds": settings.cache_negative_seconds,
    }
    return (
        Policy(fresh_seconds=settings.item_cache_ttl_seconds, **common),
        Policy(fresh_seconds=settings.reference_cache_ttl_seconds, **common),
    )


def route_budgets(settings: EdgeSettings) -> dict[str, float]:
    return {
        "order_ack": settings.ack_budget_seconds,
        "order_page": settings.order_page_budget_seconds,
        "payment_redirect": settings.payment_budget_seconds,
    }


def predictor_for(strategy: str) -> Predictor:
    if strategy == "signals":
        return SignalPredictor()
    if strategy == "markov":
        return MarkovBaseline.learn(generate_trace(seed=1, users=300))
    if strategy == "every-view":
        return EveryView()
    raise ValueError(f"EDGE_PRERENDER_STRATEGY must be signals, markov or every-view, not {strategy!r}")


def create_edge_app(settings: EdgeSettings) -> Starlette:
    load = LoadGauge()
    route_stats = RouteStats(route_budgets(settings), settings.default_budget_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        regions = load_regions(Path(settings.regions_dir) if settings.regions_dir else None)
        breaker = CircuitBreaker(settings.breaker_failure_threshold, settings.breaker_reset_seconds)
        central = CentralClient(settings.central_url, edge_credential(settings.secret), breaker)
        outbox = Outbox(
            settings.data_dir / "outbox.sqlite3",
            synchronous=settings.outbox_synchronous,
            max_depth=settings.outbox_max_depth,
            max_bytes=settings.outbox_max_bytes,
            on_commit=metrics.OUTBOX_COMMIT_SECONDS.observe,
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
        reference = Reference(central, build_cache(settings, "reference"), *cache_policies(settings))
        policy = rule_policy(settings, regions)
        pages = PageStore(settings.prerender_ttl_seconds, settings.prerender_max_pages)
        prerenderer = Prerenderer(
            reference=reference,
            pages=pages,
            predictor=predictor_for(settings.prerender_strategy),
            payment_methods=settings.payment_methods,
            remote_prefixes=policy.remote_adcode_prefixes,
            busy=lambda: load.busy,
            concurrency=settings.prerender_concurrency,
            per_shopper=settings.prerender_per_shopper,
        )
        context = EdgeContext(
            settings=settings,
            central=central,
            signer=SessionSigner(settings.secret),
            reference=reference,
            outbox=outbox,
            idempotency=IdempotencyGuard(outbox),
            forwarder=forwarder,
            resolver=AddressResolver(load_divisions()),
            payments=PaymentCatalog(settings.payment_methods, payment_redirect_key(settings.secret)),
            policy=policy,
            order_ids=OrderIds(),
            addresses=build_cache(settings, "address"),
            regions=tuple(regions),
            signals=SignalStore(),
            pages=pages,
            prerenderer=prerenderer,
            route_stats=route_stats,
            started_at=time.time(),
        )
        app.state.edge = context
        for cache in context.caches:
            metrics.watch_cache(cache)
        metrics.OUTBOX_DEPTH.set_function(lambda: outbox.depth)
        metrics.OUTBOX_OLDEST_SECONDS.set_function(outbox.oldest_pending_age)
        freeze_startup_heap()
        background = [
            asyncio.create_task(forwarder.run(), name="forwarder"),
            asyncio.create_task(
                ChangeFollower(central, reference, on_item=pages.drop_sku).run(), name="change-feed"
            ),
        ]
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await prerenderer.close()
            await outbox.close()
            await central.close()

    return Starlette(
        routes=ROUTES,
        middleware=with_fault_delay(
            [
                Middleware(PrerenderFastPath, stats=route_stats),
                Middleware(
                    OrderAckLane,
                    stats=route_stats,
                    gauge=load,
                    max_inflight=settings.server.max_inflight_requests,
                    max_body_bytes=settings.max_body_bytes,
                ),
                Middleware(BudgetMiddleware, stats=route_stats),
                Middleware(ServerTimingMiddleware),
                Middleware(CookieOriginCheck, trusted_origins=trusted_origins(settings.trusted_origins)),
                Middleware(
                    InflightLimitMiddleware, max_inflight=settings.server.max_inflight_requests, gauge=load
                ),
                Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
            ],
            settings.fault_delay_seconds,
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
