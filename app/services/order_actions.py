"""What the merchant does to whole orders from the admin, besides priorities: release the app's
holds, take that back, and send the customer an update.

- **Release**: the merchant ships the owed units anyway (stock the app does not count, a
  substitute agreed by phone, a partial shipment). The order is marked, so planning holds
  nothing on it however often it plans, and the sync lifts the holds it placed; the units stay
  owed in the queue. **Hold again** takes the mark off and the holds come back.
- **Notify**: the customer is sent the order's date as it stands now, through the ETA-changed
  notice (the Flow trigger the merchant's workflow already answers), by the same desired-state
  sync as every notice: the order's count of asked updates goes up by one, the notice is keyed
  by that count, so a retried sync sends it once. Asking again before it went out asks nothing
  more.

Each is idempotent (an order already in the state asked for is left alone and not recorded
again) and each change is recorded with who did it and when, for the order view. A request
naming a line that does not exist changes nothing (all or none)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.domain.errors import BadParameter, Conflict, NotFound
from app.domain.notices import ETA_CHANGED, Told
from app.services.planning import Planning, shop_policy
from app.services.sync import TOLD
from app.storage import customer_actions as customer_action_store
from app.storage import order_actions as action_store
from app.storage.db import Tx
from app.storage.tables import OrderAction

MAX_BULK_LINES = 200
RELEASE, HOLD, NOTIFY = "release", "hold", "notify"


def bulk_line_ids(value: Any) -> bool:
    """Whether a bulk action's `line_ids` is a list of 1 to MAX_BULK_LINES ids, each text a
    database can hold (no NUL: PostgreSQL refuses it)."""
    return isinstance(value, list) and 1 <= len(value) <= MAX_BULK_LINES and all(
        isinstance(x, str) and 0 < len(x) <= 100 and "\x00" not in x for x in value)


def line_ids(body: Any) -> list[str]:
    """The bulk actions' body: {"line_ids": [...]}; anything else is a 400 naming the field."""
    if not isinstance(body, Mapping):
        raise BadParameter("send an object with line_ids", field="body")
    unknown = sorted(set(body) - {"line_ids"})
    if unknown:
        raise BadParameter(f"unknown field {unknown[0]!r}", field=unknown[0])
    ids = body.get("line_ids")
    if not bulk_line_ids(ids):
        raise BadParameter(f"line_ids must be a list of 1 to {MAX_BULK_LINES} line ids",
                           field="line_ids")
    return sorted(set(ids))


def _orders(s: Tx, shop: str, body: Any) -> list[str]:
    ids = line_ids(body)
    orders = action_store.orders_of_lines(s, shop, ids)
    missing = [line for line in ids if line not in orders]
    if missing:
        raise NotFound(f"no order line {missing[0]!r}", field="line_ids")
    return sorted(set(orders.values()))


def release(s: Tx, planning: Planning, shop: str, body: Any, actor: str,
            now: datetime) -> tuple[dict, set[str]]:
    """The holds of the selected lines' orders released; (answer, orders whose state moved)."""
    return _set_release(s, planning, shop, _orders(s, shop, body), True, actor, now)


def hold_again(s: Tx, planning: Planning, shop: str, order_id: str, actor: str,
               now: datetime) -> tuple[dict, set[str]]:
    """The release of one order taken back (from its view)."""
    return _set_release(s, planning, shop, [order_id], False, actor, now)


def _set_release(s: Tx, planning: Planning, shop: str, order_ids: list[str], released: bool,
                 actor: str, now: datetime) -> tuple[dict, set[str]]:
    rows = action_store.locked_orders(s, shop, order_ids)
    if not rows:
        raise NotFound(f"no order {order_ids[0]!r}", field="order")
    action = RELEASE if released else HOLD
    changed = [row for row in rows if (row.holds_released_at is not None) != released]
    for row in changed:
        row.holds_released_at = now if released else None
    action_store.record(s, [OrderAction(shop=shop, order_id=row.order_id, action=action,
                                        actor=actor, at=now, detail={}) for row in changed])
    moved = _replan(s, planning, shop, [row.order_id for row in changed], now)
    return {"action": action, "order_ids": [row.order_id for row in rows],
            "changed": [row.order_id for row in changed]}, moved


def notify(s: Tx, planning: Planning, shop: str, body: Any, actor: str,
           now: datetime) -> tuple[dict, set[str]]:
    """An update asked for each selected line's order that still owes units; orders owing
    nothing have no date to tell and are answered apart (`nothing_owed`)."""
    order_ids = _orders(s, shop, body)
    policy = shop_policy(s, shop)
    if ETA_CHANGED not in policy.notices.enabled:
        raise Conflict("the ETA-changed notice is turned off in the settings: turn it on to "
                       "send customers updates", field="notices.enabled.eta_changed")
    owed = action_store.owed_orders(s, shop, order_ids)
    rows = action_store.locked_orders(s, shop, sorted(owed))
    syncs = action_store.syncs(s, shop, [row.order_id for row in rows])
    asked = []
    for row in rows:
        sync = syncs.get(row.order_id)
        sent = Told.from_dict((sync.applied or {}).get(TOLD) if sync else None).updates
        if (row.updates_asked or 0) > sent:
            continue  # one is on its way already
        row.updates_asked = sent + 1
        asked.append(row)
    action_store.record(s, [OrderAction(shop=shop, order_id=row.order_id, action=NOTIFY,
                                        actor=actor, at=now,
                                        detail={"update": row.updates_asked}) for row in asked])
    moved = _replan(s, planning, shop, [row.order_id for row in asked], now)
    return {"action": NOTIFY, "order_ids": sorted(owed),
            "changed": [row.order_id for row in asked],
            "nothing_owed": sorted(set(order_ids) - owed)}, moved


def _replan(s: Tx, planning: Planning, shop: str, order_ids: list[str],
            now: datetime) -> set[str]:
    """The orders' desired state made again with their new marks; those that moved."""
    if not order_ids:
        return set()
    s.flush()
    return planning.refresh_orders(s, shop, order_ids, shop_policy(s, shop), now.date(),
                                   look_behind=False)


def history(s: Tx, shop: str, order_id: str) -> list[dict]:
    """The order's actions, the merchant's and the customer's, newest first, for its view."""
    merchant = [{"action": row.action, "actor": row.actor, "at": row.at,
                 **({"update": row.detail["update"]} if row.detail.get("update") else {})}
                for row in action_store.of_order(s, shop, order_id)]
    customer = [{"action": row.kind, "actor": "customer", "at": row.created_at,
                 "units": row.units, "status": row.status, "message": row.message,
                 **({"to_variant_id": row.to_variant_id} if row.to_variant_id else {}),
                 **({"refund": row.refund, "refund_note": row.refund_note} if row.refund else {})}
                for row in customer_action_store.of_order(s, shop, order_id)]
    return [{**item, "at": item["at"].isoformat()}
            for item in sorted(merchant + customer, key=lambda item: item["at"], reverse=True)]
