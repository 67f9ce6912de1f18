"""A customer takes the units still owed off their order from their page in the shop: through the
app proxy, a signed form, Shopify's order editing in the simulator, and the edit's webhooks
re-planning the queue."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from sqlalchemy import select

from app.platforms.shopify.app_proxy import sign_form, sign_link
from app.storage.tables import CustomerAction, OrderLine, Pool, Shop, Variant
from tests.conftest import API_SECRET

SMALL = 1
ALICE, BOB = {"email": "alice@example.com"}, {"email": "bob@example.com"}


def signed_query(harness, customer: str, **extra) -> str:
    params = {"shop": harness.shop, "logged_in_customer_id": customer,
              "path_prefix": "/apps/backorders",
              "timestamp": str(int(harness.services.clock().timestamp())), **extra}
    message = "".join(sorted(f"{k}={v}" for k, v in params.items()))
    params["signature"] = hmac.new(API_SECRET.encode(), message.encode(),
                                   hashlib.sha256).hexdigest()
    return urlencode(params)


def my_lines(harness, customer: str) -> list[dict]:
    page = harness.web.get(f"/proxy/backorders?{signed_query(harness, customer, format='json')}")
    assert page.status_code == 200, page.text
    return page.get_json()["lines"]


def cancel(harness, customer: str, line: dict, units: int, token: str | None = None,
           **query):
    form = {"token": token or line["cancel_token"], "order": line["order_id"],
            "line": line["line_id"], "units": str(units)}
    return harness.web.post(f"/proxy/backorders/cancel?{signed_query(harness, customer, **query)}",
                            data=form, headers={"Accept": "application/json"})


def allow_cancelling(harness, swap: bool = False) -> None:
    with harness.services.db.transaction() as s:
        row = s.get(Shop, harness.shop)
        row.policy = {**(row.policy or {}), "customers_may_cancel": True,
                      "customers_may_swap": swap}


def customer_of(harness, order_id: int) -> str:
    return str(harness.order(order_id)["customer_id"])


def two_waiting(harness, alice_units: int = 1) -> tuple[int, int]:
    """Alice's order waits for Small, Bob's behind hers."""
    small = harness.oversell(SMALL, available=0)
    alice = harness.store.place_order(harness.shop, [(small, alice_units)], customer=ALICE)["id"]
    harness.tick()
    bob = harness.store.place_order(harness.shop, [(small, 1)], customer=BOB)["id"]
    harness.settle()
    assert harness.held(alice) and harness.held(bob)
    return alice, bob


def test_a_customer_cancels_what_is_owed_and_the_next_order_gets_the_unit_that_comes(harness):
    allow_cancelling(harness)
    alice, bob = two_waiting(harness)
    customer = customer_of(harness, alice)
    (line,) = my_lines(harness, customer)
    assert line["owed"] == 1 and line["cancel_token"]

    answer = cancel(harness, customer, line, 1)
    assert answer.status_code == 200, answer.text
    assert answer.get_json()["status"] == "done"
    harness.settle()
    assert harness.order(alice)["line_items"][0]["current_quantity"] == 0
    assert not harness.held(alice)
    assert my_lines(harness, customer) == []

    harness.receive(harness.variants[SMALL], 1)
    harness.settle()
    assert not harness.held(bob)  # the unit that came is Bob's: he was next in the queue
    assert harness.metafields(bob)["status"] == "ready"


def queue_places(harness) -> dict[str, tuple[int | None, int]]:
    """Each line's place in its queue and open units, as the app has them now."""
    with harness.services.db.transaction() as s:
        offsets = dict(s.execute(select(Pool.pool, Pool.position_offset)).all())
        return {r.order_id.rsplit("/", 1)[1]: (
                    r.queue_ticket - offsets[r.pool] if r.queue_ticket is not None else None,
                    r.open_quantity)
                for r in s.scalars(select(OrderLine))}


def test_the_line_behind_moves_up_in_the_request_not_when_the_webhooks_come(harness):
    allow_cancelling(harness)
    alice, bob = two_waiting(harness)
    customer = customer_of(harness, alice)
    (line,) = my_lines(harness, customer)
    assert queue_places(harness)[str(bob)] == (2, 1)

    assert cancel(harness, customer, line, 1).get_json()["status"] == "done"

    places = queue_places(harness)  # no webhook of the edit handled yet
    assert places[str(alice)] == (None, 0) and places[str(bob)] == (1, 1)
    harness.settle()
    assert queue_places(harness)[str(alice)][1] == 0  # the edit's webhooks take nothing more
    assert queue_places(harness)[str(bob)] == (1, 1)


def test_the_same_form_sent_twice_edits_the_order_once(harness):
    allow_cancelling(harness)
    alice, _ = two_waiting(harness, alice_units=2)
    customer = customer_of(harness, alice)
    (line,) = my_lines(harness, customer)

    first, second = cancel(harness, customer, line, 1), cancel(harness, customer, line, 1)

    assert first.get_json() == second.get_json()
    harness.settle()
    assert harness.order(alice)["line_items"][0]["current_quantity"] == 1
    with harness.services.db.transaction() as s:
        (action,) = s.scalars(select(CustomerAction)).all()
    assert (action.status, action.units, action.customer_id) == ("done", 1, customer)


