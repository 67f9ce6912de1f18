"""The store simulator's webhook bodies against Shopify's published 2026-07 samples
(tests/fixtures/payloads-2026-07, see SOURCE.md there).

The simulator is driven until it has sent every topic it can send (`devstore.webhooks.TOPICS`);
each body must have the sample's keys at every level: an extra key fails, a missing key fails
unless it is in NOT_MODELLED below, and each value must have the sample's JSON type (null in the
sample matches anything; any number matches a number; a null from the simulator where the sample
has a value fails unless the key is in NULLABLE). List elements are compared with the sample's
first element, or with the reference object of SUBSTITUTES when the sample's list is empty."""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

from devstore import DevStore, ManualClock
from devstore.webhooks import TOPICS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "payloads-2026-07"
SHOP = "contract.myshopify.com"

ORDER_TOPICS = ("orders/create", "orders/updated", "orders/cancelled", "orders/fulfilled",
                "orders/partially_fulfilled")

# Order fields the simulator does not model: checkout, payment, marketing and session details.
ORDER_NOT_MODELLED = {
    "browser_ip", "cart_token", "checkout_token", "client_details", "confirmation_number", "device_id",
    "landing_site", "landing_site_ref", "referring_site", "source_identifier", "source_url", "reference",
    "token", "order_status_url", "po_number", "payment_gateway_names", "payment_terms",
    "merchant_business_entity_id", "merchant_of_record_app_id", "total_tip_received",
    "current_total_additional_fees_set", "original_total_additional_fees_set",
    "current_total_duties_set", "original_total_duties_set",
    "total_cash_rounding_payment_adjustment_set", "total_cash_rounding_refund_adjustment_set",
}
# Payment transactions of a refund are not modelled.
REFUND_NOT_MODELLED = {"transactions"}
# Shop settings the simulator has no notion of (address, formats, plan details, features).
SHOP_NOT_MODELLED = {
    "address1", "address2", "city", "province", "province_code", "zip", "phone", "latitude", "longitude",
    "country_name", "source", "primary_locale", "timezone", "shop_owner", "money_format",
    "money_with_currency_format", "money_in_emails_format", "money_with_currency_in_emails_format",
    "weight_unit", "taxes_included", "auto_configure_tax_inclusivity", "tax_shipping", "county_taxes",
    "plan_display_name", "has_discounts", "has_gift_cards", "google_apps_domain", "google_apps_login_enabled",
    "eligible_for_payments", "requires_extra_payments_agreement", "password_enabled", "has_storefront",
    "finances", "checkout_api_supported", "setup_required", "pre_launch_enabled",
    "marketing_sms_consent_enabled_at_checkout", "transactional_sms_disabled",
}
# Image dimensions are unknown to the simulator (it never fetches the image).
IMAGE_NOT_MODELLED = {"width", "height"}

# topic -> {path of an object in the body -> keys of the sample the simulator may leave out}
NOT_MODELLED: dict[str, dict[str, set[str]]] = {
    **{topic: {"": ORDER_NOT_MODELLED, "refunds[]": REFUND_NOT_MODELLED} for topic in ORDER_TOPICS},
    "refunds/create": {"": REFUND_NOT_MODELLED},
    "app/uninstalled": {"": SHOP_NOT_MODELLED},
    "products/create": {"images[]": IMAGE_NOT_MODELLED, "image": IMAGE_NOT_MODELLED},
    "products/update": {"images[]": IMAGE_NOT_MODELLED, "image": IMAGE_NOT_MODELLED},
}

# Keys the simulator may send as null where the sample has a value, because Shopify sends null in
# the state the simulator was in:
NULLABLE = {
    "billing_address", "shipping_address", "default_address",  # no address on the order or customer
    "customer",  # a guest order (schema, `Order.customer`)
    "phone",  # a customer without a phone number
    "cancelled_at", "cancel_reason",  # an order not cancelled
    "product_id",  # a custom line (fact 4; the sample's other lines have null too)
    "compare_at_price",  # a variant with no compare-at price
    "remaining_fulfillment_order",  # a hold on a whole fulfillment order: nothing remains
    "replacement_fulfillment_order",  # a split that needed no replacement
    "held_by_app", "reason_notes",  # a hold placed by the merchant, without notes
    "note", "user_id",  # a refund made without a note, not by a staff member
    "location_id",  # a refund line that was not restocked
}


@cache
def sample(topic: str) -> dict:
    return json.loads((FIXTURES / f"{topic.replace('/', '_')}.json").read_text())["response"]


@cache
def rest_resource(name: str) -> dict:
    return json.loads((FIXTURES / "rest_resources.json").read_text())[name]


