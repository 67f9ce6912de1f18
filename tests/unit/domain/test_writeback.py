"""What the store is told about suggested alternatives: the variants, and why each one."""

import json

from app.domain.order_view import order_view
from app.domain.policy import Policy
from app.domain.writeback import FIELDS, DesiredState, desired_state
from tests.unit.domain.factories import TODAY, line
from tests.unit.domain.test_order_view import plans

NECKLACE = "gid://shopify/ProductVariant/7"
HOOPS = "gid://shopify/ProductVariant/8"


def state(alternatives):
    """Order A: line l001 is covered, l002 waits (one unit in stock for two lines)."""
    view = order_view("A", plans(1, [line(1, order_id="A"), line(2, order_id="A")]), Policy())
    return desired_state(view, {}, alternatives, TODAY)


def test_each_suggestion_reaches_the_store_with_its_reason():
    desired = state({"l002": [
        {"variant_id": HOOPS, "reason": "same type, same price", "weak": False},
        {"variant_id": NECKLACE, "reason": "weak match: not the same type, same price",
         "weak": True}]})
    assert json.loads(desired.fields["alternatives"]) == sorted([HOOPS, NECKLACE])
    assert json.loads(desired.fields["alternative_reasons"]) == [
        {"line_id": "l002", "variant_id": HOOPS, "reason": "same type, same price", "weak": False},
        {"line_id": "l002", "variant_id": NECKLACE,
         "reason": "weak match: not the same type, same price", "weak": True},
    ]


def test_suggestions_of_a_line_no_longer_owed_are_not_shown():
    desired = state({"l001": [{"variant_id": NECKLACE, "reason": "same type", "weak": False}]})
    assert json.loads(desired.fields["alternatives"]) == []
    assert json.loads(desired.fields["alternative_reasons"]) == []


def test_bare_variant_ids_stored_before_reasons_still_write():
    desired = state({"l002": [NECKLACE]})
    assert json.loads(desired.fields["alternatives"]) == [NECKLACE]
    assert json.loads(desired.fields["alternative_reasons"]) == [
        {"line_id": "l002", "variant_id": NECKLACE, "reason": "", "weak": False}]
    assert set(desired.fields) == set(FIELDS)
    assert DesiredState.from_dict(desired.as_dict()) == desired  # stored and read back


def test_shipping_together_holds_the_ready_units_with_the_owed_until_nothing_is_owed():
    order = [line(1, order_id="A"), line(2, order_id="A")]
    partly = order_view("A", plans(1, order), Policy())
    ready = order_view("A", plans(2, order), Policy())
    now, together = (desired_state(partly, {}, {}, TODAY, together=t).holds for t in (False, True))
    assert sum(now.values()) == 1 and sum(together.values()) == 2
    assert desired_state(ready, {}, {}, TODAY, together=True).holds == {}
