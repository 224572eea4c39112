"""What an edge's routes share for the life of the process."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from gateway.cache.items import ItemCache
from gateway.edge.central_client import CentralClient
from gateway.settings import EdgeSettings
from gateway.signing import SessionSigner


@dataclass(frozen=True, slots=True)
class EdgeContext:
    settings: EdgeSettings
    central: CentralClient
    signer: SessionSigner
    items: ItemCache


def edge_context(request: Request) -> EdgeContext:
    context: EdgeContext = request.app.state.edge
    return context
