from __future__ import annotations

import random

import pytest

from gateway.resilience import Backoff, CircuitBreaker


def _rng(seed: int) -> random.Random:
    return random.Random(seed)


class FakeClock:
    def __init__(self, now: float = 500.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# Backoff


def test_each_delay_is_drawn_below_an_exponentially_growing_ceiling() -> None:
    backoff = Backoff(base=0.1, cap=10.0, rng=_rng(7))
    for attempt in range(12):
        ceiling = min(10.0, 0.1 * 2**attempt)
        assert 0.0 <= backoff.next_delay() <= ceiling
    assert backoff.attempts == 12


def test_delays_never_exceed_the_cap() -> None:
    backoff = Backoff(base=0.1, cap=2.0, rng=_rng(7))
    delays = [backoff.next_delay() for _ in range(200)]
    assert max(delays) <= 2.0
    assert max(delays[10:]) > 1.0  # the ceiling has reached the cap, not stayed at the base


def test_full_jitter_spreads_retries_across_the_whole_window() -> None:
    """Many edges retrying after one outage must not retry in step."""
    delays = []
    for seed in range(200):
        backoff = Backoff(base=1.0, cap=10.0, rng=_rng(seed))
        backoff.attempts = 3  # ceiling 8 s
        delays.append(backoff.next_delay())
    assert min(delays) < 1.0
    assert max(delays) > 7.0
    assert len({round(delay, 3) for delay in delays}) > 190


def test_the_same_seed_gives_the_same_delays() -> None:
    first = Backoff(rng=_rng(3))
    second = Backoff(rng=_rng(3))
    assert [first.next_delay() for _ in range(5)] == [second.next_delay() for _ in range(5)]


def test_reset_starts_again_from_the_base() -> None:
    backoff = Backoff(base=0.1, cap=10.0, rng=_rng(7))
    for _ in range(8):
        backoff.next_delay()
    backoff.reset()
    assert backoff.attempts == 0
    assert backoff.next_delay() <= 0.1


# CircuitBreaker


def _opened(clock: FakeClock, threshold: int = 3, reset: float = 5.0) -> CircuitBreaker:
    breaker = CircuitBreaker(failure_threshold=threshold, reset_seconds=reset, clock=clock)
    for _ in range(threshold):
        breaker.record_failure()
    return breaker


def test_a_new_breaker_is_closed_and_lets_calls_through() -> None:
    breaker = CircuitBreaker(clock=FakeClock())
    assert breaker.state == CircuitBreaker.CLOSED
    assert breaker.allow()
    assert breaker.seconds_until_probe() == 0.0


def test_failures_below_the_threshold_keep_it_closed() -> None:
    breaker = CircuitBreaker(failure_threshold=3, clock=FakeClock())
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state == CircuitBreaker.CLOSED
    assert breaker.allow()


def test_a_success_resets_the_run_of_failures() -> None:
    breaker = CircuitBreaker(failure_threshold=3, clock=FakeClock())
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state == CircuitBreaker.CLOSED


def test_the_threshold_of_failures_in_a_row_opens_it() -> None:
    clock = FakeClock()
    breaker = _opened(clock)
    assert breaker.state == CircuitBreaker.OPEN
    assert not breaker.allow()
    assert breaker.seconds_until_probe() == pytest.approx(5.0)
    clock.now += 2.0
    assert breaker.state == CircuitBreaker.OPEN
    assert not breaker.allow()
    assert breaker.seconds_until_probe() == pytest.approx(3.0)


def test_after_the_reset_time_exactly_one_probe_is_let_through() -> None:
    clock = FakeClock()
    breaker = _opened(clock)
    clock.now += 5.0
    assert breaker.state == CircuitBreaker.HALF_OPEN
    assert breaker.seconds_until_probe() == 0.0
    assert breaker.allow()
    assert not breaker.allow()
    assert not breaker.allow()


def test_a_successful_probe_closes_the_circuit() -> None:
    clock = FakeClock()
    breaker = _opened(clock)
    clock.now += 5.0
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == CircuitBreaker.CLOSED
    assert breaker.allow()
    assert breaker.allow()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state == CircuitBreaker.CLOSED  # a fresh run of failures is needed to open again


def test_a_failed_probe_opens_the_circuit_for_another_full_period() -> None:
    clock = FakeClock()
    breaker = _opened(clock)
    clock.now += 6.0
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state == CircuitBreaker.OPEN
    assert not breaker.allow()
    assert breaker.seconds_until_probe() == pytest.approx(5.0)
    clock.now += 4.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.state == CircuitBreaker.HALF_OPEN
    assert breaker.allow()
    assert not breaker.allow()


def test_backoff_keeps_its_cap_after_any_number_of_attempts() -> None:
    backoff = Backoff(base=0.1, cap=10.0, rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(5_000)]
    assert max(delays) <= 10.0
    assert backoff.attempts == 5_000
