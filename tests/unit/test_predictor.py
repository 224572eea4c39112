from __future__ import annotations

import pytest

from gateway.domain.predictor import (
    SESSION_GAP_SECONDS,
    EveryView,
    MarkovBaseline,
    ShopperState,
    Signal,
    SignalPredictor,
)

T0 = 1_732_300_000.0


def _state(*signals: tuple[float, str, str | None, str | None]) -> ShopperState:
    state = ShopperState()
    for offset, kind, sku, spec in signals:
        state.observe(Signal(T0 + offset, kind, sku, spec, ms=20_000 if kind == "dwell" else None))
    return state


def _proposed(state: ShopperState) -> list[str]:
    return [c.page.sku for c in SignalPredictor().propose(state, state.last_t, limit=3)]


def test_a_single_glance_is_not_worth_a_prerender() -> None:
    assert _proposed(_state((0, "view", "sku-00001", None))) == []


@pytest.mark.parametrize(
    "signals",
    [
        [(0, "view", "sku-00001", None), (5, "spec", "sku-00001", "red-M")],
        [(0, "view", "sku-00001", None), (5, "cart", "sku-00001", "red-M")],
    ],
)
def test_a_spec_pick_or_a_cart_add_is(signals: list[tuple[float, str, str | None, str | None]]) -> None:
    assert _proposed(_state(*signals)) == ["sku-00001"]


def test_the_page_carries_the_picked_spec_and_the_cart_quantity() -> None:
    state = _state(
        (0, "view", "sku-00001", None), (3, "spec", "sku-00001", "red-M"), (6, "spec", "sku-00001", "blue-L")
    )
    state.observe(Signal(T0 + 9, "cart", "sku-00001", "blue-L", qty=3))
    [candidate] = SignalPredictor().propose(state, state.last_t, limit=3)
    assert (candidate.page.spec, candidate.page.qty) == ("blue-L", 3)


def test_a_cart_from_an_earlier_session_is_proposed_when_the_shopper_returns() -> None:
    state = _state(
        (0, "view", "sku-00002", None), (10, "cart", "sku-00002", "L"), (20, "leave", "sku-00002", None)
    )
    later = SESSION_GAP_SECONDS * 6
    state.observe(Signal(T0 + later, "view", "sku-00003"))
    assert state.session == 1
    assert _proposed(state)[0] == "sku-00002"


def test_leaving_an_item_without_carting_lowers_it() -> None:
    kept = _state((0, "view", "sku-00004", None), (5, "spec", "sku-00004", "M"))
    left = _state(
        (0, "view", "sku-00004", None), (5, "spec", "sku-00004", "M"), (9, "leave", "sku-00004", None)
    )
    predictor = SignalPredictor()
    assert predictor.score(left, "sku-00004", left.items["sku-00004"], left.last_t) < predictor.score(
        kept, "sku-00004", kept.items["sku-00004"], kept.last_t
    )


def test_state_is_bounded_and_forgets_uncarted_items_first() -> None:
    state = ShopperState()
    state.observe(Signal(T0, "cart", "sku-09999", "M", qty=1))
    for n in range(100):
        state.observe(Signal(T0 + n + 1, "view", f"sku-{n:05d}"))
    assert len(state.items) == 32
    assert "sku-09999" in state.items


def test_markov_baseline_learns_transitions_and_proposes_the_item_in_view() -> None:
    trace = [
        {"session": "a", "type": "view", "sku": "sku-00001"},
        {"session": "a", "type": "spec", "sku": "sku-00001"},
        {"session": "a", "type": "open_order", "sku": "sku-00001"},
        {"session": "b", "type": "view", "sku": "sku-00002"},
        {"session": "b", "type": "leave", "sku": "sku-00002"},
    ]
    baseline = MarkovBaseline.learn(trace, threshold=0.5)
    assert baseline.transitions == {"view": 0.0, "spec": 1.0}
    after_spec = _state((0, "view", "sku-00001", None), (1, "spec", "sku-00001", "M"))
    assert next(c.page for c in baseline.propose(after_spec, after_spec.last_t, 3)).sku == "sku-00001"
    after_view = _state((0, "view", "sku-00001", None))
    assert baseline.propose(after_view, after_view.last_t, 3) == []


def test_every_view_prerenders_on_views_only() -> None:
    assert [c.page.sku for c in EveryView().propose(_state((0, "view", "sku-00005", None)), T0, 3)] == [
        "sku-00005"
    ]
    assert EveryView().propose(_state((0, "dwell", "sku-00005", None)), T0, 3) == []
