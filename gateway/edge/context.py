"""What an edge's routes share for the life of the process."""

from __future__ import annotations

from dataclasses import dataclass

from edge_nodes.regions import Region
from gateway.cache.layer import EdgeCache
from gateway.clients.central import CentralClient
from gateway.domain.address import AddressResolver
from gateway.domain.ids import OrderIds
from gateway.domain.payments import PaymentCatalog
from gateway.domain.rules import RulePolicy
from gateway.edge.services.idempotency import IdempotencyGuard
from gateway.edge.services.pages import PageStore
from gateway.edge.services.prerender import Prerenderer
from gateway.edge.services.reference import Reference
from gateway.edge.services.signal_store import SignalStore
from gateway.http.rate_limits import RateLimits
from gateway.ops.budgets import RouteStats
from gateway.outbox.forwarder import Forwarder
from gateway.outbox.store import Outbox
from gateway.settings import EdgeSettings
from gateway.signing import SessionSigner


@dataclass(frozen=True, slots=True)
class EdgeContext:
    settings: EdgeSettings
    central: CentralClient
    signer: SessionSigner
    reference: Reference
    outbox: Outbox
    idempotency: IdempotencyGuard
    forwarder: Forwarder
    resolver: AddressResolver
    payments: PaymentCatalog
    policy: RulePolicy
    order_ids: OrderIds
    addresses: EdgeCache
    regions: tuple[Region, ...]
    signals: SignalStore
    pages: PageStore
    prerenderer: Prerenderer
    route_stats: RouteStats
    rate_limits: RateLimits
    started_at: float

    @property
    def caches(self) -> tuple[EdgeCache, ...]:
        return (self.reference.cache, self.addresses)

    def region_of(self, adcode: str) -> str | None:
        return next((region.name for region in self.regions if region.serves(adcode)), None)
