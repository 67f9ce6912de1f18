"""ShopifyGateway against Shopify-shaped HTTP answers: what it reads, what it leaves out, what it
sends. Every request it makes is checked against the 2026-10 Admin schema."""

from __future__ import annotations

import json
from collections import defaultdict, deque
from datetime import UTC, datetime

import pytest
import requests
import responses
from graphql import OperationDefinitionNode, parse, print_ast, validate

from app.platforms.shopify.gateway import ShopifyGateway
from app.services.ports import OrderChange

from .conftest import SHOP, URL, ok

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ALL_SCOPES = frozenset({"read_orders", "write_orders", "read_all_orders",
                        "read_third_party_fulfillment_orders",
                        "write_third_party_fulfillment_orders"})


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


class FakeAdmin:
    """Answers by operation name, in the order queued; records (operation, variables, text)."""

    def __init__(self, http, schema):
        self.schema = schema
        self.answers: dict[str, deque] = defaultdict(deque)
        self.sent: list[tuple[str, dict, str]] = []
        http.add_callback(responses.POST, URL, callback=self._answer)

    def queue(self, operation: str, *datas: dict, requested: int = 10) -> None:
        self.answers[operation].extend((data, requested) for data in datas)

    def _answer(self, request):
        body = json.loads(request.body)
        document = parse(body["query"])
        assert validate(self.schema, document) == [], body["query"]
        operation = next(d for d in document.definitions
                         if isinstance(d, OperationDefinitionNode)).name.value
        self.sent.append((operation, body["variables"], body["query"]))
        data, requested = self.answers[operation].popleft()
        return 200, {}, json.dumps(ok(data, requested=requested, available=1000))

    def operations(self) -> list[str]:
        return [name for name, _, _ in self.sent]


@pytest.fixture
def admin(http, schema):
    return FakeAdmin(http, schema)


def make_gateway(client, credentials, scopes=ALL_SCOPES, bulk_after_s=0.0) -> ShopifyGateway:
    return ShopifyGateway(client, credentials, requests.Session(), scopes=lambda shop: scopes,
                          clock=lambda: NOW, bulk_after_s=bulk_after_s)


@pytest.fixture
def gateway(client, credentials):
    return make_gateway(client, credentials)


def page(nodes: list, cursor: str | None = None) -> dict:
    return {"pageInfo": {"hasNextPage": cursor is not None, "endCursor": cursor}, "nodes": nodes}


def fo_line(n: int, line: int, remaining: int) -> dict:
    return {"id": gid("FulfillmentOrderLineItem", n), "remainingQuantity": remaining,
            "lineItem": {"id": gid("LineItem", line)}}


def fo(n: int, lines: list, status: str = "OPEN", holds=(), actions=("HOLD", "SPLIT"),
       lines_cursor: str | None = None) -> dict:
    return {"id": gid("FulfillmentOrder", n), "status": status,
            "supportedActions": [{"action": a} for a in actions],
            "fulfillmentHolds": list(holds), "lineItems": page(lines, lines_cursor)}


def hold(n: int, ours: bool) -> dict:
    return {"id": gid("FulfillmentHold", n), "handle": "backorder" if ours else "fraud-check",
            "heldByRequestingApp": ours}


def order_node(n: int, fos: list, cursor: str | None = None, tags=("vip",)) -> dict:
    return {"id": gid("Order", n), "tags": list(tags), "fulfillmentOrders": page(fos, cursor)}


# customer tags, stock, variants


def test_customer_tags_are_read_in_one_batch_by_id(gateway, admin):
    admin.queue("CustomersTags", {"nodes": [
        {"id": gid("Customer", 1), "tags": ["VIP", "B2B"]}, None,
        {"id": gid("Customer", 3), "tags": []}]})

    tags = gateway.customer_tags(SHOP, [gid("Customer", n) for n in (1, 2, 3)])

    assert tags == {gid("Customer", 1): ("VIP", "B2B"), gid("Customer", 3): ()}
    assert admin.sent[0][1] == {"ids": [gid("Customer", n) for n in (1, 2, 3)]}


