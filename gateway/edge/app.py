"""The edge node's application factory."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from edge_nodes.regions import load_regions
from gateway.edge.contract import edge_openapi
from gateway.edge.csrf import CookieOriginCheck, trusted_origins
from gateway.edge.lanes.acks import OrderAckLane
from gateway.edge.lanes.prerender_hits import PrerenderFastPath
from gateway.edge.node import open_node
from gateway.edge.routes import (
    addresses,
    admin,
    catalog,
    dashboard,
    health,
    order_page,
    orders,
    sessions,
    signals,
)
from gateway.http.handlers import EXCEPTION_HANDLERS
from gateway.http.middleware import PolicyMiddleware, with_fault_delay
from gateway.http.openapi import openapi_endpoint
from gateway.http.policy import RequestLimits, RequestPolicy, RouteNames
from gateway.http.rate_limits import RateLimits
from gateway.ops.budgets import RouteStats
from gateway.serving.uvicorn_server import freeze_startup_heap
from gateway.settings import EdgeSettings, SettingsError
from gateway.signing import SessionSigner, TokenRules

# The hot routes first: Starlette tries them in order.
ROUTES = [
    Route("/v1/order-page", order_page.order_page, methods=["GET"]),
    Route("/v1/orders", orders.create_order, methods=["POST"]),
    Route("/v1/signals", signals.receive_signals, methods=["POST"]),
    Route("/v1/catalog/items/{sku}", catalog.get_item, methods=["GET"]),
    Route("/v1/orders/{order_id}", orders.get_order, methods=["GET"]),
    Route("/v1/sessions", sessions.create_session, methods=["POST"]),
    Route("/v1/address/resolve", addresses.resolve_address, methods=["POST"]),
    Route("/v1/address/book", addresses.book, methods=["GET", "POST"]),
    Route("/healthz", health.healthz, methods=["GET"]),
    Route("/readyz", health.readyz, methods=["GET"]),
    Route("/metrics", health.metrics, methods=["GET"]),
    Route("/stats", dashboard.stats, methods=["GET"]),
    Route("/dashboard", dashboard.page, methods=["GET"]),
    Route("/admin/purge", admin.purge, methods=["POST"]),
    Route("/openapi.json", openapi_endpoint(edge_openapi), methods=["GET"]),
]
ROUTE_NAMES = RouteNames(
    exact={
        "/v1/order-page": "order_page",
        "/v1/signals": "signals",
        "/v1/sessions": "sessions",
        "/v1/orders": "orders",
        **dict.fromkeys(("/healthz", "/readyz", "/metrics", "/stats", "/dashboard", "/openapi.json"), "ops"),
    },
    prefixes=(
        ("/v1/orders/", "order_status"),
        ("/v1/catalog/items/", "catalog_item"),
        ("/v1/address/", "address"),
        ("/admin/", "admin"),
    ),
    post_names={"/v1/orders": "order_ack"},
    form_names={"/v1/orders": "payment_redirect"},  # the page's plain form: answered with the redirect to pay
)
# Per client address, checked before the body is read: a flood is refused for the least it can cost.
ADDRESS_BUDGETS = {
    "sessions": "sessions_per_address",
    "address": "address_per_address",
    "signals": "signals_per_address",
    "order_ack": "orders_per_address",
    "payment_redirect": "orders_per_address",
}


def route_budgets(settings: EdgeSettings) -> dict[str, float]:
    return {
        "order_ack": settings.ack_budget_seconds,
        "order_page": settings.order_page_budget_seconds,
        "payment_redirect": settings.payment_budget_seconds,
    }


def rate_limits_for(settings: EdgeSettings) -> RateLimits:
    budgets = {
        "sessions_per_address": settings.rate_sessions_per_address,
        "address_per_address": settings.rate_address_per_address,
        "signals_per_shopper": settings.rate_signals_per_shopper,
        "signals_per_address": settings.rate_signals_per_address,
        "orders_per_shopper": settings.rate_orders_per_shopper,
        "orders_per_address": settings.rate_orders_per_address,
    }
    shared = settings.cache_redis_url if settings.cache_backend == "redis" else None
    return RateLimits(budgets, shared, namespace=settings.region)


def session_signer(settings: EdgeSettings) -> SessionSigner:
    """How shoppers' tokens are verified; an unreadable key stops the start, naming its setting."""
    public_key = None
    if settings.session_public_key is not None:
        try:
            public_key = settings.session_public_key.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(
                f"EDGE_SESSION_PUBLIC_KEY: cannot read {settings.session_public_key}: {exc}"
            ) from None
    rules = TokenRules(public_key, settings.session_issuer or None, settings.session_audience or None)
    try:
        return SessionSigner(settings.secret, rules=rules)
    except ValueError as exc:
        raise SettingsError(f"EDGE_SESSION_PUBLIC_KEY: {exc}") from None


def create_edge_app(settings: EdgeSettings) -> Starlette:
    """The edge's app. What the settings name is checked here, before anything is opened: a bad key
    or region file stops the command with a message naming the setting, not a failed lifespan."""
    server = settings.server
    signer = session_signer(settings)
    regions = load_regions(Path(settings.regions_dir) if settings.regions_dir else None)
    policy = RequestPolicy(
        ROUTE_NAMES,
        RouteStats(route_budgets(settings), settings.default_budget_seconds),
        RequestLimits(
            max_body_bytes=settings.max_body_bytes,
            max_inflight=server.max_inflight_requests,
            body_read_seconds=server.body_read_timeout_seconds,
        ),
        rate_limits=(rate_limits := rate_limits_for(settings)),
        address_budgets=ADDRESS_BUDGETS,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            app.state.edge = await open_node(
                settings, policy, rate_limits, stack, signer=signer, regions=regions
            )
            freeze_startup_heap()
            yield

    return Starlette(
        routes=ROUTES,
        middleware=with_fault_delay(
            [
                Middleware(PrerenderFastPath, policy=policy),
                Middleware(OrderAckLane, policy=policy),
                Middleware(PolicyMiddleware, policy=policy),
                Middleware(CookieOriginCheck, trusted_origins=trusted_origins(settings.trusted_origins)),
            ],
            settings.fault_delay_seconds,
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
