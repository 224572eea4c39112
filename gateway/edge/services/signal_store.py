"""Shopper states for prediction: bounded in number and expiring when idle."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from gateway.domain.predictor import ShopperState


@dataclass
class Shopper:
    state: ShopperState
    minute: int = 0
    events_this_minute: int = 0


class SignalStore:
    """Shopper states, bounded in number (least recently active dropped) and expiring when idle."""

    def __init__(self, max_shoppers: int = 100_000, idle_seconds: float = 24 * 3600) -> None:
        self._shoppers: OrderedDict[str, Shopper] = OrderedDict()
        self._max = max_shoppers
        self._idle = idle_seconds
        self._seen: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self._shoppers)

    def get(self, user_id: str) -> ShopperState | None:
        shopper = self._shoppers.get(user_id)
        return shopper.state if shopper else None

    def shopper(self, user_id: str, now: float) -> Shopper:
        shopper = self._shoppers.get(user_id)
        if shopper is None or now - self._seen.get(user_id, now) > self._idle:
            shopper = self._shoppers[user_id] = Shopper(ShopperState())
        self._shoppers.move_to_end(user_id)
        self._seen[user_id] = now
        while len(self._shoppers) > self._max:
            oldest, _ = self._shoppers.popitem(last=False)
            self._seen.pop(oldest, None)
        return shopper
