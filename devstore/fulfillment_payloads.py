"""Webhook bodies of the fulfillment_orders/* topics, shaped like the 2026-07 samples: fulfillment
orders and their line items by GID with lowercase statuses, except `merged`, whose merge intents
carry numeric ids as the sample does."""

from __future__ import annotations

from .model import FulfillmentOrder, Hold, gid


def fulfillment_order_brief(fo: FulfillmentOrder | None) -> dict | None:
    if fo is None:
        return None
    return {"id": gid("FulfillmentOrder", fo.id), "status": fo.status.lower()}


def _located(fo: FulfillmentOrder) -> dict:
    return {**fulfillment_order_brief(fo), "assigned_location_id": gid("Location", fo.location_id)}


def hold_payload(hold: Hold, app_id: int) -> dict:
    return {
        "id": gid("FulfillmentHold", hold.id),
        "reason": hold.reason.lower(),
        "reason_notes": hold.reason_notes,
        "handle": hold.handle,
        "held_by_requesting_app": hold.app_id == app_id,
        "held_by_app": {"id": gid("App", hold.app_id)} if hold.app_id else None,
    }


def _line_quantities(pairs: list[tuple[int, int]]) -> list[dict]:
    return [{"id": gid("FulfillmentOrderLineItem", line_id), "quantity": quantity} for line_id, quantity in pairs]


def split_payload(fo: FulfillmentOrder, remaining: FulfillmentOrder, moved: list[tuple[int, int]]) -> dict:
    return {"split_line_items": _line_quantities(moved),
            "fulfillment_order": fulfillment_order_brief(fo),
            "remaining_fulfillment_order": fulfillment_order_brief(remaining),
            "replacement_fulfillment_order": None}


def placed_on_hold_payload(fo: FulfillmentOrder, hold: Hold, remaining: FulfillmentOrder | None,
                           held: list[tuple[int, int]], app_id: int) -> dict:
    return {"fulfillment_order": {**fulfillment_order_brief(fo),
                                  "fulfillment_holds": [hold_payload(h, app_id) for h in fo.holds]},
            "remaining_fulfillment_order": fulfillment_order_brief(remaining),
            "held_fulfillment_order_line_items": _line_quantities(held),
            "created_fulfillment_hold": hold_payload(hold, app_id)}


def hold_released_payload(fo: FulfillmentOrder) -> dict:
    return {"fulfillment_order": fulfillment_order_brief(fo)}


def moved_payload(original: FulfillmentOrder, moved: FulfillmentOrder, requested: list[tuple[int, int]],
                  source_location_id: int) -> dict:
    return {"original_fulfillment_order": _located(original),
            "moved_fulfillment_order": _located(moved),
            "destination_location_id": gid("Location", moved.location_id),
            "fulfillment_order_line_items_requested": _line_quantities(requested),
            "source_location": {"id": gid("Location", source_location_id)}}


def merged_payload(target: FulfillmentOrder, intents: list[dict]) -> dict:
    return {"merge_intents": intents, "fulfillment_order_merges": {"fulfillment_order": fulfillment_order_brief(target)}}