def test_stock_readings_carry_the_levels_own_time(gateway, admin):
    admin.queue("InventoryItemLevels", {"nodes": [{
        "id": gid("InventoryItem", 5), "variant": {"id": gid("ProductVariant", 5)},
        "inventoryLevels": {"pageInfo": {"hasNextPage": False}, "nodes": [
            {"updatedAt": "2026-11-30T08:15:02Z", "location": {"id": gid("Location", 1)},
             "quantities": [{"name": "available", "quantity": -2},
                            {"name": "committed", "quantity": 3}]}]}}]})

    (reading,) = gateway.stock(SHOP, [gid("InventoryItem", 5)])

    assert reading.updated_at == datetime(2026, 11, 30, 8, 15, 2, tzinfo=UTC)
    assert (reading.available, reading.committed) == (-2, 3)


def test_variants_say_whether_their_inventory_is_tracked(gateway, admin):
    def variant(n, tracked):
        return {"id": gid("ProductVariant", n), "title": "S", "sku": "", "price": "1.00",
                "inventoryPolicy": "CONTINUE", "selectedOptions": [],
                "inventoryItem": {"id": gid("InventoryItem", n), "tracked": tracked},
                "product": {"id": gid("Product", 1), "title": "Tee"}}
    admin.queue("VariantsById", {"nodes": [variant(1, True), variant(2, False)]})

    infos = gateway.variants(SHOP, [gid("ProductVariant", 1), gid("ProductVariant", 2)])

    assert [(i.variant_id, i.tracked) for i in infos] == [
        (gid("ProductVariant", 1), True), (gid("ProductVariant", 2), False)]


# one order for the planner


def line_item(n: int, unfulfilled: int, *, variant: bool = True, ships: bool = True,
              tracked: bool = True) -> dict:
    return {"id": gid("LineItem", n), "name": f"Line {n}", "unfulfilledQuantity": unfulfilled,
            "requiresShipping": ships,
            "variant": {"id": gid("ProductVariant", n),
                        "inventoryItem": {"id": gid("InventoryItem", n), "tracked": tracked}}
            if variant else None}


def planner_order(items: list, cursor: str | None = None, cancelled: str | None = None) -> dict:
    return {"order": {
        "id": gid("Order", 9), "name": "#1009", "number": 1009,
        "createdAt": "2026-11-30T10:00:00Z", "updatedAt": "2026-11-30T10:05:00Z",
        "cancelledAt": cancelled, "customer": {"id": gid("Customer", 4), "tags": ["VIP"]},
        "lineItems": page(items, cursor)}}


def test_order_keeps_only_lines_that_wait_on_stock_with_what_is_still_owed(gateway, admin):
    admin.queue("OrderForBackorders", planner_order([
        line_item(1, 3),
        line_item(2, 2, variant=False),  # custom line
        line_item(3, 1, ships=False),  # gift card, download
        line_item(4, 1, tracked=False),  # untracked: never short
        line_item(5, -1),  # partly refunded: seen at -1
    ]))

    order = gateway.order(SHOP, gid("Order", 9))

    assert [(line.line_id, line.open_quantity) for line in order.lines] == [
        (gid("LineItem", 1), 3), (gid("LineItem", 5), 0)]
    assert (order.number, order.name, order.customer_id) == (1009, "#1009", "4")
    assert order.customer_tags == ("VIP",)
    query = print_ast(parse(admin.sent[0][2]))  # without the comments
    assert "unfulfilledQuantity" in query and "fulfillableQuantity" not in query


def test_order_pages_through_its_lines(gateway, admin):
    admin.queue("OrderForBackorders", planner_order([line_item(1, 1)], cursor="c1"),
                planner_order([line_item(2, 2)]))

    order = gateway.order(SHOP, gid("Order", 9))

    assert [line.line_id for line in order.lines] == [gid("LineItem", 1), gid("LineItem", 2)]
    assert [v.get("after") for _, v, _ in admin.sent] == [None, "c1"]


def test_a_cancelled_order_owes_nothing(gateway, admin):
    admin.queue("OrderForBackorders", planner_order([line_item(1, 3)],
                                                    cancelled="2026-11-30T11:00:00Z"))
    assert [line.open_quantity for line in gateway.order(SHOP, gid("Order", 9)).lines] == [0]


