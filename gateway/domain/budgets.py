"""Deadlines: a request knows when its budget runs out, and every upstream call gets what remains."""

from __future__ import annotations

import time
from collections.abc import Callable

import msgspec


class Deadline(msgspec.Struct, frozen=True):
    expires_at: float
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def after(cls, budget_seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(clock() + budget_seconds, clock)

    def remaining(self) -> float:
        return max(0.0, self.expires_at - self.clock())

    def limit(self, reserve: float, cap: float) -> float:
        """What an upstream call may take: the rest after ``reserve`` for our own work, at most ``cap``."""
        return max(0.0, min(cap, self.remaining() - reserve))
