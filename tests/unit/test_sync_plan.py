"""The sync's difference between what an order should show and what it shows."""

from __future__ import annotations

from dataclasses import replace

from app.domain.writeback import DesiredState
from app.services.ports import FulfillmentOrderLine as FoLine
from app.services.ports import FulfillmentOrderState as Fo
from app.services.ports import OrderState
from app.services.sync import fields_only, needs_read, plan_change

DESIRED = DesiredState(tags=("backordered",), fields={"status": "partially_ready"},
                       holds={"L1": 2}, hold_note="Backordered, expected to ship 2026-12-01")
APPLIED = DESIRED.as_dict()  # as the sync stores what it applied


def state(tags=("vip",), fos=()) -> OrderState:
    return OrderState("O1", tuple(tags), tuple(fos))


def test_everything_missing_is_written_and_merchant_tags_are_kept():
    open_fo = Fo("FO1", "OPEN", (FoLine("FOL1", "L1", 3), FoLine("FOL2", "L2", 1)), ())
    planned = plan_change("O1", DESIRED, state(fos=[open_fo]))
    change = planned.change
    assert (change.tags_add, change.tags_remove) == (("backordered",), ())
    assert change.fields == {"status": "partially_ready"}
    assert change.holds == (("FO1", (("FOL1", 2),), DESIRED.hold_note),)
    assert change.release == () and not planned.awaiting


def test_nothing_is_sent_when_the_store_already_shows_it():
    held = Fo("FO1", "ON_HOLD", (FoLine("FOL1", "L1", 2),), ("H1",))
    rest = Fo("FO2", "OPEN", (FoLine("FOL3", "L1", 1),), ())
    shown = state(tags=("backordered", "vip"), fos=[held, rest])
    planned = plan_change("O1", DESIRED, shown, applied=APPLIED)
    assert planned.change.is_empty() and not planned.awaiting


def test_a_new_eta_alone_needs_no_read_and_sends_only_the_field():
    later = replace(DESIRED, fields={"status": "waiting"})
    assert not needs_read(later, APPLIED)
    change = fields_only("O1", later, APPLIED)
    assert change.fields == {"status": "waiting"}
    assert change.tags_add == change.tags_remove == () and change.holds == () == change.release


def test_our_tag_alone_goes_without_a_read():
    """tagsAdd and tagsRemove leave the other tags alone and do nothing when there is nothing
    to do: the tag needs no read of the store, only what was last applied."""
    cleared = replace(DESIRED, tags=(), holds={}, hold_note="")
    applied = {**APPLIED, "holds": {}}
    assert not needs_read(cleared, applied)
    change = fields_only("O1", cleared, applied)
    assert (change.tags_add, change.tags_remove) == ((), ("backordered",))
    new = fields_only("O1", DESIRED, {**APPLIED, "tags": []})
    assert (new.tags_add, new.tags_remove) == (("backordered",), ())


def test_a_new_hold_quantity_or_first_sync_needs_a_read():
    assert needs_read(replace(DESIRED, holds={"L1": 1}), APPLIED)
    assert needs_read(DESIRED, {})
    assert needs_read(DESIRED, {"written": True})
    assert needs_read(DESIRED, {**APPLIED, "awaiting_fulfillment_orders": True})
    assert needs_read(DESIRED, {**APPLIED, "holds_deferred": ["held by the merchant"]})
    assert needs_read(DESIRED, {**APPLIED, "recheck": True})


def test_a_changed_quantity_releases_and_holds_again():
    held = Fo("FO1", "ON_HOLD", (FoLine("FOL1", "L1", 2),), ("H1",))
    rest = Fo("FO2", "OPEN", (FoLine("FOL3", "L1", 1),), ())
    change = plan_change("O1", replace(DESIRED, holds={"L1": 1}), state(fos=[held, rest])).change
    assert change.release == (("FO1", ("H1",)),)
    assert change.holds == (("FO1", (("FOL1", 1),), DESIRED.hold_note),)


