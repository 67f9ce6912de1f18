"""The catalog's objects as caps, substitutes and restocks read them (variants, products, what a
pool owes), and the platform writes wanted for them that are not an order's."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from app.storage.tables import ObjectSync, OrderLine, Pool, Variant

# variants




def variants(tx: Session, shop: str, variant_ids: Collection[str]) -> dict[str, Variant]:
    """By id; ids not in the catalog are left out. No ids, no query."""
    if not variant_ids:
        return {}
    return {v.variant_id: v for v in tx.scalars(select(Variant).where(
        Variant.shop == shop, Variant.variant_id.in_(variant_ids)))}


def variant_names(tx: Session, shop: str, variant_ids: Collection[str]) -> dict[str, Row]:
    """(variant_id, title, product_title, sku) by id, as plain rows: what a list of many variants
    shows of each, without building each variant."""
    if not variant_ids:
        return {}
    return {r.variant_id: r for r in tx.execute(select(
        Variant.variant_id, Variant.title, Variant.product_title, Variant.sku).where(
        Variant.shop == shop, Variant.variant_id.in_(variant_ids)))}


def variant_numbered(tx: Session, shop: str, number: str) -> Variant | None:
    """A variant whose platform id ends with this number (`gid://…/ProductVariant/1001`)."""
    return tx.scalars(select(Variant).where(Variant.shop == shop,
                                            Variant.variant_id.like(f"%/{number}"))
                      .limit(1)).first()


def variants_with_sku(tx: Session, shop: str, sku: str, limit: int) -> list[Variant]:
    """Variants not deleted that carry this SKU; `limit` tells one from several."""
    return list(tx.scalars(select(Variant).where(Variant.shop == shop, Variant.sku == sku,
                                                 Variant.status != "DELETED").limit(limit)))


# products


def any_variant_of(tx: Session, shop: str, product_id: str) -> Variant | None:
    """One variant of the product, or None when the catalog has no such product."""
    return tx.scalars(select(Variant).where(Variant.shop == shop, Variant.product_id == product_id)
                      .limit(1)).first()


def variant_ids_of(tx: Session, shop: str, product_id: str) -> set[str]:
    return set(tx.scalars(select(Variant.variant_id).where(
        Variant.shop == shop, Variant.product_id == product_id)))


def known_products(tx: Session, shop: str, product_ids: list[str]) -> set[str]:
    """Those of the products the catalog has."""
    return set(tx.scalars(select(Variant.product_id).where(
        Variant.shop == shop, Variant.product_id.in_(product_ids))))


def set_substitutes(tx: Session, shop: str, product_id: str, products: list[str]) -> None:
    """Every variant of the product carries its substitutes, for ranking."""
    tx.execute(update(Variant).where(Variant.shop == shop, Variant.product_id == product_id)
               .values(substitutes=products))


def orders_waiting_on(tx: Session, shop: str, variant_ids: Collection[str]) -> set[str]:
    """Orders with units of these variants backordered."""
    return set(tx.scalars(select(OrderLine.order_id).where(
        OrderLine.shop == shop, OrderLine.backordered > 0, OrderLine.variant_id.in_(variant_ids))))


# pools


def units_owed(tx: Session, shop: str, pools: Collection[str]) -> dict[str, int]:
    """Units owed by pool, as the last plan left them; pools never planned are left out."""
    return dict(tx.execute(select(Pool.pool, Pool.units_owed).where(
        Pool.shop == shop, Pool.pool.in_(pools))).all())


# platform writes


def locked_sync(tx: Session, shop: str, kind: str, object_id: str) -> ObjectSync | None:
    """An object's write state, locked: a re-plan may want it anew while the sync applies it."""
    return tx.get(ObjectSync, (shop, kind, object_id), with_for_update=True)


def locked_syncs(tx: Session, shop: str, kind: str,
                 object_ids: list[str]) -> dict[str, ObjectSync]:
    """Objects' write states by id, locked, read a chunk at a time; ids never wanted are left out."""
    rows = {}
    for start in range(0, len(object_ids), 500):
        rows.update((r.object_id, r) for r in tx.scalars(
            select(ObjectSync).where(ObjectSync.shop == shop, ObjectSync.kind == kind,
                                     ObjectSync.object_id.in_(object_ids[start:start + 500]))
            .with_for_update()))
    return rows


def add_sync(tx: Session, row: ObjectSync) -> None:
    tx.add(row)


def add_syncs(tx: Session, rows: list[ObjectSync]) -> None:
    tx.add_all(rows)


def pending_syncs(tx: Session, shop: str, limit: int) -> list[ObjectSync]:
    """Writes still owed to the platform, in a stable order: the sync takes them in batches,
    skipping those it has already tried."""
    return list(tx.scalars(
        select(ObjectSync).where(ObjectSync.shop == shop, ObjectSync.pending.is_(True))
        .order_by(ObjectSync.kind, ObjectSync.object_id).limit(limit)))
