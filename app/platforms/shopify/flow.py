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
- A payload is at most 50,000 bytes: Shopify answers a larger one with the userError
  "Properties size exceeds the limit of 50000 bytes." (recorded Admin API answers kept by a
  public Admin API emulator's tests; summaries of Shopify's trigger reference say 50 KB).
"""

from __future__ import annotations

import json
from typing import Any

from app.domain.notices import (
    CANCELLED,
    CREATED,
    DELIVERED,
    ETA_CHANGED,
    READY,
    WAITING_LONG,
    Notice,
)

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