def substitutes(topic: str) -> dict[str, dict]:
    """Reference elements for lists that the topic's sample shows empty."""
    refund = sample("refunds/create")
    line_item = refund["refund_line_items"][0]["line_item"]
    if topic in ORDER_TOPICS:
        return {"fulfillments[]": rest_resource("fulfillment"), "fulfillments[].line_items[]": line_item,
                "refunds[]": refund}
    if topic in ("products/create", "products/update"):
        return {"images[]": rest_resource("product_image"), "options[]": rest_resource("product_option"),
                "image": rest_resource("product_image")}
    return {}


def compare(actual, expected, path: str, topic: str, problems: list[str]) -> None:
    if path in substitutes(topic) and not isinstance(expected, list):
        expected = substitutes(topic)[path] if expected is None else expected
    if expected is None:
        return
    if actual is None:
        if path.rsplit(".", 1)[-1].removesuffix("[]") not in NULLABLE:
            problems.append(f"{topic} {path or '<body>'}: null where the sample has {type(expected).__name__}")
        return
    if isinstance(expected, dict):
        _compare_object(actual, expected, path, topic, problems)
    elif isinstance(expected, list):
        _compare_list(actual, expected, path, topic, problems)
    elif not _same_scalar_type(actual, expected):
        problems.append(f"{topic} {path}: {type(actual).__name__} where the sample has {type(expected).__name__}")


def _compare_object(actual, expected: dict, path: str, topic: str, problems: list[str]) -> None:
    if not isinstance(actual, dict):
        problems.append(f"{topic} {path or '<body>'}: {type(actual).__name__} where the sample has an object")
        return
    allowed = NOT_MODELLED.get(topic, {}).get(path, set())
    for key in sorted(set(actual) - set(expected)):
        problems.append(f"{topic} {_join(path, key)}: not in the sample")
    for key in sorted(set(expected) - set(actual) - allowed):
        problems.append(f"{topic} {_join(path, key)}: missing")
    for key in sorted(set(expected) & set(actual)):
        compare(actual[key], expected[key], _join(path, key), topic, problems)


def _compare_list(actual, expected: list, path: str, topic: str, problems: list[str]) -> None:
    if not isinstance(actual, list):
        problems.append(f"{topic} {path}: {type(actual).__name__} where the sample has a list")
        return
    reference = expected[0] if expected else substitutes(topic).get(f"{path}[]")
    if reference is None:
        return
    for item in actual:
        compare(item, reference, f"{path}[]", topic, problems)


def _same_scalar_type(actual, expected) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(actual, bool) and isinstance(expected, bool)
    if isinstance(expected, (int, float)):
        return isinstance(actual, (int, float))
    return type(actual) is type(expected)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# -- driving the simulator through every topic ---------------------------------------------------

CSV = """Handle,Title,Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Price,Image Src,Image Position,Image Alt Text
tee,Tee,Acme,Shirts,summer,true,Size,Small,TEE-S,shopify,3,deny,20.00,https://cdn.example/tee.jpg,1,Front
tee,,,,,,,Medium,TEE-M,shopify,2,deny,20.00,,,
tee,,,,,,,,,,,,,https://cdn.example/tee-back.jpg,2,Back
"""

HOLD = """mutation ($id: ID!, $hold: FulfillmentOrderHoldInput!) { fulfillmentOrderHold(id: $id, fulfillmentHold: $hold) {
    fulfillmentHold { id } remainingFulfillmentOrder { id } userErrors { code message } } }"""
RELEASE = """mutation ($id: ID!, $holds: [ID!]) { fulfillmentOrderReleaseHold(id: $id, holdIds: $holds) {
    userErrors { code message } } }"""


class Recorder:
    def __init__(self):
        self.bodies: dict[str, list[dict]] = defaultdict(list)

    def __call__(self, url: str, headers: dict, body: bytes) -> int:
        self.bodies[headers["X-Shopify-Topic"]].append(json.loads(body))
        return 200


def _graphql(store: DevStore, token: str, query: str, variables: dict) -> dict:
    client = store.wsgi_app.test_client()
    response = client.post(f"/{SHOP}/admin/api/2026-10/graphql.json", json={"query": query, "variables": variables},
                           headers={"X-Shopify-Access-Token": token})
    body = response.get_json()
    assert "errors" not in body, body
    return body["data"]


def exercise() -> dict[str, list[dict]]:
    """Drives one shop through every topic the simulator sends; returns the bodies by topic."""
    recorder = Recorder()
    store = DevStore(app_url="http://app.test", api_key="k", api_secret="s", clock=ManualClock(),
                     threaded_webhooks=False)
    store.webhooks.transport = recorder
    store.create_shop(SHOP, locations=["Warehouse", "Store"])
    store.seed_catalog(SHOP, "apparel")
    store.install(SHOP)
    token = store.issue_token(SHOP, expiring=False)["access_token"]
    _catalog(store)
    _order_lifecycle(store, token)
    _fulfillment_order_changes(store)
    _shop_events(store)
    store.drain_webhooks()
    return recorder.bodies


