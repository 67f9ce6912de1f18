"""The date a new order would be promised: the same date the planner gives the order once it
is placed, from stock when a unit is free, else from the restock or lead time its position
reaches."""

from datetime import date, timedelta

from app.domain.allocation import plan_pool
from app.domain.model import LeadTimeEstimate
from app.domain.policy import Policy
from app.domain.ships_by import new_order_ships_by
from tests.unit.domain.factories import POOL, TODAY, line, restock

FRI = date(2026, 3, 6)
LEAD = LeadTimeEstimate(14, 0, "merchant", "shop")

def totals(plan):
    return plan.supply, plan.units_covered, plan.units_owed

def placed_now_eta(lines, supply, restocks):
    """What the planner gives one more unit ordered after every line: the truth to match."""
    newcomer = line(999, minutes=10_000)
    plan = plan_pool(POOL, supply, [*lines, newcomer], restocks, Policy(), TODAY, LEAD)
    mine = next(p for p in plan.lines if p.line_id == newcomer.line_id)
    return mine.eta.ships_on if mine.eta else None

def test_a_free_unit_means_in_stock():
    plan = plan_pool(POOL, 3, [line(1), line(2)], [], Policy(), TODAY, LEAD)
    assert new_order_ships_by(*totals(plan), [], Policy(), TODAY, LEAD) is None

def test_stock_all_owed_to_the_queue_is_not_in_stock():
    lines = [line(1), line(2)]
    restocks = [restock(1, 5, FRI)]
    plan = plan_pool(POOL, 2, lines, restocks, Policy(), TODAY, LEAD)
    got = new_order_ships_by(*totals(plan), restocks, Policy(), TODAY, LEAD)
    assert got == date(2026, 3, 9)  # Friday's restock, one processing day: Monday
    assert got == placed_now_eta(lines, 2, restocks)

def test_the_queue_ahead_pushes_the_date_to_a_later_restock():
    lines = [line(1, 2), line(2, 1)]
    restocks = [restock(1, 3, FRI), restock(2, 4, date(2026, 3, 16))]
    plan = plan_pool(POOL, 0, lines, restocks, Policy(), TODAY, LEAD)
    got = new_order_ships_by(*totals(plan), restocks, Policy(), TODAY, LEAD)
    assert got == date(2026, 3, 17)  # the first 3 units are taken: the second restock
    assert got == placed_now_eta(lines, 0, restocks)

def test_without_a_restock_the_lead_time_stands_in():
    plan = plan_pool(POOL, 0, [], [], Policy(), TODAY, LEAD)
    got = new_order_ships_by(*totals(plan), [], Policy(), TODAY, LEAD)
    assert got is not None and got > TODAY + timedelta(days=13)
    assert got == placed_now_eta([], 0, [])

def test_entering_a_restock_moves_the_date_earlier():
    lines = [line(1)]
    before = new_order_ships_by(0, 0, 1, [], Policy(), TODAY, LEAD)
    restocks = [restock(1, 5, FRI)]
    after = new_order_ships_by(0, 0, 1, restocks, Policy(), TODAY, LEAD)
    assert after == date(2026, 3, 9) < before
    assert after == placed_now_eta(lines, 0, restocks)

def test_supply_below_zero_covers_nothing():
    assert new_order_ships_by(-3, 0, 3, [restock(1, 10, FRI)], Policy(), TODAY, LEAD) \
        == date(2026, 3, 9)

def test_it_agrees_with_the_planner_over_many_queues():
    for supply in range(0, 6):
        for waiting in range(0, 5):
            lines = [line(n, 1 + n % 2) for n in range(1, waiting + 1)]
            restocks = [restock(1, 2, FRI), restock(2, 3, date(2026, 3, 20))]
            plan = plan_pool(POOL, supply, lines, restocks, Policy(), TODAY, LEAD)
            assert new_order_ships_by(*totals(plan), restocks, Policy(), TODAY, LEAD) \
                == placed_now_eta(lines, supply, restocks), (supply, waiting)