# the state the sync diffs against


def test_states_page_through_fulfillment_orders_and_their_lines(gateway, admin):
    first_five = [fo(n, [fo_line(n * 10, n, 1)]) for n in range(1, 5)]
    first_five.append(fo(5, [fo_line(50, 5, 1)], lines_cursor="l5"))
    admin.queue("OrdersSyncState", {"nodes": [order_node(1, first_five, cursor="f5")]})
    admin.queue("FulfillmentOrderLineItems", {"fulfillmentOrder": {
        "id": gid("FulfillmentOrder", 5), "lineItems": page([fo_line(51, 6, 2)])}})
    admin.queue("OrderFulfillmentOrders", {"order": {"id": gid("Order", 1), "fulfillmentOrders":
                                                     page([fo(6, [fo_line(60, 7, 4)])])}})

    (state,) = gateway.order_states(SHOP, [gid("Order", 1)])

    assert [f.fulfillment_order_id for f in state.fulfillment_orders] == [
        gid("FulfillmentOrder", n) for n in range(1, 7)]
    fifth = state.fulfillment_orders[4]
    assert [(line.line_id, line.remaining) for line in fifth.lines] == [
        (gid("LineItem", 5), 1), (gid("LineItem", 6), 2)]
    by_operation = {name: variables for name, variables, _ in admin.sent}
    assert by_operation["OrderFulfillmentOrders"] == {"id": gid("Order", 1), "after": "f5"}
    assert by_operation["FulfillmentOrderLineItems"] == {"id": gid("FulfillmentOrder", 5),
                                                          "after": "l5"}


def test_state_reads_are_batched_and_ask_only_for_displayable_fulfillment_orders(gateway, admin):
    ids = [gid("Order", n) for n in range(1, 11)]
    admin.queue("OrdersSyncState", {"nodes": [order_node(n, []) for n in range(1, 8)]},
                {"nodes": [order_node(n, []) for n in range(8, 11)]})

    states = gateway.order_states(SHOP, ids)

    assert [s.order_id for s in states] == ids
    assert admin.operations() == ["OrdersSyncState", "OrdersSyncState"]  # no follow-up pages
    assert [len(v["ids"]) for _, v, _ in admin.sent] == [7, 3]
    assert "displayable: true" in admin.sent[0][2]


def test_closed_and_cancelled_fulfillment_orders_are_left_out(gateway, admin):
    admin.queue("OrdersSyncState", {"nodes": [order_node(1, [
        fo(1, [fo_line(1, 1, 0)], status="CLOSED", actions=()),
        fo(2, [fo_line(2, 1, 2)], status="CANCELLED", actions=()),
        fo(3, [fo_line(3, 1, 2)])])]})

    (state,) = gateway.order_states(SHOP, [gid("Order", 1)])

    assert [f.fulfillment_order_id for f in state.fulfillment_orders] == [gid("FulfillmentOrder", 3)]


def test_holds_of_others_are_counted_and_never_taken_for_ours(gateway, admin):
    admin.queue("OrdersSyncState", {"nodes": [order_node(1, [
        fo(1, [fo_line(1, 1, 2)], status="ON_HOLD", holds=[hold(1, True), hold(2, False)],
           actions=("RELEASE_HOLD", "HOLD")),
        fo(2, [fo_line(2, 1, 1)], status="ON_HOLD", holds=[hold(3, False)],
           actions=("RELEASE_HOLD",)),
        fo(3, [fo_line(3, 2, 1)], status="IN_PROGRESS", actions=("CREATE_FULFILLMENT",))])]})

    (state,) = gateway.order_states(SHOP, [gid("Order", 1)])

    first, second, third = state.fulfillment_orders
    assert (first.hold_ids, first.others_holds, first.can_hold) == (
        (gid("FulfillmentHold", 1),), 1, True)
    assert (second.hold_ids, second.others_holds, second.can_hold) == ((), 1, False)
    assert (third.hold_ids, third.others_holds, third.can_hold) == ((), 0, False)


