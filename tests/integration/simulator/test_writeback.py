"""Write-back through the store simulator: what the store shows after the app has worked, read
from the simulator's own state (tags, our metafields, fulfillment orders and holds)."""

from __future__ import annotations

import json
import re

import requests
from sqlalchemy import select

from app.storage.tables import OrderLine
from tests.integration.helpers import queue_position

SMALL, MEDIUM, LARGE = 1, 2, 3  # the sizes of one product in the apparel catalog


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def line_ids(harness, order_id: int) -> list[int]:
    return [line["id"] for line in harness.order(order_id)["line_items"]]


def short_in_part(harness) -> tuple[int, int, int, int]:
    """An order of 3 units of a variant with 1 on hand, and 2 of one with plenty: (order, the
    short variant, its line, the other line), once the app has worked."""
    short = harness.oversell(SMALL, available=1)
    other = harness.variants[LARGE]
    harness.store.set_stock(harness.shop, other, 50)
    order = harness.sell((short, 3), (other, 2))
    harness.settle()
    return order, short, *line_ids(harness, order)


def test_oversold_order_is_tagged_described_and_held_on_exactly_its_short_lines(harness):
    order, _, short_line, other_line = short_in_part(harness)
    state = harness.order(order)
    assert state["tags"] == ["backordered"]
    meta = harness.metafields(order)
    assert meta["status"] == "partially_ready"
    lines = {entry["line_id"]: entry for entry in json.loads(meta["lines"])}
    assert (lines[gid("LineItem", short_line)]["ready"],
            lines[gid("LineItem", short_line)]["backordered"]) == (1, 2)
    assert lines[gid("LineItem", other_line)]["backordered"] == 0
    assert meta["eta"] == lines[gid("LineItem", short_line)]["eta"]
    assert gid("ProductVariant", harness.variants[LARGE]) in json.loads(meta["alternatives"])  # in stock
    assert {m["namespace"] for m in state["metafields"]} == {"app--1--backorders"}

    assert harness.held(order) == {short_line: 2}
    fos = sorted(state["fulfillment_orders"], key=lambda fo: fo["status"])
    assert [fo["status"] for fo in fos] == ["ON_HOLD", "OPEN"]  # the partial hold split it
    held, rest = fos
    assert [(h["handle"], h["reason"]) for h in held["holds"]] == [("backorder", "INVENTORY_OUT_OF_STOCK")]
    assert {(line["line_item_id"], line["remaining"]) for line in held["lines"]} == {(short_line, 2)}
    assert {(line["line_item_id"], line["remaining"]) for line in rest["lines"]} == {
        (short_line, 1), (other_line, 2)}


def test_more_units_owed_are_held_beside_our_hold_without_releasing_it(harness):
    """A count correction takes the unit the order was covered by: the third unit is held on the
    fulfillment order our first hold split off, and that hold stays."""
    order, short, short_line, _ = short_in_part(harness)
    assert harness.held(order) == {short_line: 2}

    harness.tick()
    harness.store.set_stock(harness.shop, short, -3)
    harness.settle()

    assert harness.held(order) == {short_line: 3}
    assert harness.services.shopify_gateway.counters["holds_released"] == 0
    fos = harness.order(order)["fulfillment_orders"]
    held = sorted(sum(line["remaining"] for line in fo["lines"]) for fo in fos
                  if fo["status"] == "ON_HOLD")
    assert held == [1, 2]  # the first hold as it was, and one beside it


def test_an_order_short_on_every_unit_is_held_whole(harness):
    short = harness.oversell(SMALL, available=0)
    order = harness.sell((short, 2))
    harness.settle()
    (fo,) = harness.order(order)["fulfillment_orders"]
    assert fo["status"] == "ON_HOLD" and len(fo["holds"]) == 1
    assert harness.metafields(order)["status"] == "waiting"


