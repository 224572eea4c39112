"""What the central store's routes share for the life of the process."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from gateway.central.storage import CentralStorage
from gateway.signing import BatchSigner, SessionSigner


@dataclass(frozen=True, slots=True)
class CentralContext:
    storage: CentralStorage
    signer: SessionSigner
    batch_signer: BatchSigner
    edge_credential: str
    ops_token: str | None


def central_context(request: Request) -> CentralContext:
    context: CentralContext = request.app.state.central
    return context
