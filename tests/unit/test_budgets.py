from __future__ import annotations

import pytest

from gateway.domain.budgets import Deadline


class FakeClock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_deadline_after_a_budget_expires_that_long_from_now() -> None:
    clock = FakeClock()
    deadline = Deadline.after(0.5, clock)
    assert deadline.expires_at == 1_000.5
    assert deadline.remaining() == pytest.approx(0.5)


def test_remaining_time_shrinks_as_the_clock_moves() -> None:
    clock = FakeClock()
    deadline = Deadline.after(0.5, clock)
    clock.now += 0.2
    assert deadline.remaining() == pytest.approx(0.3)


@pytest.mark.parametrize("elapsed", [0.5, 0.8, 60.0])
def test_an_expired_deadline_has_nothing_left_never_less(elapsed: float) -> None:
    clock = FakeClock()
    deadline = Deadline.after(0.5, clock)
    clock.now += elapsed
    assert deadline.remaining() == 0.0
    assert deadline.limit(reserve=0.08, cap=1.0) == 0.0


@pytest.mark.parametrize(
    ("elapsed", "reserve", "cap", "limit"),
    [
        (0.0, 0.08, 1.0, 0.42),  # the rest after our own reserve
        (0.0, 0.08, 0.25, 0.25),  # but no more than the upstream call's own cap
        (0.3, 0.08, 1.0, 0.12),
        (0.45, 0.08, 1.0, 0.0),  # less left than the reserve: no time for upstream calls
    ],
)
def test_an_upstream_call_gets_what_remains_after_the_reserve_up_to_a_cap(
    elapsed: float, reserve: float, cap: float, limit: float
) -> None:
    clock = FakeClock()
    deadline = Deadline.after(0.5, clock)
    clock.now += elapsed
    assert deadline.limit(reserve, cap) == pytest.approx(limit)


def test_a_deadline_is_fixed_when_made() -> None:
    clock = FakeClock()
    deadline = Deadline(1_002.0, clock)
    clock.now = 1_001.5
    assert deadline.remaining() == pytest.approx(0.5)
    assert Deadline.after(2.0, clock).expires_at == 1_003.5
