"""The money of a customer's cancel or swap, through the simulator: refunded by the app when the
merchant turns `refund_cancelled_units` on (one `refundCreate` per form: a cancel's units
restocked and taken off with their money, as the store suggests it, from the order's payment;
a swap's price difference as money from the order's payment),
otherwise flagged on the admin's order view as owed and left to staff."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.storage.tables import CustomerAction, Shop, Variant
from tests.integration.simulator.test_customer_actions import (
    cancel,
    customer_of,
    my_lines,
    swap,
    swap_ready,
    two_waiting,
)


def allow(harness, refund: bool) -> None:
    with harness.services.db.transaction() as s:
        row = s.get(Shop, harness.shop)
        row.policy = {**(row.policy or {}), "customers_may_cancel": True,
                      "refund_cancelled_units": refund}


def customer_actions(harness, order: int) -> list[dict]:
    view = harness.services.admin.order_detail(harness.shop, f"gid://shopify/Order/{order}")
    return [a for a in view["actions"] if a["actor"] == "customer"]


def test_with_refunds_on_a_cancel_is_one_refund_of_the_units_restocked(harness):
    allow(harness, refund=True)
    alice, bob = two_waiting(harness, alice_units=2)
    customer = customer_of(harness, alice)
    (line,) = my_lines(harness, customer)

    first, again = cancel(harness, customer, line, 1), cancel(harness, customer, line, 1)
    harness.settle()

    assert first.get_json() == again.get_json()
    assert (first.get_json()["status"], first.get_json()["refund"]) == ("done", "issued")
    order = harness.order(alice)
    (refund,) = order["refunds"]  # a double click is one refund
    assert [(x["quantity"], x["restock_type"]) for x in refund["lines"]] == [(1, "cancel")]
    (sale,) = [t for t in order["transactions"] if t["kind"] == "SALE"]
    (bought,) = harness.store.shop(harness.shop).orders[alice].line_items
    assert [(t["kind"], Decimal(t["amount"]), t["parent_id"]) for t in refund["transactions"]] == [
        ("REFUND", bought.price, sale["id"])]  # the unit's money, in the same refund
    assert order["line_items"][0]["current_quantity"] == 1
    (action,) = customer_actions(harness, alice)
    assert (action["refund"], action["units"]) == ("issued", 1)
    assert f"{bought.price:.2f} sent back to the customer" in action["refund_note"]

    harness.receive(harness.variants[1], 1)  # the unit that comes goes to the one still owed
    harness.settle()
    assert not harness.held(alice) and harness.held(bob)


def test_with_refunds_on_a_cancel_with_no_payment_refunds_the_units_and_leaves_the_money(harness):
    allow(harness, refund=True)
    alice, _ = two_waiting(harness, alice_units=2)
    harness.store.shop(harness.shop).orders[alice].transactions.clear()  # nothing was paid
    customer = customer_of(harness, alice)
    (line,) = my_lines(harness, customer)

    answer = cancel(harness, customer, line, 1)
    harness.settle()

    assert (answer.get_json()["status"], answer.get_json()["refund"]) == ("done", "owed")
    order = harness.order(alice)
    (refund,) = order["refunds"]  # the units, without money
    assert [(x["quantity"], x["restock_type"]) for x in refund["lines"]] == [(1, "cancel")]
    assert refund["transactions"] == [] and order["transactions"] == []
    assert order["line_items"][0]["current_quantity"] == 1
    (action,) = customer_actions(harness, alice)
    assert action["refund"] == "owed" and action["refund_note"].startswith("the units cancelled: 1 ×")
    assert "no payment to refund from" in action["refund_note"]


def test_with_refunds_off_the_refund_owed_is_flagged_for_staff(harness):
    allow(harness, refund=False)
    alice, _ = two_waiting(harness)
    customer = customer_of(harness, alice)
    (line,) = my_lines(harness, customer)

    answer = cancel(harness, customer, line, 1)
    harness.settle()

    assert answer.get_json()["refund"] == "owed"
    assert harness.order(alice)["refunds"] == []  # edited away, nothing refunded
    assert harness.order(alice)["line_items"][0]["current_quantity"] == 0
    (action,) = customer_actions(harness, alice)
    assert action["refund"] == "owed" and "the units cancelled: 1 ×" in action["refund_note"]


def test_with_refunds_off_a_swap_to_a_cheaper_alternative_leaves_the_difference_to_staff(harness):
    alice, customer, line, chosen = swap_ready(harness)
    allow(harness, refund=False)
    with harness.services.db.transaction() as s:  # much cheaper than what was bought
        s.get(Variant, (harness.shop, chosen)).price = "0.01"
    answer = swap(harness, customer, line, chosen)
    harness.settle()

    assert answer.get_json()["status"] == "done" and answer.get_json()["refund"] == "owed"
    with harness.services.db.transaction() as s:
        (row,) = s.scalars(select(CustomerAction)).all()
    assert row.refund == "owed" and row.refund_note.startswith("the price difference: 1 ×")
    assert harness.order(alice)["refunds"] == []  # never refunded by the app


def cheaper(harness, line: dict, chosen: str, price: str) -> Decimal:
    """The chosen alternative costs `price` in the store and the app's mirror; what one unit
    bought costs in the store."""
    store = harness.store.shop(harness.shop)
    store.variants[int(chosen.rsplit("/", 1)[1])].price = Decimal(price)
    with harness.services.db.transaction() as s:
        s.get(Variant, (harness.shop, chosen)).price = price
    (bought,) = store.orders[int(line["order_id"].rsplit("/", 1)[1])].line_items
    with harness.services.db.transaction() as s:  # the mirror's price of what was bought
        mirrored = s.get(Variant, (harness.shop, f"gid://shopify/ProductVariant/{bought.variant_id}"))
        assert Decimal(mirrored.price) == bought.price
    return bought.price


def test_with_refunds_on_a_swap_to_a_cheaper_alternative_refunds_the_difference_once(harness):
    alice, customer, line, chosen = swap_ready(harness)
    allow(harness, refund=True)
    bought = cheaper(harness, line, chosen, "1.00")

    first, again = swap(harness, customer, line, chosen), swap(harness, customer, line, chosen)
    harness.settle()

    assert first.get_json() == again.get_json()
    assert (first.get_json()["status"], first.get_json()["refund"]) == ("done", "issued")
    order = harness.order(alice)
    (refund,) = order["refunds"]  # a double click is one refund
    (sale,) = [t for t in order["transactions"] if t["kind"] == "SALE"]
    assert refund["lines"] == []  # money only: the edit already took the units off
    assert [(t["kind"], Decimal(t["amount"]), t["parent_id"]) for t in refund["transactions"]] == [
        ("REFUND", bought - Decimal("1.00"), sale["id"])]
    assert [x["current_quantity"] for x in order["line_items"]] == [0, 1]
    (action,) = customer_actions(harness, alice)
    assert action["refund"] == "issued" and "refunded by the app" in action["refund_note"]
    assert not harness.held(alice)


def test_a_refused_refund_of_the_difference_is_left_to_staff_with_the_reason(harness):
    alice, customer, line, chosen = swap_ready(harness)
    allow(harness, refund=True)
    cheaper(harness, line, chosen, "1.00")
    harness.store.shop(harness.shop).orders[alice].transactions.clear()  # nothing was paid

    answer = swap(harness, customer, line, chosen)
    harness.settle()

    assert (answer.get_json()["status"], answer.get_json()["refund"]) == ("done", "owed")
    assert harness.order(alice)["refunds"] == []
    (action,) = customer_actions(harness, alice)
    assert action["refund"] == "owed" and action["refund_note"].startswith("the price difference: 1 ×")
    assert "no payment to refund from" in action["refund_note"]
