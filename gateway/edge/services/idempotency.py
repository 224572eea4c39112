"""Idempotency keys (Stripe's rules): one order per key, the first answer replayed, reuse refused.

Duplicates that arrive while the first request with their key is still being stored wait for it
(within their own budget), so two requests can never both create an order. The outbox's unique
constraint on (user, key) is the authority, also across restarts: a key stored by an earlier
process is found when the append conflicts, so new orders pay no lookup on their way in. Keys
this process stored are remembered (bounded) so that retries are answered at once.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict

from gateway.domain.budgets import Deadline
from gateway.errors import ApiError
from gateway.outbox.store import Outbox, StoredOrder

MAX_KEY_LENGTH = 255
# Visible ASCII, spaces only inside: what a header carries unchanged (parsers strip the ends, and
# decode anything else as Latin-1), so the form's field and the header cannot disagree on a key.
KEY_PATTERN = re.compile(rf"[!-~](?:[ -~]{{0,{MAX_KEY_LENGTH - 2}}}[!-~])?")


def check_key(raw: str | None, field: str = "Idempotency-Key") -> str:
    """``field`` names where the key travels: the header, or the order page form's field."""
    if raw is None or not raw.strip():
        raise ApiError(400, "idempotency_key_required", f"send an idempotency key ({field})", field=field)
    if not KEY_PATTERN.fullmatch(raw):
        raise ApiError(
            400,
            "invalid_idempotency_key",
            f"the idempotency key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters",
            field=field,
        )
    return raw


class IdempotencyGuard:
    def __init__(self, outbox: Outbox, remember: int = 50_000) -> None:
        self._outbox = outbox
        self._inflight: dict[str, asyncio.Event] = {}
        # A string key and a bytes value per remembered answer, no tuples: a new tuple counts as a
        # new object for the garbage collector until a collection has looked at it, and one order
        # leaving two behind made young collections of ~20,000 objects (~7 ms) every few seconds.
        # An OrderedDict, because forgetting the oldest must not cost more as the dict fills: a
        # plain dict's first key is found by scanning past the holes of every key taken from its
        # front, which cost each order ~20-60 µs once 50,000 answers were remembered.
        self._recent: OrderedDict[str, bytes] = OrderedDict()
        self._remember = remember

    def claim(self, user_id: str, key: str, deadline: Deadline) -> KeyClaim:
        """Hold the key for this request (``async with``); it yields (fingerprint, answer) if this
        process stored the key before, else None."""
        return KeyClaim(self, _slot(user_id, key), deadline)

    def remember(self, user_id: str, key: str, stored: StoredOrder) -> None:
        if len(self._recent) >= self._remember:
            self._recent.popitem(last=False)
        self._recent[_slot(user_id, key)] = _pack(stored.fingerprint, stored.response)

    def stored(self, user_id: str, key: str) -> tuple[str, bytes] | None:
        """(fingerprint, answer) stored under the key by any process; for the rare paths that must know."""
        remembered = self.remembered(_slot(user_id, key))
        if remembered is not None:
            return remembered
        stored = self._outbox.find(user_id, key)
        return (stored.fingerprint, stored.response) if stored else None

    def remembered(self, slot: str) -> tuple[str, bytes] | None:
        packed = self._recent.get(slot)
        return None if packed is None else _unpack(packed)


def _slot(user_id: str, key: str) -> str:
    # Keys and user ids are printable, so NUL cannot occur in either.
    return f"{user_id}\0{key}"


def _pack(fingerprint: str, response: bytes) -> bytes:
    return len(fingerprint).to_bytes(1, "big") + fingerprint.encode() + response


def _unpack(packed: bytes) -> tuple[str, bytes]:
    end = 1 + packed[0]
    return packed[1:end].decode(), packed[end:]


class KeyClaim:
    """A class rather than ``@asynccontextmanager``: every order passes here, and the generator
    machinery cost more than the claim itself."""

    __slots__ = ("_deadline", "_done", "_guard", "_slot")

    def __init__(self, guard: IdempotencyGuard, slot: str, deadline: Deadline) -> None:
        self._guard = guard
        self._slot = slot
        self._deadline = deadline
        self._done: asyncio.Event | None = None

    async def __aenter__(self) -> tuple[str, bytes] | None:
        inflight = self._guard._inflight
        while (first := inflight.get(self._slot)) is not None:
            try:
                async with asyncio.timeout(self._deadline.remaining()):
                    await first.wait()
            except TimeoutError:
                raise ApiError(
                    409,
                    "idempotency_key_in_use",
                    "a request with this Idempotency-Key is still being processed; retry shortly",
                    field="Idempotency-Key",
                    headers={"retry-after": "1"},
                ) from None
        self._done = inflight[self._slot] = asyncio.Event()
        return self._guard.remembered(self._slot)

    async def __aexit__(self, *_: object) -> None:
        del self._guard._inflight[self._slot]
        if self._done is not None:
            self._done.set()


def replay(stored: tuple[str, bytes], fingerprint: str) -> bytes:
    """The first answer for a key, if this request is the same as the first; 409 otherwise."""
    first_fingerprint, first_answer = stored
    if first_fingerprint != fingerprint:
        raise ApiError(
            409,
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different request body",
            field="Idempotency-Key",
        )
    return first_answer
