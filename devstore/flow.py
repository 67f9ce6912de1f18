"""Shopify Flow triggers of the app: `flowTriggerReceive(handle, payload)` checked against the
trigger extensions registered with the store (as `shopify app deploy` registers an app's
`extensions/*/shopify.extension.toml`), recorded per shop when accepted.

What is checked, and the userErrors a refusal returns (README, "Flow triggers"):
- `body` with `handle` or `payload`: "Cannot use `handle` and `payload` arguments with `body`
  argument"; no handle: "`handle` and `payload` arguments are required" (field `handle`);
- a payload over 50,000 bytes of JSON: "Errors validating schema:\\n  Properties size exceeds the
  limit of 50000 bytes.\\n" (field `body`);
- a handle no extension has: "Errors validating schema:\\n  Invalid handle '<handle>'.\\n";
- the payload's fields, against the extension's: each declared field present (a reference as
  `<object>_id`), no other key, each value of its field's type. These come back as one error,
  one line each, in the form the body's schema errors take.
The deprecated `body` alone is refused as not supported by the simulator.

Workflows: a merchant enables or disables a workflow that starts with one of the app's
triggers. Flow first POSTs a lifecycle callback to the app's `flow_trigger_lifecycle_callback`
extension url (a relative url is resolved against the app's URL, as Shopify CLI does), signed
like a webhook (`X-Shopify-Hmac-Sha256`, the client secret), with `flow_trigger_definition_id`
(here the trigger's name, the form of the docs' example), `has_enabled_flow`, `shop_id`,
`shopify_domain` and `timestamp`; the workflow is enabled only when the app answers 2xx within
five seconds (shopify.dev, "Track Flow lifecycle events"). Triggers are taken whether or not a
workflow uses them: those docs ask the app to send triggers only to stores that use them, and
describe no refusal of one that no workflow uses.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLError

PAYLOAD_LIMIT = 50_000
REFERENCES = ("customer_reference", "order_reference", "product_reference", "company_reference",
              "company_contact_reference")  # the reference types a trigger takes
CUSTOM = ("boolean", "email", "single_line_text_field", "url", "number_decimal")


class ExtensionError(ValueError):
    """A trigger extension Shopify's CLI would not deploy."""


@dataclass(frozen=True)
class TriggerExtension:
    handle: str
    name: str
    fields: tuple[tuple[str, str], ...]  # (payload key, type)


def load_extensions(folder: Path) -> list[TriggerExtension]:
    """Every `flow_trigger` extension under `folder` (one `shopify.extension.toml` each)."""
    found = []
    for path in sorted(folder.glob("*/shopify.extension.toml")):
        config = tomllib.loads(path.read_text())
        for extension in config.get("extensions", []):
            if extension.get("type") == "flow_trigger":
                found.append(parse_extension(extension, config.get("settings", {})))
    return found


def lifecycle_url(folder: Path, app_url: str) -> str | None:
    """The url of the app's `flow_trigger_lifecycle_callback` extension, if it has one."""
    for path in sorted(folder.glob("*/shopify.extension.toml")):
        for extension in tomllib.loads(path.read_text()).get("extensions", []):
            if extension.get("type") == "flow_trigger_lifecycle_callback":
                url = str(extension.get("url", ""))
                return app_url.rstrip("/") + url if url.startswith("/") else url
    return None


def lifecycle_body(extension: TriggerExtension, enabled: bool, shop_id: int, domain: str,
                   at: str) -> bytes:
    return json.dumps({"flow_trigger_definition_id": extension.name, "has_enabled_flow": enabled,
                       "shop_id": str(shop_id), "shopify_domain": domain,
                       "timestamp": at}).encode()


def parse_extension(extension: dict, settings: dict) -> TriggerExtension:
    """The checks the CLI makes before deploying: a handle of at most 30 letters, digits and
    hyphens; reference fields of the types a trigger takes; other fields with a key of letters
    and spaces, of a custom type a trigger takes."""
    handle = str(extension.get("handle", ""))
    if not handle or len(handle) > 30 or not all(c.isalnum() or c == "-" for c in handle):
        raise ExtensionError(f"handle {handle!r}: 1 to 30 letters, digits and hyphens")
    fields = []
    for field in settings.get("fields", []):
        kind = field.get("type", "")
        if kind.endswith("_reference"):
            if kind not in REFERENCES:
                raise ExtensionError(f"{handle}: {kind} is not supported for Flow Triggers")
            fields.append((kind.removesuffix("_reference") + "_id", kind))
            continue
        key = field.get("key")
        if not isinstance(key, str) or not key or not all(c.isalpha() or c == " " for c in key):
            raise ExtensionError(f"{handle}: key {key!r} must hold letters and spaces only")
        if kind not in CUSTOM:
            raise ExtensionError(f"{handle}: field type {kind} is not supported on Flow Triggers")
        fields.append((key, kind))
    keys = [key for key, _ in fields]
    if len(set(keys)) != len(keys):
        raise ExtensionError(f"{handle}: a field key is used twice")
    return TriggerExtension(handle, str(extension.get("name", handle)), tuple(fields))


def receive(registered: dict[str, TriggerExtension], received: list[dict], now: float,
            handle: str | None, payload, body: str | None) -> list[dict]:
    """The mutation: userErrors, empty when the trigger was taken (and recorded)."""
    if body and (handle or payload):
        return [_error("body", "Cannot use `handle` and `payload` arguments with `body` argument")]
    if body:
        raise GraphQLError("flowTriggerReceive(body:) is deprecated and not supported by the store "
                           "simulator; use handle and payload.",
                           extensions={"code": "UNSUPPORTED_BY_SIMULATOR"})
    if not handle:
        return [_error("handle", "`handle` and `payload` arguments are required")]
    size = len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    if size > PAYLOAD_LIMIT:
        return [_schema([f"Properties size exceeds the limit of {PAYLOAD_LIMIT} bytes."])]
    extension = registered.get(handle)
    if extension is None:
        return [_schema([f"Invalid handle '{handle}'."])]
    problems = list(check_payload(extension, payload))
    if problems:
        return [_schema(problems)]
    received.append({"handle": handle, "payload": payload, "at": now})
    return []


def check_payload(extension: TriggerExtension, payload) -> Iterable[str]:
    if not isinstance(payload, dict):
        yield f"Type error for field 'payload': {_shown(payload)} is not an Object."
        return
    declared = dict(extension.fields)
    for key, kind in extension.fields:
        if key not in payload:
            yield f"Required field missing: '{key}'."
        elif not _fits(kind, payload[key]):
            yield f"Type error for field '{key}': {_shown(payload[key])} is not {_TYPE_WORDS[kind]}."
    for key in payload:
        if key not in declared:
            yield f"Invalid field: '{key}'."


_TYPE_WORDS = {"boolean": "a Boolean", "email": "an Email", "single_line_text_field": "a String",
               "url": "an absolute URL", "number_decimal": "a Number",
               **{kind: "an ID" for kind in REFERENCES}}


def _fits(kind: str, value) -> bool:
    if kind in REFERENCES:
        return isinstance(value, int) and not isinstance(value, bool) and value > 0
    if kind == "number_decimal":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "url":
        return isinstance(value, str) and "://" in value
    if kind == "email":
        return isinstance(value, str) and "@" in value
    return isinstance(value, str) and "\n" not in value


def _shown(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _error(field: str, message: str) -> dict:
    return {"field": [field], "message": message}


def _schema(messages: list[str]) -> dict:
    return _error("body", "Errors validating schema:\n  " + "\n  ".join(messages) + "\n")
