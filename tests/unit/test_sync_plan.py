"""The sync's difference between what an order should show and what it shows."""

from __future__ import annotations

from app.services.ports import FulfillmentOrderLine as FoLine
from app.services.ports import FulfillmentOrderState as Fo
from app.services.ports import OrderState
from app.services.sync import metafields_only, needs_read, plan_change

DESIRED = {
    "tags": ["backordered"],
    "metafields": {"status": ["single_line_text_field", "partially_ready"]},
    "holds": {"L1": 2},
    "hold_note": "Backordered, expected to ship 2026-12-01",
}


def state(tags=("vip",), fos=()) -> OrderState:
    return OrderState("O1", tuple(tags), tuple(fos))


def test_everything_missing_is_written_and_merchant_tags_are_kept():
    open_fo = Fo("FO1", "OPEN", (FoLine("FOL1", "L1", 3), FoLine("FOL2", "L2", 1)), ())
    change, awaiting = plan_change("O1", DESIRED, state(fos=[open_fo]))
    assert change.tags == ("backordered", "vip")
    assert change.metafields == {"status": ("single_line_text_field", "partially_ready")}
    assert change.holds == (("FO1", (("FOL1", 2),), DESIRED["hold_note"]),)
    assert change.release == () and not awaiting


def test_nothing_is_sent_when_the_store_already_shows_it():
    held = Fo("FO1", "ON_HOLD", (FoLine("FOL1", "L1", 2),), ("H1",))
    rest = Fo("FO2", "OPEN", (FoLine("FOL3", "L1", 1),), ())
    shown = state(tags=("backordered", "vip"), fos=[held, rest])
    change, awaiting = plan_change("O1", DESIRED, shown, applied=DESIRED)
    assert change.is_empty() and not awaiting


def test_a_new_eta_alone_needs_no_read_and_sends_only_the_metafield():
    later = {**DESIRED, "metafields": {"status": ["single_line_text_field", "waiting"]}}
    assert not needs_read(later, DESIRED)
    change = metafields_only("O1", later, DESIRED)
    assert change.metafields == {"status": ("single_line_text_field", "waiting")}
    assert change.tags is None and change.holds == () and change.release == ()


def test_a_new_hold_quantity_or_tag_or_first_sync_needs_a_read():
    assert needs_read({**DESIRED, "holds": {"L1": 1}}, DESIRED)
    assert needs_read({**DESIRED, "tags": []}, DESIRED)
    assert needs_read(DESIRED, {})
    assert needs_read(DESIRED, {"written": True})
    assert needs_read(DESIRED, {**DESIRED, "awaiting_fulfillment_orders": True})


def test_a_changed_quantity_releases_and_holds_again():
    held = Fo("FO1", "ON_HOLD", (FoLine("FOL1", "L1", 2),), ("H1",))
    rest = Fo("FO2", "OPEN", (FoLine("FOL3", "L1", 1),), ())
    change, _ = plan_change("O1", {**DESIRED, "holds": {"L1": 1}}, state(fos=[held, rest]))
    assert change.release == (("FO1", ("H1",)),)
    assert change.holds == (("FO1", (("FOL1", 1),), DESIRED["hold_note"]),)


def test_filled_order_releases_its_hold_and_drops_only_our_tag():
    held = Fo("FO1", "ON_HOLD", (FoLine("FOL1", "L1", 2),), ("H1",))
    filled = {"tags": [], "metafields": {}, "holds": {}, "hold_note": ""}
    change, _ = plan_change("O1", filled, state(tags=("backordered", "vip"), fos=[held]))
    assert change.tags == ("vip",)
    assert change.release == (("FO1", ("H1",)),) and change.holds == ()


def test_a_merchant_hold_is_never_released():
    merchant = Fo("FO1", "ON_HOLD", (FoLine("FOL1", "L1", 3),), ())  # no hold of ours on it
    change, _ = plan_change("O1", DESIRED, state(fos=[merchant]))
    assert change.release == ()
    assert change.holds == (("FO1", (("FOL1", 2),), DESIRED["hold_note"]),)


def test_no_fulfillment_order_yet_means_waiting_for_one():
    change, awaiting = plan_change("O1", DESIRED, state())
    assert change.holds == () and awaiting
