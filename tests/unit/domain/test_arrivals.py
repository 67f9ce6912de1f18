from datetime import date, timedelta

from app.domain.arrivals import EARLY_DAYS, match_arrival

TODAY = date(2026, 3, 4)


def test_a_rise_of_a_restocks_exact_quantity_is_that_restock():
    restocks = [("r1", 10, TODAY), ("r2", 7, TODAY + timedelta(days=20))]
    assert match_arrival(restocks, 7, TODAY) == [("r2", 7)]


def test_otherwise_the_restocks_due_come_earliest_first_the_last_in_part():
    restocks = [("r1", 5, TODAY - timedelta(days=2)), ("r2", 10, TODAY + timedelta(days=1))]
    assert match_arrival(restocks, 8, TODAY) == [("r1", 5), ("r2", 3)]


def test_stock_nobody_entered_does_not_take_a_restock_still_far_off():
    far = TODAY + timedelta(days=EARLY_DAYS + 1)
    assert match_arrival([("r1", 10, far)], 6, TODAY) == []
    assert match_arrival([("r1", 10, far - timedelta(days=1))], 6, TODAY) == [("r1", 6)]


def test_a_fall_brings_nothing():
    assert match_arrival([("r1", 3, TODAY)], 0, TODAY) == []
