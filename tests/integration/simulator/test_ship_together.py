"""Ship what is ready now or ship together, chosen by the customer on their page, through the
simulator: together, the app's hold covers the units ready too; now (the default), only the owed
units are held and the ready ones may ship."""

from __future__ import annotations

from app.platforms.shopify.app_proxy import sign_form
from tests.conftest import API_SECRET
from tests.integration.simulator.test_customer_actions import customer_of, signed_query

SMALL, MEDIUM = 1, 2


def page(harness, customer: str) -> dict:
    answer = harness.web.get(f"/proxy/backorders?{signed_query(harness, customer, format='json')}")
    assert answer.status_code == 200, answer.text
    return answer.get_json()


def choose(harness, customer: str, order: dict, choice: str, token: str | None = None):
    form = {"token": token or order["token"], "order": order["order_id"], "choice": choice}
    return harness.web.post(f"/proxy/backorders/ship?{signed_query(harness, customer)}",
                            data=form, headers={"Accept": "application/json"})


def partly_ready(harness) -> tuple[int, str]:
    """An order of a short variant and one in stock: the short line held, the other ready."""
    small = harness.oversell(SMALL, available=0)
    medium = harness.oversell(MEDIUM, available=5)
    order = harness.store.place_order(harness.shop, [(small, 1), (medium, 2)],
                                      customer={"email": "ann@example.com"})["id"]
    harness.settle()
    return order, customer_of(harness, order)


def lines_of(harness, order: int) -> list[int]:
    return [line["id"] for line in harness.order(order)["line_items"]]


def test_ship_together_holds_the_ready_units_too_and_ship_now_lets_them_go(harness):
    order, customer = partly_ready(harness)
    short, ready = lines_of(harness, order)
    assert harness.held(order) == {short: 1}  # the default: only what is owed
    (choice,) = page(harness, customer)["orders"]
    assert (choice["ready"], choice["owed"], choice["ships"]) == (2, 1, "now")

    together = choose(harness, customer, choice, "together")
    assert together.status_code == 200 and together.get_json()["status"] == "done"
    harness.settle()
    assert harness.held(order) == {short: 1, ready: 2}
    (choice,) = page(harness, customer)["orders"]
    assert choice["ships"] == "together"

    assert choose(harness, customer, choice, "now").get_json()["status"] == "done"
    harness.settle()
    assert harness.held(order) == {short: 1}


def test_the_choice_is_kept_when_the_order_is_planned_again_and_ends_when_all_is_ready(harness):
    order, customer = partly_ready(harness)
    short, ready = lines_of(harness, order)
    (choice,) = page(harness, customer)["orders"]
    choose(harness, customer, choice, "together")
    harness.settle()
    harness.services.backorders.replan_overdue(harness.shop)  # any later plan keeps it
    harness.settle()
    assert harness.held(order) == {short: 1, ready: 2}

    harness.receive(harness.variants[SMALL], 1)
    harness.settle()
    assert harness.held(order) == {}  # nothing owed: all of it ships, together
    assert page(harness, customer)["orders"] == []


def test_a_bad_choice_or_another_customers_order_is_refused(harness):
    order, customer = partly_ready(harness)
    (choice,) = page(harness, customer)["orders"]
    bad = choose(harness, customer, choice, "sometime")
    stranger = "424242"
    forged = choose(harness, stranger, choice, "together",
                    token=sign_form(API_SECRET, harness.shop, stranger, choice["order_id"], "*"))
    stolen = choose(harness, stranger, choice, "together")

    assert bad.status_code == 422 and bad.get_json()["field"] == "choice"
    assert forged.status_code == 404 and forged.get_json()["field"] == "order"
    assert stolen.status_code == 403 and stolen.get_json()["field"] == "token"
    harness.settle()
    assert harness.held(order) == {lines_of(harness, order)[0]: 1}
