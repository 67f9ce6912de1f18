"""The mirror of the store as the mirror and the webhook handlers write it: orders and their lines,
variants, stock per location; and beside it what those handlers touch when the store changes
(the orders' syncs)."""

from __future__ import annotations

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app.storage.tables import Order, OrderLine, OrderSync, Pool, RestockRow, StockLevel, Variant


def add(tx: Session, row: Order | OrderLine | Variant | StockLevel | RestockRow) -> None:
    """A new row, written when the transaction flushes."""
    tx.add(row)


# Orders and their lines


def order(tx: Session, shop: str, order_id: str) -> Order | None:
    return tx.get(Order, (shop, order_id))


def order_for_update(tx: Session, shop: str, order_id: str) -> Order | None:
    """Locked, so two deliveries of one order are mirrored one after the other."""
    return tx.get(Order, (shop, order_id), with_for_update=True)


def order_lines(tx: Session, shop: str, order_id: str) -> list[OrderLine]:
    return list(tx.scalars(
        select(OrderLine).where(OrderLine.shop == shop, OrderLine.order_id == order_id)))


def line_pools(tx: Session, shop: str, order_id: str) -> set[str]:
    """The pools the order's mirrored lines are in."""
    return set(tx.scalars(select(OrderLine.pool).where(
        OrderLine.shop == shop, OrderLine.order_id == order_id)))


def backordered_order_ids(tx: Session, shop: str) -> list[str]:
    """Orders with a line waiting on stock, in queue order (by order time)."""
    first = func.min(OrderLine.ordered_at)
    return list(tx.scalars(select(OrderLine.order_id).where(
        OrderLine.shop == shop, OrderLine.backordered > 0).group_by(OrderLine.order_id)
        .order_by(first, OrderLine.order_id)))


# Variants


def variant(tx: Session, shop: str, variant_id: str) -> Variant | None:
    return tx.get(Variant, (shop, variant_id))


def variant_of_item(tx: Session, shop: str, inventory_item_id: str) -> str | None:
    return tx.scalar(select(Variant.variant_id).where(
        Variant.shop == shop, Variant.inventory_item_id == inventory_item_id))


def known_variant_ids(tx: Session, shop: str, variant_ids: set[str]) -> set[str]:
    return set(tx.scalars(select(Variant.variant_id).where(
        Variant.shop == shop, Variant.variant_id.in_(variant_ids))))


def items_of_variants(tx: Session, shop: str, variant_ids: set[str]) -> set[str]:
    """The inventory items of these variants, for those that have one."""
    return set(tx.scalars(select(Variant.inventory_item_id).where(
        Variant.shop == shop, Variant.variant_id.in_(variant_ids),
        Variant.inventory_item_id.is_not(None))))


def variants_ignoring_orders(tx: Session, shop: str, variant_id: str | None,
                             inventory_item_id: str) -> list[Variant]:
    """Variants whose count ignores orders: the variant named, or else the inventory item's."""
    query = select(Variant).where(Variant.shop == shop, Variant.counts_orders.is_(False))
    query = query.where(Variant.variant_id == variant_id) if variant_id else \
        query.where(Variant.inventory_item_id == inventory_item_id)
    return list(tx.scalars(query))


def mark_product_deleted(tx: Session, shop: str, product_id: str) -> int:
    """The product's variants stay in the mirror, marked deleted; how many were not yet."""
    return tx.execute(update(Variant).where(Variant.shop == shop, Variant.product_id == product_id,
                                            Variant.status != "DELETED")
                      .values(status="DELETED")).rowcount


# Stock per location


def stock_level(tx: Session, shop: str, inventory_item_id: str,
                location_id: str) -> StockLevel | None:
    return tx.get(StockLevel, (shop, inventory_item_id, location_id))


def stock_level_for_update(tx: Session, shop: str, inventory_item_id: str,
                           location_id: str) -> StockLevel | None:
    """Locked, so readings of one level delivered at once are weighed one after the other."""
    return tx.get(StockLevel, (shop, inventory_item_id, location_id), with_for_update=True)


def item_available(tx: Session, shop: str, inventory_item_id: str) -> int:
    """The item's `available` summed over its locations; 0 when none is mirrored."""
    return tx.scalar(select(func.coalesce(func.sum(StockLevel.available), 0)).where(
        StockLevel.shop == shop, StockLevel.inventory_item_id == inventory_item_id))


def items_with_stock(tx: Session, shop: str, items: set[str]) -> set[str]:
    """Those of the inventory items with a level mirrored at some location."""
    return set(tx.scalars(select(StockLevel.inventory_item_id).where(
        StockLevel.shop == shop, StockLevel.inventory_item_id.in_(items))))


def unsettled_items(tx: Session, shop: str, items: set[str]) -> set[str]:
    return set(tx.scalars(select(StockLevel.inventory_item_id).where(
        StockLevel.shop == shop, StockLevel.inventory_item_id.in_(items),
        StockLevel.unsettled.is_(True))))


# What a change of the store touches beside the mirror


def pool_names(tx: Session, shop: str) -> list[str]:
    return list(tx.scalars(select(Pool.pool).where(Pool.shop == shop)))




def order_sync_for_update(tx: Session, shop: str, order_id: str) -> OrderSync | None:
    return tx.get(OrderSync, (shop, order_id), with_for_update=True)


def syncs_not_settled(tx: Session, shop: str) -> list[OrderSync]:
    """Syncs pending, waiting for fulfillment orders, or failed last time; locked."""
    return list(tx.scalars(select(OrderSync).where(
        OrderSync.shop == shop,
        or_(OrderSync.pending.is_(True), OrderSync.awaiting_fulfillment_orders.is_(True),
            OrderSync.last_error.is_not(None))).with_for_update()))


def resync_awaiting_fulfillment_orders(tx: Session, shop: str) -> int:
    """Syncs that found no fulfillment order yet are pending again; how many."""
    return tx.execute(
        update(OrderSync).where(OrderSync.shop == shop,
                                OrderSync.awaiting_fulfillment_orders.is_(True))
        .values(pending=True)).rowcount
