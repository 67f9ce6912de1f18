"""The customer's notices as Shopify Flow triggers: one trigger extension per kind of notice
(`extensions/<handle>/shopify.extension.toml`), fired with `flowTriggerReceive(handle, payload)`.

Facts relied on:
- `flowTriggerReceive` takes `handle` and `payload` (JSON); its `body` argument is deprecated
  ("Use `payload` and `handle`", the 2026-10 schema). It answers `userErrors { field message }`.
- The payload's keys are the trigger's field keys; an `order_reference` field is sent as
  `order_id`, the order's numeric id (shopify.dev, "Flow trigger reference"; the Shopify CLI,
  `services/flow/serialize-fields.ts`, names a `<object>_reference` field `<object>_id`).
- A trigger field key holds letters and spaces only (the CLI's `flow_trigger` specification),
  and a trigger takes the field types boolean, email, single_line_text_field, url,
  number_decimal and schema types, no integer or date (the CLI's `services/flow/constants.ts`),
  so counts are `number_decimal` and dates ISO text.
- Flow tells the app when a shop enables or disables a workflow that starts with one of its
  triggers: a POST to the `flow_trigger_lifecycle_callback` extension's url, signed like a
  webhook (`x-shopify-hmac-sha256`, the client secret), with `flow_trigger_definition_id`,
  `has_enabled_flow`, `shop_id`, `shopify_domain` and `timestamp`; a later timestamp takes
  precedence, and the app should fire only the triggers some enabled workflow uses
  (shopify.dev, "Track Flow lifecycle events"). The docs' example id is a trigger's title, so
  the id is matched against each trigger's name and handle.
- A payload is at most 50,000 bytes: Shopify answers a larger one with the userError
  "Properties size exceeds the limit of 50000 bytes." (recorded Admin API answers kept by a
  public Admin API emulator's tests; summaries of Shopify's trigger reference say 50 KB).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domain.errors import InvalidInput
from app.domain.notices import (
    CANCELLED,
    CREATED,
    DELIVERED,
    ETA_CHANGED,
    READY,
    WAITING_LONG,
    Notice,
)
from app.platforms.shopify.errors import NotAShopDomain
from app.platforms.shopify.oauth import valid_shop
from app.services.mirror import timestamp

PAYLOAD_LIMIT = 50_000  # bytes of the payload's JSON
TEXT_LIMIT = 2_000  # characters of one text value: six of them stay far inside the limit
ORDER_KEY = "order_id"  # the payload key of an order_reference field

# Per kind: the trigger's handle and, per payload key, the notice value it carries.
TRIGGERS: dict[str, tuple[str, dict[str, str]]] = {
    CREATED: ("backorder-created", {
        "Backordered units": "units", "Backordered items": "lines",
        "Expected ship date": "eta", "Earliest ship date": "earliest",
        "Latest ship date": "latest", "Store note": "note"}),
    ETA_CHANGED: ("backorder-eta-changed", {
        "Previous ship date": "previous", "New ship date": "eta",
        "Earliest ship date": "earliest", "Latest ship date": "latest", "Days moved": "days",
        "Reason": "reason", "Store note": "note"}),
    READY: ("backorder-ready", {"Units filled": "units", "Store note": "note"}),
    WAITING_LONG: ("backorder-waiting-long", {
        "Days waiting": "days", "Backordered units": "units", "Expected ship date": "eta",
        "Goodwill code": "code", "Store note": "note"}),
    CANCELLED: ("backorder-cancelled", {"Backordered units": "units", "Store note": "note"}),
    DELIVERED: ("backorder-delivered", {"Backorders": "backorders", "Store note": "note"}),
}


# Per kind, its trigger extension's name (the `name` of extensions/<handle>/shopify.extension.toml).
NAMES: dict[str, str] = {
    CREATED: "Backorder created", ETA_CHANGED: "Backorder date changed",
    READY: "Backorder ready to ship", WAITING_LONG: "Backorder waiting long",
    CANCELLED: "Backorder cancelled", DELIVERED: "Backordered order delivered",
}
_KIND_OF = {**{handle: kind for kind, (handle, _) in TRIGGERS.items()},
            **{name.casefold(): kind for kind, name in NAMES.items()}}


@dataclass(frozen=True)
class Lifecycle:
    """A shop's workflows did or no longer do start with one trigger: `listener` is the kind
    of notice the trigger carries, or `flow:<id>` for a trigger of no kind the app knows."""

    shop: str
    listener: str
    listening: bool
    at: datetime


def lifecycle(payload: dict) -> Lifecycle:
    """A lifecycle callback's body, checked; InvalidInput names the field at fault."""
    trigger = payload.get("flow_trigger_definition_id")
    if not isinstance(trigger, str) or not trigger.strip():
        raise InvalidInput("flow_trigger_definition_id must be a non-empty string",
                           field="flow_trigger_definition_id")
    listening = payload.get("has_enabled_flow")
    if not isinstance(listening, bool):
        raise InvalidInput("has_enabled_flow must be true or false", field="has_enabled_flow")
    domain = payload.get("shopify_domain")
    if not isinstance(domain, str):
        raise InvalidInput("shopify_domain must be a shop's myshopify domain",
                           field="shopify_domain")
    try:
        shop = valid_shop(domain)
    except NotAShopDomain as exc:
        raise InvalidInput(exc.message, field="shopify_domain") from None
    trigger = trigger.strip()
    kind = _KIND_OF.get(trigger.casefold())  # handles are lower case already
    return Lifecycle(shop, kind or f"flow:{trigger}"[:255], listening,
                     timestamp(payload.get("timestamp"), "timestamp"))


class PayloadTooLarge(ValueError):
    """A payload Shopify would refuse: refused here rather than sent."""


def trigger(order_gid: str, notice: Notice) -> tuple[str, dict[str, Any]]:
    """The handle and payload of a notice, refused when Shopify would refuse its size."""
    handle, payload = compose(order_gid, notice)
    size = size_of(payload)
    if size > PAYLOAD_LIMIT:
        raise PayloadTooLarge(f"{handle} payload of {size} bytes is over {PAYLOAD_LIMIT}")
    return handle, payload


def compose(order_gid: str, notice: Notice) -> tuple[str, dict[str, Any]]:
    """The handle and payload of a notice. Every declared field is sent (text fields as text,
    empty when the notice has no value), so the payload always matches the extension."""
    handle, keys = TRIGGERS[notice.kind]
    payload: dict[str, Any] = {ORDER_KEY: _numeric_id(order_gid)}
    for key, name in keys.items():
        payload[key] = _value(notice.values.get(name))
    return handle, payload


def size_of(payload: dict[str, Any]) -> int:
    """Bytes of the payload's JSON, as the limit counts them."""
    return len(json.dumps(payload, ensure_ascii=False).encode())


def _value(value: Any) -> Any:
    """Text is cut to `TEXT_LIMIT` characters: an order of a thousand lines still fits."""
    if value is None:
        return ""
    if isinstance(value, str) and len(value) > TEXT_LIMIT:
        return value[:TEXT_LIMIT - 1] + "…"
    return value


def _numeric_id(gid: str) -> int:
    return int(gid.rsplit("/", 1)[-1])