def test_an_order_not_shown_without_read_all_orders_is_reported_hidden(client, credentials, admin):
    gateway = make_gateway(client, credentials, scopes=ALL_SCOPES - {"read_all_orders"})
    admin.queue("OrdersSyncState", {"nodes": [None, order_node(2, [])]})

    hidden, shown = gateway.order_states(SHOP, [gid("Order", 1), gid("Order", 2)])

    assert hidden.order_id == gid("Order", 1)
    assert "read_all_orders" in hidden.hidden
    assert hidden.hidden_before == datetime(2026, 10, 2, 12, 0, tzinfo=UTC)  # 60 days back
    assert shown.hidden is None


def test_an_order_not_shown_with_every_scope_granted_is_gone(gateway, admin):
    admin.queue("OrdersSyncState", {"nodes": [None]})
    assert gateway.order_states(SHOP, [gid("Order", 1)]) == []


def test_states_say_when_third_party_fulfillment_orders_are_out_of_sight(client, credentials,
                                                                          admin):
    limited = make_gateway(client, credentials, scopes=frozenset({"read_orders", "read_all_orders"}))
    admin.queue("OrdersSyncState", {"nodes": [order_node(1, [])]}, {"nodes": [order_node(1, [])]})

    (state,) = limited.order_states(SHOP, [gid("Order", 1)])
    (granted,) = make_gateway(client, credentials).order_states(SHOP, [gid("Order", 1)])

    assert "read_third_party_fulfillment_orders" in state.unseen_fulfillment_orders
    assert granted.unseen_fulfillment_orders is None


def test_the_order_of_a_fulfillment_order(gateway, admin):
    admin.queue("FulfillmentOrderOrder",
                {"fulfillmentOrder": {"id": gid("FulfillmentOrder", 3), "orderId": gid("Order", 8)}},
                {"fulfillmentOrder": None})

    assert gateway.order_of_fulfillment_order(SHOP, gid("FulfillmentOrder", 3)) == gid("Order", 8)
    assert gateway.order_of_fulfillment_order(SHOP, gid("FulfillmentOrder", 4)) is None


# writes


def payloads(admin, operation: str) -> list[dict]:
    return [v for name, v, _ in admin.sent if name == operation]


def test_our_tag_is_added_and_removed_alone_never_by_rewriting_the_list(gateway, admin):
    admin.queue("SyncOrders", {
        "w0_0": {"node": {"id": gid("Order", 1)}, "userErrors": []},
        "w1_0": {"node": {"id": gid("Order", 2)}, "userErrors": []}})

    errors = gateway.apply(SHOP, [OrderChange(gid("Order", 1), tags_add=("backordered",)),
                                  OrderChange(gid("Order", 2), tags_remove=("backordered",))])

    assert errors == {gid("Order", 1): None, gid("Order", 2): None}
    (_, variables, text) = admin.sent[0]
    assert "tagsAdd(" in text and "tagsRemove(" in text and "orderUpdate" not in print_ast(parse(text))
    assert variables == {"w0_id": gid("Order", 1), "w0_tags": ["backordered"],
                         "w1_id": gid("Order", 2), "w1_tags": ["backordered"]}
    assert gateway.counters["orders_updated"] == 2


def test_metafields_go_through_metafields_set(gateway, admin):
    admin.queue("SyncOrders", {"w0_0": {"metafields": [], "userErrors": []}})

    gateway.apply(SHOP, [OrderChange(gid("Order", 1),
                                     fields={"status": "waiting"})])

    (_, variables, text) = admin.sent[0]
    assert "metafieldsSet(" in text
    assert variables["w0_metafields"] == [{
        "ownerId": gid("Order", 1), "namespace": "$app:backorders", "key": "status",
        "type": "single_line_text_field", "value": "waiting"}]


FIVE_FIELDS = {"status": "waiting", "eta": "2026-12-20", "lines": "[]", "alternatives": "[]",
               "alternative_reasons": "[]"}


