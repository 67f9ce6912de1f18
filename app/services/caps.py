"""Caps on units owed: a variant stops selling (inventory policy DENY) when it owes as many units
as the merchant allows, and sells again (CONTINUE) once it owes fewer. Only variants with a cap
are ever touched: without one, the policy stays the merchant's choice."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.caps import inventory_policy_for_variant
from app.services.planning import shop_policy
from app.storage.tables import Pool, RestockRow, Variant


def policy_changes(s: Session, shop: str, pools: set[str]) -> list[tuple[str, str, str]]:
    """(variant, product, new policy) for capped variants whose policy must flip."""
    policy = shop_policy(s, shop)
    changes = []
    for pool in sorted(pools):
        variant_id = pool.split("@", 1)[0]
        if policy.cap_for(variant_id) is None:
            continue
        variant = s.get(Variant, (shop, variant_id))
        owed = s.scalar(select(Pool.units_owed).where(Pool.shop == shop, Pool.pool == pool)) or 0
        incoming = s.scalar(select(func.coalesce(func.sum(RestockRow.quantity), 0)).where(
            RestockRow.shop == shop, RestockRow.pool == pool, RestockRow.arrived_at.is_(None)))
        wanted = inventory_policy_for_variant(policy, variant_id, owed, incoming)
        if variant is not None and variant.inventory_policy != wanted:
            variant.inventory_policy = wanted
            changes.append((variant_id, variant.product_id, wanted))
    return changes