def _catalog(store: DevStore) -> None:
    product = store.seed_catalog(SHOP, csv_text=CSV)[0]
    variant = product["variant_ids"][0]
    store.set_inventory_policy(SHOP, variant, "CONTINUE")
    store.set_tracked(SHOP, variant, False)
    store.set_tracked(SHOP, variant, True)
    store.delete_product(SHOP, product["id"])


def _order_lifecycle(store: DevStore, token: str) -> None:
    first, second = sorted(store.shop(SHOP).variants)[:2]
    for variant in (first, second):
        store.set_inventory_policy(SHOP, variant, "CONTINUE")
    order = store.place_order(SHOP, [(first, 3), (second, 1), {"title": "Gift wrap", "price": "5.00", "quantity": 1}],
                              customer={"email": "buyer@example.com", "tags": ["VIP"]})
    fo = next(f for f in order["fulfillment_orders"] if len(f["lines"]) > 1)
    line_gid = f"gid://shopify/FulfillmentOrderLineItem/{fo['lines'][0]['id']}"
    held = _graphql(store, token, HOLD, {"id": fo["gid"], "hold": {
        "reason": "INVENTORY_OUT_OF_STOCK", "handle": "backorders", "reasonNotes": "waiting",
        "fulfillmentOrderLineItems": [{"id": line_gid, "quantity": 2}]}})["fulfillmentOrderHold"]
    assert held["userErrors"] == [] and held["remainingFulfillmentOrder"]
    store.refund_order(SHOP, order["id"], order["line_items"][1]["id"], 1)
    store.add_to_order(SHOP, order["id"], second, 2)
    store.edit_order(SHOP, order["id"], order["line_items"][0]["id"], 1)
    store.fulfil_order(SHOP, order["id"], [order["line_items"][2]["id"]])
    _graphql(store, token, RELEASE, {"id": fo["gid"], "holds": [held["fulfillmentHold"]["id"]]})
    store.fulfil_order(SHOP, order["id"])
    store.refund_order(SHOP, order["id"], order["line_items"][0]["id"], 1, restock=False)
    other = store.place_order(SHOP, [(first, 1)])
    store.cancel_order(SHOP, other["id"])


def _fulfillment_order_changes(store: DevStore) -> None:
    variant = sorted(store.shop(SHOP).variants)[2]
    store.set_inventory_policy(SHOP, variant, "CONTINUE")
    order = store.place_order(SHOP, [(variant, 1)])
    store.add_to_order(SHOP, order["id"], variant, 1)
    fos = store.order_state(SHOP, order["id"])["fulfillment_orders"]
    store.merge_fulfillment_orders(SHOP, [fo["id"] for fo in fos])
    store.move_fulfillment_order(SHOP, fos[0]["id"], store.state(SHOP)["locations"][1]["id"])
    store.merchant_hold(SHOP, fos[0]["id"])


def _shop_events(store: DevStore) -> None:
    customer = next(iter(store.shop(SHOP).customers))
    store.update_scopes(SHOP, ["read_orders", "write_orders"])
    store.request_customer_data(SHOP, customer)
    store.request_customer_redact(SHOP, customer)
    store.request_shop_redact(SHOP)
    store.uninstall(SHOP)


@pytest.fixture(scope="module")
def bodies() -> dict[str, list[dict]]:
    return exercise()


def test_every_topic_the_simulator_sends_has_a_sample_and_was_driven(bodies):
    assert set(bodies) == set(TOPICS)
    assert all((FIXTURES / f"{topic.replace('/', '_')}.json").exists() for topic in TOPICS)


@pytest.mark.parametrize("topic", TOPICS)
def test_bodies_have_the_keys_and_types_of_the_sample(bodies, topic):
    problems: list[str] = []
    for body in bodies.get(topic, []):
        compare(body, sample(topic), "", topic, problems)
    assert not sorted(set(problems)), "\n".join(sorted(set(problems)))


def test_the_comparison_catches_drift():
    """The checker itself: an extra key, a missing key, a wrong type and an unexpected null fail."""
    expected = {"id": 1, "name": "x", "items": [{"quantity": 1}], "note": None, "flag": True}
    problems: list[str] = []
    compare({"id": 1, "name": "x", "items": [{"quantity": "1", "extra": 2}], "note": 5, "flag": None},
            expected, "", "test/topic", problems)
    compare({"id": 1.5, "items": []}, expected, "", "test/topic", problems)
    assert sorted(problems) == [
        "test/topic flag: missing", "test/topic flag: null where the sample has bool",
        "test/topic items[].extra: not in the sample", "test/topic items[].quantity: str where the sample has int",
        "test/topic name: missing", "test/topic note: missing",
    ]
