"""discountCodeBasicCreate / discountCodeFreeShippingCreate and refundCreate: the platform's
rules for the inputs, the scopes each needs, and refundCreate's idempotency key."""

from __future__ import annotations

from .helpers import SHOP, document, gql, levels, variant

STARTS = "2026-12-01T00:00:00+00:00"


def _customer(store) -> tuple[int, str]:
    order = store.place_order(SHOP, [(variant(store, 0, "CONTINUE", 0), 1)],
                              customer={"email": "wait@example.com"})
    return order, f"gid://shopify/Customer/{order['customer_id']}"


def _basic(customer_gid: str, code: str = "WAIT-1", **changes) -> dict:
    return {"title": "Thank you for waiting", "code": code, "startsAt": STARTS,
            "context": {"customers": {"add": [customer_gid]}},
            "customerGets": {"value": {"percentage": 0.1}, "items": {"all": True}},
            "usageLimit": 1, "appliesOncePerCustomer": True, **changes}


def _create(client, token, name, discount):
    root = "discountCodeBasicCreate" if name == "discount_code_basic_create" \
        else "discountCodeFreeShippingCreate"
    body = gql(client, token, document(name), {"discount": discount})
    assert "errors" not in body, body
    return body["data"][root]


def test_a_code_for_one_customer_is_made_once_and_a_second_with_its_code_is_taken(client, token, store):
    _, customer = _customer(store)
    made = _create(client, token, "discount_code_basic_create", _basic(customer))
    again = _create(client, token, "discount_code_basic_create", _basic(customer))

    assert made["userErrors"] == [] and made["codeDiscountNode"]["id"]
    assert again["codeDiscountNode"] is None
    assert [(e["field"], e["code"]) for e in again["userErrors"]] == [
        (["basicCodeDiscount", "code"], "TAKEN")]
    (code,) = store.discount_codes(SHOP)
    assert code["customer_ids"] == [int(customer.rsplit("/", 1)[1])]
    assert (code["kind"], code["value"], code["usage_limit"], code["once_per_customer"]) == (
        "percentage", "0.1", 1, True)


def test_bad_discount_inputs_are_user_errors_naming_the_field(client, token, store):
    _, customer = _customer(store)
    cases = {
        "title": (_basic(customer, title=None), ["basicCodeDiscount", "title"], "BLANK"),
        "context": (_basic(customer, context=None), ["basicCodeDiscount", "context"], "BLANK"),
        "percentage": (_basic(customer, customerGets={"value": {"percentage": 10},
                                                      "items": {"all": True}}),
                       ["basicCodeDiscount", "customerGets", "value", "percentage"],
                       "VALUE_OUTSIDE_RANGE"),
        "customer": (_basic("gid://shopify/Customer/999999"),
                     ["basicCodeDiscount", "context", "customers", "add", "0"], "INVALID"),
    }
    for name, (discount, field, code) in cases.items():
        answer = _create(client, token, "discount_code_basic_create", discount)
        assert [(e["field"], e["code"]) for e in answer["userErrors"]] == [(field, code)], name
    assert store.discount_codes(SHOP) == []


def test_free_shipping_for_one_customer(client, token, store):
    _, customer = _customer(store)
    made = _create(client, token, "discount_code_free_shipping_create", {
        "title": "Thank you for waiting", "code": "SHIP-1", "startsAt": STARTS,
        "context": {"customers": {"add": [customer]}}, "destination": {"all": True},
        "maximumShippingPrice": "15.00", "usageLimit": 1, "appliesOncePerCustomer": True})
    assert made["userErrors"] == []
    (code,) = store.discount_codes(SHOP)
    assert (code["kind"], code["value"]) == ("free_shipping", "15.00")


def test_discounts_need_the_write_discounts_scope(client, store):
    _, customer = _customer(store)
    store.update_scopes(SHOP, ["read_orders", "write_orders"])
    token = store.issue_token(SHOP)["access_token"]
    body = gql(client, token, document("discount_code_basic_create"),
               {"discount": _basic(customer)})
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert store.discount_codes(SHOP) == []


def _refund(client, token, order, units, key="refund-1", restock="CANCEL"):
    line = f"gid://shopify/LineItem/{order['line_items'][0]['id']}"
    return gql(client, token, document("refund_create"), {"key": key, "input": {
        "orderId": order["gid"], "notify": True, "note": "cancelled by the customer",
        "refundLineItems": [{"lineItemId": line, "quantity": units, "restockType": restock}]}})