def test_more_units_owed_are_held_beside_ours_without_a_release():
    """A sale only takes units away: our hold of 2 stays, the third unit is held on the
    fulfillment order our hold split off (one write, where a release and two holds take three)."""
    held = Fo("FO1", "ON_HOLD", (FoLine("FOL1", "L1", 2),), ("H1",))
    rest = Fo("FO2", "OPEN", (FoLine("FOL3", "L1", 1), FoLine("FOL4", "L2", 2)), ())
    planned = plan_change("O1", replace(DESIRED, holds={"L1": 3}), state(fos=[held, rest]))
    assert planned.change.release == ()
    assert planned.change.holds == (("FO2", (("FOL3", 1),), DESIRED.hold_note),)
    assert not planned.awaiting and planned.notes == ()


def test_filled_order_releases_its_hold_and_drops_only_our_tag():
    held = Fo("FO1", "ON_HOLD", (FoLine("FOL1", "L1", 2),), ("H1",))
    filled = DesiredState()
    change = plan_change("O1", filled, state(tags=("backordered", "vip"), fos=[held])).change
    assert (change.tags_add, change.tags_remove) == ((), ("backordered",))
    assert change.release == (("FO1", ("H1",)),) and change.holds == ()


def test_no_fulfillment_order_yet_means_waiting_for_one():
    planned = plan_change("O1", DESIRED, state())
    assert planned.change.holds == () and planned.awaiting and planned.notes == ()


def test_waiting_for_fulfillment_orders_the_app_may_not_see_says_why():
    hidden = OrderState("O1", (), (), unseen_fulfillment_orders="needs read_third_party")
    planned = plan_change("O1", DESIRED, hidden)
    assert planned.awaiting and planned.notes == ("needs read_third_party",)


def test_every_unit_owed_on_one_fulfillment_order_is_one_whole_hold():
    fo = Fo("FO1", "OPEN", (FoLine("FOL1", "L1", 2),), ())
    change = plan_change("O1", DESIRED, state(fos=[fo])).change
    assert change.holds == (("FO1", (), DESIRED.hold_note),)


def test_a_merchant_hold_is_never_released_and_a_wholly_owed_one_gets_ours_too():
    merchant = Fo("FO1", "ON_HOLD", (FoLine("FOL1", "L1", 2),), (), others_holds=1)
    planned = plan_change("O1", DESIRED, state(fos=[merchant]))
    assert planned.change.release == ()
    assert planned.change.holds == (("FO1", (), DESIRED.hold_note),)  # whole: no line items
    assert planned.notes == () and not planned.awaiting


def test_owed_units_are_held_where_nobody_else_holds_first():
    merchant = Fo("FO1", "ON_HOLD", (FoLine("FOL1", "L1", 3),), (), others_holds=1)
    free = Fo("FO2", "OPEN", (FoLine("FOL2", "L1", 2), FoLine("FOL3", "L2", 1)), ())
    planned = plan_change("O1", DESIRED, state(fos=[merchant, free]))
    assert planned.change.holds == (("FO2", (("FOL2", 2),), DESIRED.hold_note),)
    assert planned.notes == ()


def test_a_partly_owed_fulfillment_order_held_by_others_is_left_with_the_reason():
    merchant = Fo("FO1", "ON_HOLD", (FoLine("FOL1", "L1", 3), FoLine("FOL2", "L2", 1)), (),
                  others_holds=1)
    planned = plan_change("O1", DESIRED, state(fos=[merchant]))
    assert planned.change.holds == () and planned.change.release == ()
    assert not planned.awaiting
    assert len(planned.notes) == 1 and "FO1" in planned.notes[0]
    assert "held by the merchant or another app" in planned.notes[0]


def test_our_hold_beside_a_merchant_hold_is_released_when_only_part_stays_owed():
    both = Fo("FO1", "ON_HOLD", (FoLine("FOL1", "L1", 3),), ("H1",), others_holds=1)
    planned = plan_change("O1", replace(DESIRED, holds={"L1": 1}), state(fos=[both]))
    assert planned.change.release == (("FO1", ("H1",)),)  # ours only; theirs stays
    assert planned.change.holds == ()
    assert planned.notes and not planned.awaiting


def test_a_fulfillment_order_that_accepts_no_hold_is_left_with_the_reason():
    busy = Fo("FO1", "IN_PROGRESS", (FoLine("FOL1", "L1", 2),), (), can_hold=False)
    planned = plan_change("O1", DESIRED, state(fos=[busy]))
    assert planned.change.holds == () and not planned.awaiting
    assert "IN_PROGRESS" in planned.notes[0]
