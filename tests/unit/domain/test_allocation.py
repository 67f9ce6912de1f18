from datetime import date, datetime

from app.domain.allocation import allocate, plan_pool, queue_order, replan_pool
from app.domain.policy import Policy
from tests.unit.domain.factories import POOL, TODAY, line, restock


def ids(lines):
    return [x.line_id for x in lines]


def covered(plan):
    return {lp.line_id: (lp.covered, lp.backordered) for lp in plan.lines}


def test_fifo_by_order_time_then_line_id():
    a = line(3, minutes=5)
    b = line(1, minutes=10)
    c = line(2, minutes=5)
    assert ids(queue_order([b, a, c], Policy(), TODAY)) == ["l002", "l003", "l001"]


def test_naive_and_aware_order_times_sort_together():
    from datetime import UTC

    aware = line(1, minutes=0)
    aware = type(aware)(
        "aware", "o", POOL, 1, datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    )
    naive = line(2, minutes=0)  # 09:00 read as UTC
    assert ids(queue_order([naive, aware], Policy(), TODAY)) == ["aware", "l002"]


def test_partial_backorder_splits_a_line():
    plan = plan_pool(POOL, 3, [line(1, 2), line(2, 2), line(3, 1)], [], Policy(), TODAY)
    assert covered(plan) == {"l001": (2, 0), "l002": (1, 1), "l003": (0, 1)}
    assert plan.units_owed == 2
    assert plan.units_covered == 3
    assert [lp.queue_position for lp in plan.lines] == [None, 1, 2]


def test_negative_supply_covers_nothing():
    plan = plan_pool(POOL, -4, [line(1)], [], Policy(), TODAY)
    assert covered(plan) == {"l001": (0, 1)}


def test_manual_priority_goes_first():
    lines = [line(1), line(2), line(3, manual_priority=5)]
    plan = plan_pool(POOL, 1, lines, [], Policy(), TODAY)
    assert covered(plan)["l003"] == (1, 0)
    assert ids(plan.lines) == ["l003", "l001", "l002"]


def test_customer_tag_classes_in_listed_order():
    policy = Policy.from_dict({"priority_tags": ["VIP", "B2B"]})
    lines = [
        line(1),
        line(2, customer_tags=frozenset({"b2b"})),  # tags match regardless of case
        line(3, customer_tags=frozenset({"VIP", "newsletter"})),
        line(4, customer_tags=frozenset({"B2B", "VIP"})),
    ]
    assert ids(queue_order(lines, policy, TODAY)) == ["l003", "l004", "l002", "l001"]


def test_age_boost_moves_old_lines_to_the_front_class():
    policy = Policy.from_dict({"priority_tags": ["VIP"], "age_boost_days": 10})
    old = line(1, minutes=-60 * 24 * 12)  # waiting fifteen days by TODAY
    vip = line(2, customer_tags=frozenset({"VIP"}))
    fresh = line(3, minutes=-60 * 24 * 4)  # waiting eight days by TODAY
    order = ids(queue_order([fresh, vip, old], policy, TODAY))
    assert order == ["l001", "l002", "l003"]
    # without the boost the VIP line leads
    no_boost = Policy.from_dict({"priority_tags": ["VIP"]})
    assert ids(queue_order([fresh, vip, old], no_boost, TODAY))[0] == "l002"


def test_ready_units_are_not_bumped():
    first = plan_pool(POOL, 2, [line(2), line(3)], [], Policy(), TODAY)
    assert covered(first) == {"l002": (1, 0), "l003": (1, 0)}
    # an earlier line and a bumped line arrive; the ready lines keep their units
    lines = [line(1), line(2, ready_units=1), line(3, ready_units=1), line(4, manual_priority=9)]
    plan = plan_pool(POOL, 2, lines, [], Policy(), TODAY)
    assert covered(plan) == {"l001": (0, 1), "l002": (1, 0), "l003": (1, 0), "l004": (0, 1)}
    # the queue of waiting lines still follows policy
    waiting = [lp.line_id for lp in plan.lines if lp.backordered]
    assert waiting == ["l004", "l001"]


def test_ready_units_yield_only_when_supply_shrinks():
    lines = [line(1, ready_units=1), line(2, ready_units=1)]
    plan = plan_pool(POOL, 1, lines, [], Policy(), TODAY)
    assert covered(plan) == {"l001": (1, 0), "l002": (0, 1)}


def test_allocate_serves_ready_first_then_queue():
    lines = [line(1, 2), line(2, 2, ready_units=2), line(3, 1)]
    assert allocate(lines, 3) == [1, 2, 0]


def test_replan_after_a_restock_equals_a_fresh_plan():
    lines = [line(n, 1 + n % 3) for n in range(1, 30)]
    r1 = restock(1, 10, date(2026, 3, 20))
    before = plan_pool(POOL, 8, lines, [r1], Policy(), TODAY)
    r2 = restock(2, 12, date(2026, 3, 11))
    fed_back = [
        type(x)(x.line_id, x.order_id, x.pool, x.quantity, x.ordered_at,
                ready_units=covered(before)[x.line_id][0])
        for x in lines
    ]
    for supply in (8, 15, 3, 0, 60):
        again = replan_pool(before, supply, [r1, r2], Policy(), TODAY)
        fresh = plan_pool(POOL, supply, fed_back, [r1, r2], Policy(), TODAY)
        assert again == fresh


def test_replan_keeps_unchanged_line_objects():
    lines = [line(n) for n in range(1, 21)]
    before = plan_pool(POOL, 5, lines, [restock(1, 5, date(2026, 3, 10))], Policy(), TODAY)
    late = restock(2, 5, date(2026, 4, 20))
    again = replan_pool(before, 5, [restock(1, 5, date(2026, 3, 10)), late], Policy(), TODAY)
    unchanged = [a is b for a, b in zip(before.lines, again.lines, strict=True)]
    assert unchanged[:10] == [True] * 10  # covered lines and the first restock's lines
    assert not all(unchanged)  # lines beyond the first restock now wait on the second


def test_replan_after_stock_arrives_covers_moves_up_and_redates_in_runs():
    lines = [line(n, 2) for n in range(1, 41)]
    restocks = [restock(1, 20, date(2026, 3, 20)), restock(2, 20, date(2026, 4, 10))]
    before = plan_pool(POOL, 10, lines, restocks, Policy(), TODAY)
    # 25 more units: lines 6-17 are covered in full, line 18 in part, the rest move up 12 places
    again = replan_pool(before, 35, restocks[1:], Policy(), TODAY)
    plans = {lp.line_id: lp for lp in again.lines}
    assert all(plans[f"l{n:03d}"].backordered == 0 for n in range(1, 18))
    assert (plans["l018"].covered, plans["l018"].queue_position) == (1, 1)
    assert plans["l018"].eta.restock_id == "r2"
    assert [plans[f"l{n:03d}"].queue_position for n in (19, 40)] == [2, 23]
    # r2's 20 units reach line 27 (owed 19); line 28's last unit is beyond every restock
    assert plans["l027"].eta.restock_id == "r2" and plans["l028"].eta.source == "lead_time"
    assert again.units_owed == 45 and again.units_covered == 35
    fed_back = [
        type(x)(x.line_id, x.order_id, x.pool, x.quantity, x.ordered_at,
                ready_units=before.lines[i].covered)
        for i, x in enumerate(lines)
    ]
    assert again == plan_pool(POOL, 35, fed_back, restocks[1:], Policy(), TODAY)
