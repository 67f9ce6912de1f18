"""The records of what our own writes made, kept until the platform announces it (pure)."""

from __future__ import annotations

from app.services import own_changes
from app.services.ports import FulfillmentOrderLine, FulfillmentOrderSplit, FulfillmentOrderState

FO, OTHER = "gid://shopify/FulfillmentOrder/1", "gid://shopify/FulfillmentOrder/2"
REST = "gid://shopify/FulfillmentOrder/9"


def fo(fo_id: str, *lines: tuple[str, int], others_holds: int = 0) -> FulfillmentOrderState:
    return FulfillmentOrderState(fo_id, "ON_HOLD" if others_holds else "OPEN",
                                 tuple(FulfillmentOrderLine(f, f"L{f}", n) for f, n in lines),
                                 ("ours",), others_holds)


def test_a_hold_of_some_lines_moves_the_rest_and_a_release_reopens_what_nobody_else_holds():
    coming = own_changes.expected(
        holds=[(FO, (("a", 2),), ""), (OTHER, (), "")],
        release=[(FO, ("h",)), (OTHER, ("h",))],
        fulfillment_orders=[fo(FO, ("a", 3), ("b", 2)), fo(OTHER, ("c", 1), others_holds=1)])
    assert coming == own_changes.Expected(splits=((FO, (1, 2)),), releases=(FO,))


def test_what_the_platform_did_not_make_is_dropped_and_what_it_did_is_kept_until_a_read():
    coming = own_changes.Expected(splits=((FO, (1,)), (OTHER, (2,))), releases=(FO, OTHER))
    applied = own_changes.before_write({"holds": {}}, coming)
    answered = own_changes.answered(applied, {FO: REST}, {FO}, read=False)
    assert answered[own_changes.SPLITS] == [{"fulfillment_order": FO, "units": [1],
                                             "split_off": REST}]
    assert answered[own_changes.RELEASES] == [{"fulfillment_order": FO, "answered": True}]
    assert own_changes.answered(answered, {}, set(), read=False) == answered
    assert own_changes.answered(answered, {}, set(), read=True) == {"holds": {}}


def test_only_exactly_our_split_is_ours():
    applied = own_changes.answered(
        own_changes.before_write({}, own_changes.Expected(splits=((FO, (1, 2)),))),
        {FO: REST}, set(), read=False)
    assert own_changes.without_ours(applied, FulfillmentOrderSplit(FO, REST, (2, 1))) == {}
    for other in (FulfillmentOrderSplit(FO, REST, (3,)),
                  FulfillmentOrderSplit(FO, OTHER, (1, 2)),
                  FulfillmentOrderSplit(REST, OTHER, (1, 2)),
                  FulfillmentOrderSplit(FO, REST, (1, 2), replaced=True)):
        assert own_changes.without_ours(applied, other) is None
    assert own_changes.without_ours(applied, released=FO) is None