def test_restock_releases_the_hold_and_updates_tag_and_metafields(harness):
    short = harness.oversell(SMALL, available=0)
    first = harness.sell((short, 2))
    second = harness.sell((short, 1))
    harness.settle()
    assert harness.held(first) == {line_ids(harness, first)[0]: 2}
    assert harness.held(second) == {line_ids(harness, second)[0]: 1}

    harness.receive(short, 2)  # inventory_levels/update: enough for the first in line only
    harness.settle()
    assert harness.held(first) == {}
    assert harness.order(first)["tags"] == []
    assert all(not fo["holds"] for fo in harness.order(first)["fulfillment_orders"])
    meta = harness.metafields(first)
    assert meta["status"] == "ready"
    assert json.loads(meta["lines"])[0]["backordered"] == 0
    assert json.loads(meta["alternatives"]) == []
    assert harness.held(second) == {line_ids(harness, second)[0]: 1}  # still waiting
    assert harness.order(second)["tags"] == ["backordered"]
    assert json.loads(harness.metafields(second)["lines"])[0]["backordered"] == 1
    with harness.services.db.transaction() as s:  # first in line now (kept in the app, not sent)
        line = gid("LineItem", line_ids(harness, second)[0])
        row = s.scalars(select(OrderLine).where(OrderLine.line_id == line)).one()
        assert queue_position(s, row) == 1


def test_cancellation_frees_units_for_the_next_in_line(harness):
    """Of all the store sends on a cancel (orders/cancelled, refunds/create, orders/updated and the
    stock it puts back), only orders/cancelled has arrived; the stock updates of the sales are
    late too. The cancelled order owes nothing now, and the next in line gets its units."""
    late = ("inventory_levels/update", "orders/updated")
    short = harness.oversell(SMALL, available=2)
    harness.settle()  # the app has read the two units
    first = harness.sell((short, 2))
    second = harness.sell((short, 2))
    harness.settle(hold=late)
    assert harness.order(first)["tags"] == [] and harness.held(first) == {}
    assert harness.held(second) == {line_ids(harness, second)[0]: 2}

    harness.cancel(first)
    harness.settle(hold=late)
    assert harness.held(second) == {}
    assert harness.order(second)["tags"] == []
    assert harness.metafields(second)["status"] == "ready"
    assert harness.order(second)["fulfillment_orders"][0]["status"] == "OPEN"

    harness.settle()  # the late deliveries come: they agree, nothing moves
    assert harness.held(second) == {} and harness.order(second)["tags"] == []
    with harness.services.db.transaction() as s:
        rows = s.scalars(select(OrderLine).where(OrderLine.line_id.in_(
            [gid("LineItem", line_ids(harness, order)[0]) for order in (first, second)])))
        owed = {row.order_id: (row.open_quantity, row.covered) for row in rows}
    assert owed == {gid("Order", first): (0, 0), gid("Order", second): (2, 2)}


def test_an_order_never_short_shows_nothing_of_ours_and_costs_no_write(harness):
    short = harness.oversell(SMALL, available=1)
    covered = harness.sell((short, 1))
    harness.settle()
    state = harness.order(covered)
    assert (state["tags"], state["metafields"], harness.held(covered)) == ([], [], {})
    assert harness.services.shopify_gateway.counters["orders_updated"] == 0

    waiting = harness.sell((short, 1))  # the next one is short: written as usual
    harness.settle()
    assert harness.order(waiting)["tags"] == ["backordered"]
    assert harness.order(covered)["metafields"] == []
    assert harness.services.shopify_gateway.counters["orders_updated"] == 1


class MutationLog(requests.Session):
    """The HTTP edge, noting the root fields of every mutation the app sends, in order."""

    def __init__(self):
        super().__init__()
        self.roots: list[set[str]] = []

    def post(self, url, json=None, **kwargs):
        query = (json or {}).get("query", "")
        if query.lstrip().startswith("mutation"):
            self.roots.append(set(re.findall(r"\b(fulfillmentOrderHold|tagsAdd|metafieldsSet)\(",
                                             query)))
        return super().post(url, json=json, **kwargs)


def test_a_burst_has_every_hold_placed_before_any_field(harness):
    """Holds matter most: a short line must not be picked while fields wait. Our tag goes with
    its hold (both need the same read of the store), and the fields follow without a read."""
    small = harness.oversell(1, available=0)
    log = harness.services.admin_client.session = MutationLog()
    orders = [harness.sell((small, 1)) for _ in range(8)]
    harness.settle()
    holds = [n for n, roots in enumerate(log.roots) if "fulfillmentOrderHold" in roots]
    fields = [n for n, roots in enumerate(log.roots) if "metafieldsSet" in roots]
    assert holds and fields and max(holds) < min(fields)
    for order in orders:
        assert harness.order(order)["tags"] == ["backordered"]
        assert harness.held(order) == {harness.order(order)["line_items"][0]["id"]: 1}
