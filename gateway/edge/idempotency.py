"""Idempotency keys (Stripe's rules): one order per key, the first answer replayed, reuse refused.

Duplicates that arrive while the first request with their key is still being stored wait for it
(within their own budget), so two requests can never both create an order. The outbox's unique
constraint on (user, key) is the authority across restarts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gateway.domain.budgets import Deadline
from gateway.errors import ApiError
from gateway.outbox.store import Outbox, StoredOrder

MAX_KEY_LENGTH = 255


def check_key(raw: str | None) -> str:
    if raw is None or not raw.strip():
        raise ApiError(
            400, "idempotency_key_required", "send an Idempotency-Key header", field="Idempotency-Key"
        )
    if len(raw) > MAX_KEY_LENGTH or not raw.isprintable():
        raise ApiError(
            400,
            "invalid_idempotency_key",
            f"the Idempotency-Key must be printable and at most {MAX_KEY_LENGTH} characters",
            field="Idempotency-Key",
        )
    return raw


class IdempotencyGuard:
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox
        self._inflight: dict[tuple[str, str], asyncio.Event] = {}

    @asynccontextmanager
    async def claim(self, user_id: str, key: str, deadline: Deadline) -> AsyncIterator[StoredOrder | None]:
        """Hold the key for this request; yields the order already stored under it, if any."""
        slot = (user_id, key)
        while (first := self._inflight.get(slot)) is not None:
            try:
                async with asyncio.timeout(deadline.remaining()):
                    await first.wait()
            except TimeoutError:
                raise ApiError(
                    409,
                    "idempotency_key_in_use",
                    "a request with this Idempotency-Key is still being processed; retry shortly",
                    field="Idempotency-Key",
                    headers={"retry-after": "1"},
                ) from None
        done = asyncio.Event()
        self._inflight[slot] = done
        try:
            yield self._outbox.find(user_id, key)
        finally:
            del self._inflight[slot]
            done.set()


def replay(stored: StoredOrder, fingerprint: str) -> bytes:
    """The first answer for a key, if this request is the same as the first; 409 otherwise."""
    if stored.fingerprint != fingerprint:
        raise ApiError(
            409,
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different request body",
            field="Idempotency-Key",
        )
    return stored.response