def test_several_orders_share_a_metafields_call_of_at_most_25(gateway, admin):
    admin.queue("SyncOrders", {"w0_0": {"metafields": [], "userErrors": []},
                               "w1_0": {"metafields": [], "userErrors": []}})

    errors = gateway.apply(SHOP, [OrderChange(gid("Order", n), fields=FIVE_FIELDS)
                                  for n in range(1, 7)])

    assert errors == {gid("Order", n): None for n in range(1, 7)}
    ((_, variables, text),) = admin.sent
    assert text.count("metafieldsSet(") == 2
    first, second = variables["w0_metafields"], variables["w1_metafields"]
    assert len(first) == 25 and {f["ownerId"] for f in first} == {
        gid("Order", n) for n in range(1, 6)}
    assert {f["ownerId"] for f in second} == {gid("Order", 6)}
    assert gateway.counters["metafields_updated"] == 6


def test_a_refused_metafield_fails_its_order_and_the_others_of_the_call_are_sent_again(
        gateway, admin):
    refused = {"field": ["metafields", "6", "value"], "message": "Value must be a date.",
               "code": "INVALID_VALUE", "elementIndex": 6}
    admin.queue("SyncOrders",
                {"w0_0": {"node": {"id": gid("Order", 2)}, "userErrors": []},
                 "w1_0": {"metafields": None, "userErrors": [refused]}},
                {"w0_0": {"metafields": [], "userErrors": []}})

    errors = gateway.apply(SHOP, [
        OrderChange(gid("Order", 1), fields=FIVE_FIELDS),
        OrderChange(gid("Order", 2), tags_add=("backordered",), fields=FIVE_FIELDS),
        OrderChange(gid("Order", 3), fields=FIVE_FIELDS)])

    assert "Value must be a date" in errors[gid("Order", 2)]
    assert errors[gid("Order", 1)] is None and errors[gid("Order", 3)] is None
    (_, again, text) = admin.sent[1]
    assert "tagsAdd(" not in text
    assert {f["ownerId"] for f in again["w0_metafields"]} == {gid("Order", 1), gid("Order", 3)}
    assert gateway.counters["metafields_updated"] == 2
    assert gateway.counters["orders_updated"] == 1


def test_a_whole_hold_names_no_lines_and_a_line_hold_does(gateway, admin):
    admin.queue("SyncOrders", {
        "w0_0": {"fulfillmentOrder": {"id": "x"}, "userErrors": []},
        "w1_0": {"fulfillmentHold": {"id": "h1"}, "userErrors": []},
        "w2_0": {"fulfillmentHold": {"id": "h2"}, "userErrors": []}})

    gateway.apply(SHOP, [OrderChange(
        gid("Order", 1), release=((gid("FulfillmentOrder", 1), (gid("FulfillmentHold", 1),)),),
        holds=((gid("FulfillmentOrder", 1), (), "ETA soon"),
               (gid("FulfillmentOrder", 2), ((gid("FulfillmentOrderLineItem", 5), 2),), "ETA"))
    )])

    (_, variables, text) = admin.sent[0]
    assert text.index("fulfillmentOrderReleaseHold") < text.index("fulfillmentOrderHold(")
    assert variables["w0_holdIds"] == [gid("FulfillmentHold", 1)]
    whole, lines = variables["w1_hold"], variables["w2_hold"]
    assert "fulfillmentOrderLineItems" not in whole
    assert whole["handle"] == lines["handle"] == "backorder"
    assert lines["fulfillmentOrderLineItems"] == [
        {"id": gid("FulfillmentOrderLineItem", 5), "quantity": 2}]


