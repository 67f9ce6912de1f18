"""The first-run setup guide of the admin page: install, the order fields pinned, a first restock.

The app knows two of the steps itself: the install is done once its setup job has read the shop
and its catalog, the first restock once one was entered. Pinning the order metafields is done in
the store admin, where the app cannot see it: the merchant marks that step. Saleor has no
metafields, so its guide has two steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.errors import InvalidInput, NotFound
from app.storage import shops as shop_store
from app.storage.db import Tx

MARKS = ("metafields_pinned", "dismissed")


def guide(s: Tx, shop: str) -> dict:
    row = shop_store.find(s, shop)
    if row is None:
        raise NotFound(f"{shop} is not installed", field="shop")
    marks = row.setup or {}
    steps = [{"key": "install", "title": "Install the app",
              "done": bool(row.installed and row.timezone is not None)}]
    if row.platform != "saleor":
        steps.append({"key": "metafields", "title": "Pin the backorder fields on the order page",
                      "done": bool(marks.get("metafields_pinned"))})
    steps.append({"key": "restock", "title": "Enter your first restock",
                  "done": shop_store.any_restock(s, shop)})
    return {"steps": steps, "completed": sum(step["done"] for step in steps),
            "total": len(steps), "dismissed": bool(marks.get("dismissed")),
            "ever_backordered": shop_store.ever_backordered(s, shop)}


def mark(s: Tx, shop: str, data: Any) -> None:
    """`metafields_pinned` and `dismissed`, each true or false; anything else is 422 naming it."""
    if not isinstance(data, Mapping):
        raise InvalidInput("the setup marks must be a JSON object", field="setup")
    unknown = sorted(set(data) - set(MARKS))
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}", field=unknown[0])
    if not data:
        raise InvalidInput("nothing to change", field="setup")
    for name, value in data.items():
        if not isinstance(value, bool):
            raise InvalidInput(f"{name} must be true or false", field=name)
    row = shop_store.find(s, shop, lock=True)
    if row is None:
        raise NotFound(f"{shop} is not installed", field="shop")
    row.setup = {**(row.setup or {}), **data}
