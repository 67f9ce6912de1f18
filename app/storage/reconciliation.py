"""What reconciliation compares with the platform: the items of open lines and the units those
lines hold (the mirror's readings themselves are read through `orders`)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.storage.tables import OrderLine, Variant


def items_with_open_lines(tx: Session, shop: str) -> dict[str, str]:
    """Inventory item → variant, for the tracked variants that have an open line."""
    return dict(tx.execute(
        select(Variant.inventory_item_id, Variant.variant_id)
        .join(OrderLine, (OrderLine.shop == Variant.shop)
              & (OrderLine.variant_id == Variant.variant_id))
        .where(Variant.shop == shop, OrderLine.open_quantity > 0,
               Variant.inventory_item_id.is_not(None)).distinct()).all())




def units_open(tx: Session, shop: str, variant_id: str) -> int:
    """The open units of all the variant's lines: what the platform should count as committed."""
    return tx.scalar(select(func.coalesce(func.sum(OrderLine.open_quantity), 0)).where(
        OrderLine.shop == shop, OrderLine.variant_id == variant_id))
