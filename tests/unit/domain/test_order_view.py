from datetime import date

import pytest

from app.domain.allocation import plan_pool
from app.domain.errors import InvalidInput
from app.domain.order_view import order_status, order_view
from app.domain.policy import Policy
from tests.unit.domain.factories import POOL, TODAY, line, restock

SHIP_AS_AVAILABLE = Policy.from_dict({"ship_complete": False})


def plans(supply, lines, restocks=()):
    return plan_pool(POOL, supply, lines, list(restocks), Policy(), TODAY).lines


def test_statuses():
    order = [line(1, order_id="A"), line(2, order_id="A")]
    assert order_status(plans(2, order)) == "ready"
    assert order_status(plans(1, order)) == "partially_ready"
    assert order_status(plans(0, order)) == "waiting"
    assert order_status(plans(1, [line(1, 3, order_id="A")])) == "partially_ready"


def test_ship_complete_waits_for_the_latest_line():
    order = [line(1, order_id="A"), line(2, order_id="A"), line(3, order_id="A")]
    restocks = [restock(1, 1, date(2026, 3, 6)), restock(2, 1, date(2026, 3, 20))]
    view = order_view("A", plans(1, order, restocks), Policy())
    assert view.status == "partially_ready"
    assert view.eta.restock_id == "r2"
    assert set(view.line_etas.values()) == {view.eta}  # every line leaves with the last


def test_ship_as_available_gives_each_line_its_own_date():
    order = [line(1, order_id="A"), line(2, order_id="A"), line(3, order_id="A")]
    restocks = [restock(1, 1, date(2026, 3, 6)), restock(2, 1, date(2026, 3, 20))]
    view = order_view("A", plans(1, order, restocks), SHIP_AS_AVAILABLE)
    assert view.eta.restock_id == "r1"  # the next shipment
    assert view.line_etas["l001"] is None
    assert view.line_etas["l002"].restock_id == "r1"
    assert view.line_etas["l003"].restock_id == "r2"


def test_a_ready_order_has_no_eta():
    view = order_view("A", plans(5, [line(1, order_id="A")]), Policy())
    assert view.status == "ready" and view.eta is None


def test_lines_from_another_order_are_refused():
    with pytest.raises(InvalidInput):
        order_view("A", plans(0, [line(1, order_id="B")]), Policy())
    with pytest.raises(InvalidInput):
        order_view("A", [], Policy())
