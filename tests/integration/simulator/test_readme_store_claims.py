"""README, "What the store shows", read from the simulator's own state: the app-owned metafields
are defined on install, and our hold carries the ETA in its notes."""

from __future__ import annotations

import json

SMALL = 1


def test_the_order_metafields_are_defined_on_install(harness):
    """Defined before any order needs them, so they show on the order page; with them the
    variants' ships-by date for the product page."""
    state = harness.store.state(harness.shop)
    defined = {(d["owner_type"], d["key"]): d["type"] for d in state["metafield_definitions"]
               if d["namespace"] == "app--1--backorders"}
    assert set(defined) == {("ORDER", key) for key in
                            ("status", "eta", "lines", "alternatives", "alternative_reasons")} \
        | {("PRODUCTVARIANT", "ships_by")}
    assert defined[("PRODUCTVARIANT", "ships_by")] == "date"
    assert defined[("ORDER", "eta")] == "date"
    assert defined[("ORDER", "alternatives")] == "list.variant_reference"
    assert defined[("ORDER", "lines")] == defined[("ORDER", "alternative_reasons")] == "json"


def test_our_hold_names_the_eta_in_its_notes(harness):
    short = harness.oversell(SMALL, available=0)
    order = harness.sell((short, 2))
    harness.settle()
    eta = harness.metafields(order)["eta"]
    (fo,) = harness.order(order)["fulfillment_orders"]
    (hold,) = fo["holds"]
    assert (hold["handle"], hold["reason"], hold["by_app"]) == (
        "backorder", "INVENTORY_OUT_OF_STOCK", True)
    assert eta in hold["reason_notes"]
    assert json.loads(harness.metafields(order)["lines"])[0]["eta"] == eta
