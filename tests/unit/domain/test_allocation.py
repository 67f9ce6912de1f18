from datetime import datetime

from app.domain.allocation import allocate, plan_pool, queue_order
from app.domain.policy import Policy
from tests.unit.domain.factories import POOL, TODAY, line


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


