"""Caps on units owed: a variant stops selling (inventory policy DENY) when it owes as many units
as the merchant allows, and sells again (CONTINUE) once it owes fewer. Only variants with a cap
are ever touched: without one, the policy stays the merchant's choice.

Every change that can move a cap's verdict re-checks it: a re-plan of the pool (units owed), a
restock entered, edited, removed or arrived (incoming units, when caps follow them), and saved
settings (the caps themselves).
"""

from __future__ import annotations

from collections.abc import Iterable

from app.domain.caps import inventory_policy_for_variant
from app.services import object_sync
from app.services.messages import FollowUp, SyncShop
from app.services.planning import CHUNK, shop_policy
from app.storage import objects as object_store
from app.storage import restocks as restock_store
from app.storage.db import Tx


def follow_ups(s: Tx, shop: str, pools: Iterable[str], changed: set[str]) -> list[FollowUp]:
    """What a re-plan of these pools leaves to do on the platform: a sync, when an order's
    desired state moved or a capped variant's inventory policy must flip (recorded as wanted,
    for the sync to write)."""
    flipped = policy_changes(s, shop, set(pools))
    return [SyncShop(shop)] if flipped or changed or object_sync.wanted_in(s, shop) else []


def policy_changes(s: Tx, shop: str, pools: set[str]) -> list[tuple[str, str, str]]:
    """(variant, product, new policy) for capped variants whose policy must flip."""
    policy = shop_policy(s, shop)
    capped = sorted(p for p in pools if policy.cap_for(p.split("@", 1)[0]) is not None)
    changes = []
    for start in range(0, len(capped), CHUNK):
        chunk = capped[start:start + CHUNK]
        owed = object_store.units_owed(s, shop, chunk)
        incoming = restock_store.incoming(s, shop, chunk)
        variants = object_store.variants(s, shop, [p.split("@", 1)[0] for p in chunk])
        for pool in chunk:
            variant = variants.get(pool.split("@", 1)[0])
            if variant is None:
                continue
            wanted = inventory_policy_for_variant(policy, variant.variant_id, owed.get(pool) or 0,
                                                  incoming.get(pool) or 0)
            if variant.inventory_policy != wanted:
                variant.inventory_policy = wanted
                object_sync.want(s, shop, object_sync.INVENTORY_POLICY, variant.variant_id,
                                 {"policy": wanted, "product_id": variant.product_id})
                changes.append((variant.variant_id, variant.product_id, wanted))
                if wanted == "DENY":  # it no longer sells past zero: no date to promise
                    object_sync.want_ships_by(s, shop, {variant.variant_id: None})
    return changes
