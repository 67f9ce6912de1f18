"""Layout shift as benchmarks.admin counts it: Web Vitals' largest session window, not the sum of
every shift of the page's life."""

from __future__ import annotations

from benchmarks.admin import session_window_cls


def test_shifts_less_than_a_second_apart_add_up():
    assert session_window_cls([[100, 0.05], [600, 0.04]]) == 0.05 + 0.04


def test_a_pause_over_a_second_starts_a_new_window_and_the_largest_counts():
    assert session_window_cls([[100, 0.05], [1300, 0.02], [1400, 0.02]]) == 0.05


def test_a_window_lasts_at_most_five_seconds():
    shifts = [[t, 0.01] for t in range(0, 7000, 500)]  # never a second apart
    assert round(session_window_cls(shifts), 4) == 0.11  # 0 to 5000 ms: eleven shifts


def test_no_shift_is_zero():
    assert session_window_cls([]) == 0.0
