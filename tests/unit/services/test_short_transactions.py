"""A long job (a whole shop planned again) goes in short transactions; each call of its work
costs something whatever its size, so the calls are sized to the step by the pace seen."""

from app.services.backorders import STEP_S, _fitting


def test_a_fast_call_is_followed_by_a_larger_one_at_most_twice_as_large():
    assert _fitting(5, STEP_S / 4) == 10
    assert _fitting(5, STEP_S / 2) == 10
    assert _fitting(6, STEP_S * 0.7) == 8  # as many as fit in a step


def test_a_slow_call_is_followed_by_a_smaller_one_never_empty():
    assert _fitting(8, STEP_S * 2) == 4
    assert _fitting(1, STEP_S * 10) == 1