def test_a_refund_of_unfulfilled_units_restocks_them_and_a_repeated_key_is_one_refund(
        client, token, store):
    item = variant(store, 0, "CONTINUE", 0)
    order = store.place_order(SHOP, [(item, 3)])
    before = levels(store, item)["available"]

    first = _refund(client, token, order, 2)
    second = _refund(client, token, order, 2)

    assert first["data"]["refundCreate"]["userErrors"] == []
    assert second["data"]["refundCreate"]["refund"] == first["data"]["refundCreate"]["refund"]
    state = store.order_state(SHOP, order["id"])
    assert state["line_items"][0]["current_quantity"] == 1
    assert levels(store, item)["available"] == before + 2


def test_a_refund_needs_its_key_and_refuses_more_than_is_refundable(client, token, store):
    order = store.place_order(SHOP, [(variant(store, 0, "CONTINUE", 0), 1)])
    line = f"gid://shopify/LineItem/{order['line_items'][0]['id']}"
    keyless = gql(client, token, """mutation R($input: RefundInput!) {
        refundCreate(input: $input) { refund { id } userErrors { field message } } }""",
                  {"input": {"orderId": order["gid"], "refundLineItems": [
                      {"lineItemId": line, "quantity": 1, "restockType": "CANCEL"}]}})
    too_many = _refund(client, token, order, 2)

    assert "idempotent" in keyless["errors"][0]["message"]
    assert too_many["data"]["refundCreate"]["userErrors"][0]["field"] == [
        "refundLineItems", "0", "quantity"]
    assert store.order_state(SHOP, order["id"])["line_items"][0]["current_quantity"] == 1


def test_refunds_need_the_orders_write_scope(client, store):
    order = store.place_order(SHOP, [(variant(store, 0, "CONTINUE", 0), 1)])
    store.update_scopes(SHOP, ["read_orders"])
    token = store.issue_token(SHOP)["access_token"]
    assert _refund(client, token, order, 1)["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"


def _payments(client, token, order) -> list[dict]:
    body = gql(client, token, document("order_transactions"), {"id": order["gid"]})
    assert "errors" not in body, body
    return body["data"]["order"]["transactions"]


def _refund_money(client, token, order, amount, parent, key="money-1"):
    return gql(client, token, document("refund_create"), {"key": key, "input": {
        "orderId": order["gid"], "notify": True, "note": "the price difference",
        "transactions": [{"orderId": order["gid"], "parentId": parent["id"], "kind": "REFUND",
                          "gateway": parent["gateway"], "amount": amount}]}})["data"]["refundCreate"]


def test_an_order_is_paid_by_one_sale_and_money_is_refunded_from_it_once_per_key(
        client, token, store):
    item = variant(store, 0, "CONTINUE", 0)
    order = store.place_order(SHOP, [(item, 2)])
    (sale,) = _payments(client, token, order)
    price = store.shop(SHOP).variants[item].price
    assert (sale["kind"], sale["status"], sale["parentTransaction"]) == ("SALE", "SUCCESS", None)
    assert sale["amountSet"]["shopMoney"]["amount"] == f"{price * 2:.2f}"

    first = _refund_money(client, token, order, "1.50", sale)
    again = _refund_money(client, token, order, "1.50", sale)

    assert first["userErrors"] == [] and again["refund"] == first["refund"]
    (refund,) = store.order_state(SHOP, order["id"])["refunds"]
    assert refund["lines"] == [] and [(t["kind"], t["amount"]) for t in refund["transactions"]] == [
        ("REFUND", "1.50")]
    made = [t for t in _payments(client, token, order) if t["kind"] == "REFUND"]
    assert [(t["amountSet"]["shopMoney"]["amount"], t["parentTransaction"]["id"]) for t in made] == [
        ("1.50", sale["id"])]
    assert store.order_state(SHOP, order["id"])["line_items"][0]["current_quantity"] == 2


def test_money_above_what_is_left_or_from_another_order_is_refused(client, token, store):
    item = variant(store, 0, "CONTINUE", 0)
    order, other = store.place_order(SHOP, [(item, 1)]), store.place_order(SHOP, [(item, 1)])
    (sale,), (other_sale,) = _payments(client, token, order), _payments(client, token, other)
    paid = sale["amountSet"]["shopMoney"]["amount"]

    assert _refund_money(client, token, order, paid, sale, key="all")["userErrors"] == []
    too_much = _refund_money(client, token, order, "0.01", sale, key="more")
    foreign = _refund_money(client, token, order, "0.01", other_sale, key="foreign")

    assert too_much["refund"] is None
    assert too_much["userErrors"][0]["field"] == ["transactions", "0", "amount"]
    assert foreign["refund"] is None
    assert foreign["userErrors"][0]["field"] == ["transactions", "0", "parentId"]
    assert len(store.order_state(SHOP, order["id"])["refunds"]) == 1
