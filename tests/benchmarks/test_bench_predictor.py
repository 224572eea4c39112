"""pytest-benchmark figures for a prediction step (``make bench``): observe a signal, propose pages."""

from __future__ import annotations

from pytest_benchmark.fixture import BenchmarkFixture

from gateway.domain.predictor import ShopperState, Signal, SignalPredictor

T0 = 1_732_300_000.0


def _busy_shopper() -> ShopperState:
    """A shopper with a realistic history: a dozen items viewed, some specs picked, one carted."""
    state = ShopperState()
    for n in range(12):
        state.observe(Signal(T0 + n * 30, "view", f"sku-{n:05d}"))
        state.observe(Signal(T0 + n * 30 + 5, "dwell", f"sku-{n:05d}", ms=8_000))
        if n % 3 == 0:
            state.observe(Signal(T0 + n * 30 + 9, "spec", f"sku-{n:05d}", spec="red-M"))
    state.observe(Signal(T0 + 400, "cart", "sku-00003", spec="red-M", qty=2))
    return state


def test_prediction_step(benchmark: BenchmarkFixture) -> None:
    state, predictor = _busy_shopper(), SignalPredictor()
    signal = Signal(T0 + 500, "spec", "sku-00006", spec="blue-L")

    def step() -> list[str]:
        state.observe(signal)
        return [candidate.page.sku for candidate in predictor.propose(state, state.last_t, limit=3)]

    proposed = benchmark(step)
    assert proposed[:2] == ["sku-00003", "sku-00006"]
