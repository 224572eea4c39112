"""Drain the outbox to the central store: in submission order, in signed batches, exactly once.

Exactly once is the product of two halves: this loop resends anything the central store has not
confirmed (after a timeout, an outage or a restart, since confirmation is recorded in the outbox),
and the central store's ingest is an idempotent upsert on ``order_id``. Order is kept by sending
one batch at a time, oldest first, and only moving on once it is confirmed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import orjson

from gateway.clients.central import CentralClient, CentralRejected, CentralUnavailable
from gateway.ops import metrics
from gateway.outbox.store import Outbox, PendingOrder
from gateway.resilience import Backoff
from gateway.signing import BatchSigner

logger = logging.getLogger("gateway.forwarder")


@dataclass
class ForwarderStats:
    forwarded: int = 0
    failures: int = 0
    last_error: str = ""


class Forwarder:
    def __init__(
        self,
        outbox: Outbox,
        central: CentralClient,
        signer: BatchSigner,
        edge_id: str,
        *,
        batch_size: int = 200,
        send_time_limit: float = 5.0,
        backoff: Backoff | None = None,
        retention_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._outbox = outbox
        self._central = central
        self._signer = signer
        self._edge_id = edge_id
        self._batch_size = batch_size
        self._send_time_limit = send_time_limit
        self._backoff = backoff or Backoff()
        self._retention = retention_seconds
        self._clock = clock
        self._last_prune = 0.0
        self.stats = ForwarderStats()

    async def run(self) -> None:
        while True:
            try:
                delay = await self.step()
            except Exception:  # the loop must outlive any one failure; the orders wait in the outbox
                logger.exception("forwarder step failed")
                delay = self._backoff.next_delay()
            if delay:
                await asyncio.sleep(delay)

    async def step(self) -> float:
        """Forward the oldest pending batch, or wait for orders; return how long to pause."""
        await self._prune_now_and_then()  # hourly, also on an edge that is never idle
        self._outbox.appended.clear()
        batch = await self._outbox.pending(self._batch_size)
        if not batch:
            await self._wait_for_orders(idle_seconds=30.0)
            return 0.0
        return await self.send(batch)

    async def send(self, batch: list[PendingOrder]) -> float:
        """Send one batch; return how long to wait before the next attempt (0 after a success)."""
        body = orjson.dumps(
            {
                "edge": self._edge_id,
                "orders": [
                    {"order_id": o.order_id, "edge_seq": o.seq, "packet": orjson.Fragment(o.payload)}
                    for o in batch
                ],
            }
        )
        try:
            results = await self._central.send_batch(body, self._signer.sign(body), self._send_time_limit)
        except (CentralUnavailable, CentralRejected) as exc:
            self.stats.failures += 1
            self.stats.last_error = str(exc)
            delay = max(self._backoff.next_delay(), self._central.breaker.seconds_until_probe())
            log = logger.error if isinstance(exc, CentralRejected) else logger.warning
            log("forwarding %d orders failed (%s); next try in %.2fs", len(batch), exc, delay)
            return delay
        self._backoff.reset()
        confirmed = {result.order_id for result in results}
        seqs = [order.seq for order in batch if order.order_id in confirmed]
        await self._outbox.mark_forwarded(seqs)
        self.stats.forwarded += len(seqs)
        metrics.FORWARDED.inc(len(seqs))
        return 0.0

    async def _wait_for_orders(self, idle_seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(idle_seconds):
                await self._outbox.appended.wait()

    async def _prune_now_and_then(self) -> None:
        now = self._clock()
        if now - self._last_prune < 3600:
            return
        self._last_prune = now
        pruned = 0
        while (step := await self._outbox.prune(forwarded_before=now - self._retention, limit=1000)) > 0:
            pruned += step
        if pruned:
            logger.info("pruned %d forwarded orders past the idempotency retention", pruned)