def test_a_hold_of_some_lines_answers_the_fulfillment_order_it_split_off(gateway, admin):
    admin.queue("SyncOrders", {
        "w0_0": {"fulfillmentHold": {"id": "h1", "handle": "backorder"},
                 "fulfillmentOrder": {"id": gid("FulfillmentOrder", 1), "status": "ON_HOLD"},
                 "remainingFulfillmentOrder": {"id": gid("FulfillmentOrder", 9)},
                 "userErrors": []},
        "w1_0": {"fulfillmentHold": {"id": "h2", "handle": "backorder"},
                 "fulfillmentOrder": {"id": gid("FulfillmentOrder", 2), "status": "ON_HOLD"},
                 "remainingFulfillmentOrder": None, "userErrors": []},
        "w2_0": {"fulfillmentHold": None, "fulfillmentOrder": None,
                 "remainingFulfillmentOrder": None, "userErrors": [{
                     "field": ["id"], "message": "Fulfillment order does not exist.",
                     "code": "FULFILLMENT_ORDER_NOT_FOUND"}]}})

    applied = gateway.apply(SHOP, [
        OrderChange(gid("Order", 1), holds=(
            (gid("FulfillmentOrder", 1), ((gid("FulfillmentOrderLineItem", 1), 1),), ""),
            (gid("FulfillmentOrder", 2), (), ""))),
        OrderChange(gid("Order", 3), holds=(
            (gid("FulfillmentOrder", 3), ((gid("FulfillmentOrderLineItem", 3), 1),), ""),))])

    assert applied[gid("Order", 1)] is None and "does not exist" in applied[gid("Order", 3)]
    assert applied.split_off == {gid("FulfillmentOrder", 1): gid("FulfillmentOrder", 9)}


def test_a_release_that_leaves_the_fulfillment_order_open_is_answered(gateway, admin):
    admin.queue("SyncOrders", {
        "w0_0": {"fulfillmentOrder": {"id": gid("FulfillmentOrder", 1), "status": "OPEN",
                                      "fulfillmentHolds": []}, "userErrors": []},
        "w1_0": {"fulfillmentOrder": {"id": gid("FulfillmentOrder", 2), "status": "ON_HOLD",
                                      "fulfillmentHolds": [{"id": "m", "handle": "merchant"}]},
                 "userErrors": []}})

    applied = gateway.apply(SHOP, [OrderChange(gid("Order", 1), release=(
        (gid("FulfillmentOrder", 1), (gid("FulfillmentHold", 1),)),
        (gid("FulfillmentOrder", 2), (gid("FulfillmentHold", 2),))))])

    assert applied.reopened == {gid("FulfillmentOrder", 1)}  # the other is still held


def test_a_refused_hold_fails_only_its_own_order(gateway, admin):
    admin.queue("SyncOrders", {
        "w0_0": {"fulfillmentHold": None, "userErrors": [{
            "field": ["fulfillmentHold", "fulfillmentOrderLineItems"],
            "message": "The fulfillment order is not in a splittable state.",
            "code": "FULFILLMENT_ORDER_NOT_SPLITTABLE"}]},
        "w1_0": {"node": {"id": gid("Order", 2)}, "userErrors": []}})

    errors = gateway.apply(SHOP, [
        OrderChange(gid("Order", 1), holds=((gid("FulfillmentOrder", 1),
                                             ((gid("FulfillmentOrderLineItem", 1), 1),), ""),)),
        OrderChange(gid("Order", 2), tags_add=("backordered",))])

    assert "not in a splittable state" in errors[gid("Order", 1)]
    assert errors[gid("Order", 2)] is None


# bulk writes

UPLOAD = "https://uploads.test/staged"
RESULTS = "https://results.test/1.jsonl"


def staged_target(admin, http) -> None:
    """The store stages one upload, and its upload target takes the file."""
    admin.queue("StagedUploadsCreate", {"stagedUploadsCreate": {"userErrors": [], "stagedTargets": [{
        "url": UPLOAD, "resourceUrl": UPLOAD + "/k",
        "parameters": [{"name": "key", "value": "tmp/1/bulk/k/tags_add.jsonl"}]}]}})
    http.add(responses.POST, UPLOAD, status=201)


