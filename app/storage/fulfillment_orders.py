"""The order of each fulfillment order the app's writes change (see `FulfillmentOrderOwner`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.storage.tables import FulfillmentOrderOwner
from app.storage.upsert import insert_ignore


def remember(tx: Session, shop: str, owners: Mapping[str, str]) -> None:
    """fulfillment order -> order."""
    if owners:
        tx.execute(insert_ignore(tx, FulfillmentOrderOwner, [
            {"shop": shop, "fulfillment_order_id": fo, "order_id": order}
            for fo, order in owners.items()]))


def order_of(tx: Session, shop: str, fulfillment_order_ids: Sequence[str]) -> str | None:
    """The order of the first of these fulfillment orders that is known."""
    if not fulfillment_order_ids:
        return None
    known = dict(tx.execute(select(FulfillmentOrderOwner.fulfillment_order_id,
                                   FulfillmentOrderOwner.order_id).where(
        FulfillmentOrderOwner.shop == shop,
        FulfillmentOrderOwner.fulfillment_order_id.in_(list(fulfillment_order_ids)))).all())
    return next((known[fo] for fo in fulfillment_order_ids if fo in known), None)
