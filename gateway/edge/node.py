"""An edge node's state, built from its settings: what the app's lifespan opens and later closes.

Everything that holds a resource (the outbox's lock and file, the HTTP session to the central store,
the prerender pool, the caches' store connections, background tasks) is registered with the caller's
exit stack as soon as it is taken, so that a start-up failing half way releases what it took, in
reverse order.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from edge_nodes.regions import Region
from gateway.cache import build_cache
from gateway.cache.layer import Policy
from gateway.clients.central import CentralClient
from gateway.divisions import load_divisions
from gateway.domain.address import AddressResolver, Resolution
from gateway.domain.ids import OrderIds
from gateway.domain.payments import PaymentCatalog
from gateway.domain.predictor import EveryView, MarkovBaseline, Predictor, SignalPredictor
from gateway.domain.rules import RulePolicy
from gateway.edge.context import EdgeContext
from gateway.edge.services.change_feed import ChangeFollower
from gateway.edge.services.idempotency import IdempotencyGuard
from gateway.edge.services.pages import PageStore
from gateway.edge.services.prerender import Prerenderer
from gateway.edge.services.reference import REFERENCE_KINDS, Reference
from gateway.edge.services.signal_store import SignalStore
from gateway.http.policy import RequestPolicy
from gateway.http.rate_limits import RateLimits
from gateway.ops import metrics
from gateway.outbox.forwarder import Forwarder
from gateway.outbox.store import Outbox
from gateway.resilience import Backoff, CircuitBreaker
from gateway.settings import EdgeSettings, town_codes
from gateway.signing import BatchSigner, SessionSigner, edge_credential, payment_redirect_key
from gateway.traces.generate import generate_trace


def rule_policy(settings: EdgeSettings, regions: list[Region]) -> RulePolicy:
    if settings.remote_adcode_prefixes:
        remote = tuple(p.strip() for p in settings.remote_adcode_prefixes.split(",") if p.strip())
    else:
        remote = tuple(prefix for region in regions for prefix in region.remote_adcode_prefixes)
    return RulePolicy(remote_adcode_prefixes=remote, remote_town_codes=town_codes(settings.remote_towns))


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


def predictor_for(settings: EdgeSettings) -> Predictor:
    if settings.prerender_strategy == "markov":
        return MarkovBaseline.learn(generate_trace(seed=1, users=300))
    if settings.prerender_strategy == "every-view":
        return EveryView()
    return SignalPredictor()


async def open_node(
    settings: EdgeSettings,
    policy: RequestPolicy,
    rate_limits: RateLimits,
    stack: contextlib.AsyncExitStack,
    *,
    signer: SessionSigner,
    regions: list[Region],
) -> EdgeContext:
    """The node's context, every resource it holds registered with ``stack``; background work started."""
    breaker = CircuitBreaker(settings.breaker_failure_threshold, settings.breaker_reset_seconds)
    outbox = Outbox(
        settings.data_dir / "outbox.sqlite3",
        synchronous=settings.outbox_synchronous,
        max_depth=settings.outbox_max_depth,
        max_bytes=settings.outbox_max_bytes,
        on_commit=metrics.OUTBOX_COMMIT_SECONDS.observe,
    )
    outbox.open()
    stack.push_async_callback(outbox.close)
    central = CentralClient(settings.central_url, edge_credential(settings.secret), breaker)
    await central.start()
    stack.push_async_callback(central.close)
    forwarder = Forwarder(
        outbox,
        central,
        BatchSigner(settings.secret),
        settings.node_id,
        batch_size=settings.forward_batch_size,
        backoff=Backoff(cap=settings.forward_max_backoff_seconds),
        retention_seconds=settings.idempotency_retention_seconds,
    )
    reference = Reference(
        central, build_cache(settings, "reference", REFERENCE_KINDS), *cache_policies(settings)
    )
    policy_rules = rule_policy(settings, regions)
    pages = PageStore(settings.prerender_ttl_seconds, settings.prerender_max_pages)
    prerenderer = Prerenderer(
        reference=reference,
        pages=pages,
        predictor=predictor_for(settings),
        payment_methods=settings.payment_methods,
        remote_prefixes=policy_rules.remote_adcode_prefixes,
        busy=lambda: policy.gauge.busy,
        concurrency=settings.prerender_concurrency,
        per_shopper=settings.prerender_per_shopper,
    )
    stack.push_async_callback(prerenderer.close)
    context = EdgeContext(
        settings=settings,
        central=central,
        signer=signer,
        reference=reference,
        outbox=outbox,
        idempotency=IdempotencyGuard(outbox),
        forwarder=forwarder,
        resolver=AddressResolver(load_divisions()),
        payments=PaymentCatalog(settings.payment_methods, payment_redirect_key(settings.secret)),
        policy=policy_rules,
        order_ids=OrderIds(),
        addresses=build_cache(settings, "address", {"resolution": Resolution}),
        regions=tuple(regions),
        signals=SignalStore(),
        pages=pages,
        prerenderer=prerenderer,
        route_stats=policy.stats,
        rate_limits=rate_limits,
        started_at=time.time(),
    )
    for cache in context.caches:
        metrics.watch_cache(cache)
        stack.push_async_callback(cache.close)
    metrics.OUTBOX_DEPTH.set_function(lambda: outbox.depth)
    metrics.OUTBOX_OLDEST_SECONDS.set_function(outbox.oldest_pending_age)
    follower = ChangeFollower(central, reference, on_item=pages.drop_sku)
    for task in (
        asyncio.create_task(forwarder.run(), name="forwarder"),
        asyncio.create_task(follower.run(), name="change-feed"),
    ):
        stack.push_async_callback(_stopped, task)
    return context


async def _stopped(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