def test_a_signed_link_for_one_customer_cannot_act_on_anothers_order(harness):
    allow_cancelling(harness)
    alice, bob = two_waiting(harness)
    alice_id, bob_id = customer_of(harness, alice), customer_of(harness, bob)
    (bob_line,) = my_lines(harness, bob_id)
    link = sign_link(API_SECRET, harness.shop, alice_id)
    alices_token_for_bobs_line = sign_form(API_SECRET, harness.shop, alice_id,
                                           bob_line["order_id"], bob_line["line_id"])

    stolen = cancel(harness, "", bob_line, 1, link=link)  # Bob's own token, Alice's link
    forged = cancel(harness, "", bob_line, 1, token=alices_token_for_bobs_line, link=link)

    assert stolen.status_code == 403 and stolen.get_json()["field"] == "token"
    assert forged.status_code == 404 and forged.get_json()["field"] == "line"
    harness.settle()
    assert harness.order(bob)["line_items"][0]["current_quantity"] == 1 and harness.held(bob)


def test_cancelling_is_refused_unless_the_merchant_allows_it_and_within_what_is_owed(harness):
    alice, _ = two_waiting(harness)
    customer = customer_of(harness, alice)
    (line,) = my_lines(harness, customer)
    assert line["cancel_token"] is None  # no form on the page
    token = sign_form(API_SECRET, harness.shop, customer, line["order_id"], line["line_id"])

    refused = cancel(harness, customer, line, 1, token=token)
    assert refused.status_code == 403 and refused.get_json()["error"] == "not_allowed"

    allow_cancelling(harness)
    too_many = cancel(harness, customer, line, 2, token=token)
    assert too_many.status_code == 422 and too_many.get_json()["field"] == "units"
    not_a_number = harness.web.post(
        f"/proxy/backorders/cancel?{signed_query(harness, customer)}",
        data={"token": token, "order": line["order_id"], "line": line["line_id"], "units": "x"})
    assert not_a_number.status_code == 422 and not_a_number.get_json()["field"] == "units"
    harness.settle()
    assert harness.order(alice)["line_items"][0]["current_quantity"] == 1


def swap(harness, customer: str, line: dict, variant_id: str):
    form = {"token": line["swap_token"], "order": line["order_id"], "line": line["line_id"],
            "variant": variant_id}
    return harness.web.post(f"/proxy/backorders/swap?{signed_query(harness, customer)}",
                            data=form, headers={"Accept": "application/json"})


def no_dearer(line: dict) -> list[str]:
    """The line's offers that cost no more than what was bought, as their reasons say."""
    return [o["variant_id"] for o in line["alternatives"]
            if "more expensive" not in o["reason"]]


def swap_ready(harness) -> tuple[int, str, dict, str]:
    """Swaps allowed, Alice's order waiting: (her order, her customer id, her line, the first
    alternative it offers at no higher price)."""
    allow_cancelling(harness, swap=True)
    alice, _ = two_waiting(harness)
    customer = customer_of(harness, alice)
    (line,) = my_lines(harness, customer)
    return alice, customer, line, no_dearer(line)[0]


def test_a_customer_swaps_to_an_alternative_and_their_hold_is_released(harness):
    alice, customer, line, chosen = swap_ready(harness)
    assert line["swap_token"] and line["swap_token"] != line["cancel_token"]

    answer = swap(harness, customer, line, chosen)
    assert answer.status_code == 200, answer.text
    assert (answer.get_json()["status"], answer.get_json()["to_variant_id"]) == ("done", chosen)
    harness.settle()

    lines = harness.order(alice)["line_items"]
    assert [x["current_quantity"] for x in lines] == [0, 1]
    assert f"gid://shopify/ProductVariant/{lines[1]['variant_id']}" == chosen
    assert not harness.held(alice)
    assert my_lines(harness, customer) == []


def test_a_swap_to_an_alternative_that_just_sold_out_is_refused_and_changes_nothing(harness):
    alice, customer, line, chosen = swap_ready(harness)
    number = int(chosen.rsplit("/", 1)[1])
    harness.store.set_inventory_policy(harness.shop, number, "DENY")
    harness.store.set_stock(harness.shop, number, 0)  # someone bought the last one a second ago

    answer = swap(harness, customer, line, chosen)

    assert answer.status_code == 200
    assert answer.get_json()["status"] == "refused"
    assert "sold out" in answer.get_json()["message"]
    harness.settle()
    assert [x["current_quantity"] for x in harness.order(alice)["line_items"]] == [1]
    assert harness.held(alice)


def test_only_an_offered_alternative_at_no_higher_price_can_be_swapped_in(harness):
    allow_cancelling(harness, swap=True)
    alice, _ = two_waiting(harness)
    customer = customer_of(harness, alice)
    (line,) = my_lines(harness, customer)
    offered = [o["variant_id"] for o in line["alternatives"]]
    stranger = next(f"gid://shopify/ProductVariant/{v}" for v in harness.variants
                    if f"gid://shopify/ProductVariant/{v}" not in offered)
    with harness.services.db.transaction() as s:  # the merchant raised its price since
        s.get(Variant, (harness.shop, offered[0])).price = "999.00"

    not_offered = swap(harness, customer, line, stranger)
    pricier = swap(harness, customer, line, offered[0])

    assert not_offered.status_code == 422 and not_offered.get_json()["field"] == "variant"
    assert pricier.status_code == 422 and "price" in pricier.get_json()["message"]
    harness.settle()
    assert [x["current_quantity"] for x in harness.order(alice)["line_items"]] == [1]
