"""`FulfillmentOrder.supportedActions`: what can be done to a fulfillment order in its state
(schema, `FulfillmentOrderAction`).

- OPEN: fulfil (merchant-managed: CREATE_FULFILLMENT, REPORT_PROGRESS; fulfillment service:
  REQUEST_FULFILLMENT), HOLD, MOVE when there is another location, SPLIT when it has more than
  one unit, MERGE when the order has another open fulfillment order it could join.
- ON_HOLD: RELEASE_HOLD, and HOLD (holds stack since 2025-01). A held fulfillment order cannot be
  split (schema, `FulfillmentOrderHoldInput.fulfillmentOrderLineItems`: "not in a splittable
  state"), moved, merged or fulfilled (fact 8).
- IN_PROGRESS: CREATE_FULFILLMENT, REPORT_PROGRESS, MARK_AS_OPEN.
- CLOSED, CANCELLED, INCOMPLETE: nothing."""

from __future__ import annotations

from .fulfillment_orders import of_order
from .model import FulfillmentOrder, Shop


def supported_actions(shop: Shop, fo: FulfillmentOrder) -> list[str]:
    if fo.status == "ON_HOLD":
        return ["RELEASE_HOLD", "HOLD"]
    if fo.status == "IN_PROGRESS":
        return ["CREATE_FULFILLMENT", "REPORT_PROGRESS", "MARK_AS_OPEN"]
    if fo.status != "OPEN":
        return []
    location = shop.locations.get(fo.location_id)
    third_party = location is not None and location.fulfillment_service
    actions = ["REQUEST_FULFILLMENT"] if third_party else ["CREATE_FULFILLMENT", "REPORT_PROGRESS"]
    actions.append("HOLD")
    if sum(1 for loc in shop.locations.values() if loc.active) > 1:
        actions.append("MOVE")
    if fo.remaining > 1:
        actions.append("SPLIT")
    if merge_partners(shop, fo):
        actions.append("MERGE")
    return actions


def merge_partners(shop: Shop, fo: FulfillmentOrder) -> list[FulfillmentOrder]:
    """Other open fulfillment orders of the same order, location and delivery method."""
    return [other for other in of_order(shop, fo.order_id)
            if other.id != fo.id and other.status == "OPEN"
            and other.location_id == fo.location_id and other.delivery == fo.delivery]
