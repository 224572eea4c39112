"""What the central store's routes share for the life of the process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request

from gateway.central.storage import CentralStorage
from gateway.signing import BatchSigner, SessionSigner


class ChangeSignal:
    """Wakes long-polling change-feed readers when this process records a change."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float, gone: Callable[[], Awaitable[bool]]) -> None:
        """Until the next change, ``seconds`` pass, or ``gone()`` says the reader left."""
        event = self._event
        deadline = asyncio.get_running_loop().time() + seconds
        while not event.is_set():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0 or await gone():
                return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(remaining, 0.5)):
                    await event.wait()


@dataclass(frozen=True, slots=True)
class CentralContext:
    storage: CentralStorage
    signer: SessionSigner
    batch_signer: BatchSigner
    edge_credential: str
    ops_token: str | None
    changes: ChangeSignal
    demo_login: bool = False


def central_context(request: Request) -> CentralContext:
    context: CentralContext = request.app.state.central
    return context