def test_a_backlog_goes_in_bulk_and_a_refused_line_is_sent_again_paced(client, credentials,
                                                                        admin, http):
    gateway = make_gateway(client, credentials, bulk_after_s=0.01)
    staged_target(admin, http)
    admin.queue("BulkOperationRunMutation", {"bulkOperationRunMutation": {
        "bulkOperation": {"id": gid("BulkOperation", 1), "status": "CREATED"}, "userErrors": []}})
    admin.queue("BulkOperationStatus", {"node": {"id": gid("BulkOperation", 1), "status": "RUNNING",
                                                 "errorCode": None, "objectCount": "0", "url": None}},
                {"node": {"id": gid("BulkOperation", 1), "status": "COMPLETED", "errorCode": None,
                          "objectCount": "2", "url": RESULTS}})
    http.add(responses.GET, RESULTS, body="\n".join(json.dumps(line) for line in [
        {"data": {"tagsAdd": {"node": {"id": gid("Order", 1)}, "userErrors": []}},
         "__lineNumber": 0},
        {"data": {"tagsAdd": {"node": None, "userErrors": [{"field": ["id"],
                                                             "message": "try later"}]}},
         "__lineNumber": 1}]))
    admin.queue("SyncOrders", {"w0_0": {"node": {"id": gid("Order", 2)}, "userErrors": []}})

    errors = gateway.apply(SHOP, [OrderChange(gid("Order", n), tags_add=("backordered",))
                                  for n in (1, 2)])

    assert errors == {gid("Order", 1): None, gid("Order", 2): None}
    assert admin.operations() == ["StagedUploadsCreate", "BulkOperationRunMutation",
                                  "BulkOperationStatus", "BulkOperationStatus", "SyncOrders"]
    (uploaded,) = [call.request.body for call in http.calls if call.request.url == UPLOAD]
    assert b"tmp/1/bulk/k/tags_add.jsonl" in uploaded and uploaded.count(b'"backordered"') == 2
    run = payloads(admin, "BulkOperationRunMutation")[0]
    assert run["stagedUploadPath"] == "tmp/1/bulk/k/tags_add.jsonl"
    assert run["mutation"].lstrip().startswith(("mutation", "#")) and "tagsAdd(" in run["mutation"]
    assert payloads(admin, "SyncOrders") == [{"w0_id": gid("Order", 2), "w0_tags": ["backordered"]}]
    assert gateway.counters["orders_updated"] == 2


def test_a_bulk_operation_that_fails_leaves_its_writes_to_the_paced_path(client, credentials,
                                                                          admin, http):
    gateway = make_gateway(client, credentials, bulk_after_s=0.01)
    staged_target(admin, http)
    admin.queue("BulkOperationRunMutation", {"bulkOperationRunMutation": {
        "bulkOperation": None, "userErrors": [{"field": None, "code": "LIMIT_REACHED",
                                               "message": "Bulk operations limit reached."}]}})
    admin.queue("SyncOrders", {"w0_0": {"node": {"id": gid("Order", 1)}, "userErrors": []},
                               "w1_0": {"node": {"id": gid("Order", 2)}, "userErrors": []}})

    errors = gateway.apply(SHOP, [OrderChange(gid("Order", n), tags_add=("backordered",))
                                  for n in (1, 2)])

    assert errors == {gid("Order", 1): None, gid("Order", 2): None}
    assert admin.operations()[-1] == "SyncOrders"
    assert gateway.counters["orders_updated"] == 2


# the catalog export


def test_the_catalog_export_reads_children_that_come_before_their_parent(gateway, admin, http):
    product = gid("Product", 1)
    rows = [
        {"id": gid("ProductVariant", 11), "title": "S", "sku": "T-S", "price": "10.00",
         "inventoryPolicy": "DENY", "selectedOptions": [{"name": "Size", "value": "S"}],
         "inventoryItem": {"id": gid("InventoryItem", 11), "tracked": False}, "__parentId": product},
        {"id": gid("Collection", 7), "__parentId": product},
        {"id": product, "title": "Tee", "status": "ACTIVE", "productType": "Shirts",
         "vendor": "Acme", "tags": ["cotton"], "metafield": None},
    ]
    admin.queue("CatalogBulkRun", {"bulkOperationRunQuery": {
        "bulkOperation": {"id": "gid://shopify/BulkOperation/1", "status": "CREATED"},
        "userErrors": []}})
    admin.queue("BulkOperationStatus", {"node": {
        "id": "gid://shopify/BulkOperation/1", "status": "COMPLETED", "errorCode": None,
        "objectCount": "3", "url": "https://storage.example/export.jsonl"}})
    http.get("https://storage.example/export.jsonl", body="\n".join(json.dumps(r) for r in rows))

    (variant,) = gateway.catalog(SHOP)

    assert (variant.product_title, variant.vendor, variant.collections, variant.tracked) == (
        "Tee", "Acme", (gid("Collection", 7),), False)
