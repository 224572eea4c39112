"""What an edge's routes share for the life of the process."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from gateway.domain.address import AddressResolver
from gateway.domain.ids import OrderIds
from gateway.domain.payments import PaymentCatalog
from gateway.domain.rules import RulePolicy
from gateway.edge.central_client import CentralClient
from gateway.edge.idempotency import IdempotencyGuard
from gateway.edge.reference import Reference
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


def edge_context(request: Request) -> EdgeContext:
    context: EdgeContext = request.app.state.edge
    return context
