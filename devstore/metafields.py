"""metafieldsSet and metafieldDefinitionCreate: typed values, owner checks, compare-and-set, and
all-or-nothing writes, as the Admin API documents them."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date

from .core import Core
from .model import Metafield, MetafieldDefinition, Shop, parse_gid

MAX_METAFIELDS_PER_CALL = 25
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{2,64}$")
NAMESPACE_PATTERN = re.compile(r"^[A-Za-z0-9_$-]{3,255}$")
OWNER_TYPES = {"Order": "ORDER", "Product": "PRODUCT", "ProductVariant": "PRODUCTVARIANT",
               "Customer": "CUSTOMER", "Shop": "SHOP", "Location": "LOCATION"}
_UNSET = object()


def app_namespace(app_id: int, given: str | None = None) -> str:
    """The app-reserved namespace: omitted or `$app` -> `app--{id}`, `$app:x` -> `app--{id}--x`."""
    if not given or given == "$app":
        return f"app--{app_id}"
    if given.startswith("$app:"):
        return f"app--{app_id}--{given[len('$app:'):]}"
    return given


def digest(metafield: Metafield) -> str:
    return hashlib.sha256(f"{metafield.type}\n{metafield.value}".encode()).hexdigest()


def _list_of_references(kind: str):
    def check(shop: Shop, value: str) -> str | None:
        try:
            items = json.loads(value)
        except ValueError:
            return "Value must be a JSON array of IDs."
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            return "Value must be a JSON array of IDs."
        for item in items:
            parsed = parse_gid(item, kind)
            if parsed is None or not _exists(shop, kind, parsed[1]):
                return f"Value references {item!r}, which is not a {kind} of this shop."
        return None
    return check


def _single_line(shop: Shop, value: str) -> str | None:
    return "Value must be a single line of text." if "\n" in value or "\r" in value else None


def _json(shop: Shop, value: str) -> str | None:
    try:
        json.loads(value)
    except ValueError:
        return "Value must be valid JSON."
    return None


def _date(shop: Shop, value: str) -> str | None:
    try:
        date.fromisoformat(value)
    except ValueError:
        return "Value must be a date in the format YYYY-MM-DD."
    return None if len(value) == 10 else "Value must be a date in the format YYYY-MM-DD."


def _integer(shop: Shop, value: str) -> str | None:
    return None if re.fullmatch(r"-?\d+", value) else "Value must be an integer."


def _boolean(shop: Shop, value: str) -> str | None:
    return None if value in ("true", "false") else "Value must be true or false."


VALIDATORS = {
    "single_line_text_field": _single_line,
    "multi_line_text_field": lambda shop, value: None,
    "json": _json,
    "date": _date,
    "number_integer": _integer,
    "boolean": _boolean,
    "list.variant_reference": _list_of_references("ProductVariant"),
    "list.product_reference": _list_of_references("Product"),
}


def _exists(shop: Shop, kind: str, number: int) -> bool:
    tables = {"Order": shop.orders, "Product": shop.products, "ProductVariant": shop.variants,
              "Customer": shop.customers, "Location": shop.locations}
    if kind == "Shop":
        return number == shop.id
    return number in tables.get(kind, {})


def set_metafields(core: Core, shop: Shop, inputs: list[dict]) -> tuple[list[Metafield], list[dict]]:
    if len(inputs) > MAX_METAFIELDS_PER_CALL:
        return [], [_error(["metafields"], f"Exceeded the maximum metafields input limit of {MAX_METAFIELDS_PER_CALL}.", "LESS_THAN_OR_EQUAL_TO", None)]
    prepared = []
    errors = []
    for index, item in enumerate(inputs):
        result = _prepare(core, shop, item, index)
        (errors if isinstance(result, dict) else prepared).append(result)
    if errors:
        return [], errors
    return [_write(core, shop, *entry) for entry in prepared], []


def _prepare(core: Core, shop: Shop, item: dict, index: int):
    path = ["metafields", str(index)]
    owner = parse_gid(item["ownerId"])
    if owner is None or owner[0] not in OWNER_TYPES or not _exists(shop, *owner):
        return _error(path + ["ownerId"], "Owner does not exist.", "INVALID_VALUE", index)
    namespace = app_namespace(core.app_id, item.get("namespace"))
    key = item["key"]
    if not NAMESPACE_PATTERN.match(namespace):
        return _error(path + ["namespace"], "Namespace must be 3-255 characters.", "INVALID_VALUE", index)
    if not KEY_PATTERN.match(key):
        return _error(path + ["key"], "Key must be 2-64 characters of letters, digits, - and _.", "INVALID_VALUE", index)
    existing = shop.metafields.get((item["ownerId"], namespace, key))
    definition = shop.definitions.get((OWNER_TYPES[owner[0]], namespace, key))
    type_ = item.get("type") or (definition.type if definition else None) or (existing.type if existing else None)
    problem = _type_problem(shop, type_, definition, item["value"], path, index)
    if problem:
        return problem
    stale = _stale(existing, item.get("compareDigest", _UNSET), path, index)
    return stale or (item["ownerId"], namespace, key, type_, item["value"])


def _type_problem(shop, type_, definition, value, path, index) -> dict | None:
    if type_ is None:
        return _error(path + ["type"], "Type can't be blank.", "BLANK", index)
    if definition is not None and definition.type != type_:
        return _error(path + ["type"], f"Type must be {definition.type}, as its definition says.", "INVALID_TYPE", index)
    validator = VALIDATORS.get(type_)
    if validator is None:
        return _error(path + ["type"], f"Type {type_!r} is not supported by the store simulator (supported: {', '.join(VALIDATORS)}).", "INVALID_TYPE", index)
    message = validator(shop, value)
    return _error(path + ["value"], message, "INVALID_VALUE", index) if message else None


def _stale(existing: Metafield | None, compare, path, index) -> dict | None:
    if compare is _UNSET:
        return None
    if compare is None and existing is not None:
        return _error(path + ["compareDigest"], "The metafield already exists.", "STALE_OBJECT", index)
    if compare is not None and (existing is None or digest(existing) != compare):
        return _error(path + ["compareDigest"], "The metafield has been modified since it was loaded.", "STALE_OBJECT", index)
    return None


def _write(core: Core, shop: Shop, owner_id, namespace, key, type_, value) -> Metafield:
    now = core.now()
    existing = shop.metafields.get((owner_id, namespace, key))
    if existing is None:
        existing = Metafield(id=core.ids.next("Metafield"), owner_id=owner_id, namespace=namespace,
                             key=key, type=type_, value=value, created_at=now, updated_at=now)
        shop.metafields[(owner_id, namespace, key)] = existing
    existing.type, existing.value, existing.updated_at = type_, value, now
    return existing


def _error(field_path: list, message: str, code: str, index: int | None) -> dict:
    return {"field": field_path, "message": message, "code": code, "elementIndex": index}


def create_definition(core: Core, shop: Shop, spec: dict) -> tuple[MetafieldDefinition | None, list[dict]]:
    namespace = app_namespace(core.app_id, spec.get("namespace"))
    owner_type = spec["ownerType"]
    access, problem = _access(core, namespace, spec.get("access") or {})
    if problem:
        return None, [problem]
    if spec["type"] not in VALIDATORS:
        return None, [{"field": ["definition", "type"], "message": f"Type {spec['type']!r} is not supported by the store simulator.", "code": "INCLUSION"}]
    if not KEY_PATTERN.match(spec["key"]):
        return None, [{"field": ["definition", "key"], "message": "Key is invalid.", "code": "INVALID"}]
    if (owner_type, namespace, spec["key"]) in shop.definitions:
        return None, [{"field": ["definition", "key"], "message": "Key is in use for this owner type and namespace.", "code": "TAKEN"}]
    definition = MetafieldDefinition(id=core.ids.next("MetafieldDefinition"), owner_type=owner_type,
                                     namespace=namespace, key=spec["key"], name=spec["name"],
                                     type=spec["type"], description=spec.get("description"),
                                     access=access)
    shop.definitions[(owner_type, namespace, spec["key"])] = definition
    return definition, []


def _access(core: Core, namespace: str, given: dict) -> tuple[dict, dict | None]:
    """The definition's access as the platform settles it: only the owning app may set admin
    access, in its own reserved namespace (where it defaults to MERCHANT_READ); the Customer
    Account API and the storefront (Liquid, Storefront API) see nothing unless granted."""
    owned = namespace == app_namespace(core.app_id) or namespace.startswith(app_namespace(core.app_id) + "--")
    if given.get("admin") is not None and not owned:
        return {}, {"field": ["definition", "access", "admin"],
                    "message": "Admin access can only be specified for app-owned metafield definitions.",
                    "code": "ADMIN_ACCESS_INPUT_NOT_ALLOWED"}
    return {"admin": given.get("admin") or ("MERCHANT_READ" if owned else "PUBLIC_READ_WRITE"),
            "customerAccount": given.get("customerAccount") or "NONE",
            "storefront": given.get("storefront") or "NONE"}, None


def delete_metafields(core: Core, shop: Shop, identifiers: list[dict]) -> list[dict | None]:
    """metafieldsDelete: each identifier deleted, or None where no such metafield was (the
    mutation still succeeds for those)."""
    deleted: list[dict | None] = []
    for item in identifiers:
        namespace = app_namespace(core.app_id, item.get("namespace"))
        gone = shop.metafields.pop((item["ownerId"], namespace, item["key"]), None)
        deleted.append({"ownerId": item["ownerId"], "namespace": namespace, "key": item["key"]}
                       if gone else None)
    return deleted


def storefront_value(shop: Shop, owner_id: str, namespace: str, key: str) -> str | None:
    """What the storefront (a theme's Liquid, the Storefront API) reads of a metafield: its
    value only when a definition grants the storefront PUBLIC_READ, else nothing."""
    parsed = parse_gid(owner_id)
    owner_type = OWNER_TYPES.get(parsed[0]) if parsed else None
    definition = shop.definitions.get((owner_type, namespace, key))
    if definition is None or definition.access.get("storefront") != "PUBLIC_READ":
        return None
    metafield = shop.metafields.get((owner_id, namespace, key))
    return metafield.value if metafield else None
