"""Retry pacing, a circuit breaker and the failure they guard against, for calls to an upstream.

Backoff is "full jitter" (a uniform draw below an exponentially growing cap), which spreads the
retries of many edges after an outage instead of synchronising them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable


class OriginUnavailable(Exception):
    """The origin could not answer in time, and nothing usable was cached."""


class Backoff:
    def __init__(self, base: float = 0.1, cap: float = 10.0, rng: random.Random | None = None) -> None:
        self._base = base
        self._cap = cap
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self.attempts = 0

    def next_delay(self) -> float:
        # The exponent stops growing long after the cap is reached, so it never overflows a float.
        ceiling = min(self._cap, self._base * (2 ** min(self.attempts, 32)))
        self.attempts += 1
        return self._rng.uniform(0, ceiling)

    def reset(self) -> None:
        self.attempts = 0


class CircuitBreaker:
    """Closed → open after ``failure_threshold`` failures in a row; after ``reset_seconds`` one call
    is let through (half-open): its success closes the circuit, its failure opens it again."""

    CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._threshold = failure_threshold
        self._reset = reset_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False

    @property
    def state(self) -> str:
        if self._failures < self._threshold:
            return self.CLOSED
        if self._clock() - self._opened_at >= self._reset:
            return self.HALF_OPEN
        return self.OPEN

    def allow(self) -> bool:
        state = self.state
        if state == self.CLOSED:
            return True
        if state == self.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        return False

    def seconds_until_probe(self) -> float:
        return 0.0 if self.state != self.OPEN else self._reset - (self._clock() - self._opened_at)

    def record_success(self) -> None:
        self._failures = 0
        self._probing = False

    def record_failure(self) -> None:
        self._failures += 1
        self._probing = False
        if self._failures >= self._threshold:
            self._opened_at = self._clock()
