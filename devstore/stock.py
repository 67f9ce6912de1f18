"""Quantities that orders move at one (inventory item, location), and the inventory_levels/update
each change announces.

Stock is per location (fact 2): a line commits units where its fulfillment order is assigned, and
every change is announced for exactly the (item, location) that changed. Custom lines and
untracked items commit nothing and announce nothing (facts 3 and 4)."""

from __future__ import annotations

from .core import Core
from .model import LineItem, Shop
from .payloads import inventory_level_payload


class Touched:
    """The (item, location) pairs changed by one operation, announced once each, in order."""

    def __init__(self):
        self.pairs: dict[tuple[int, int], None] = {}

    def add(self, item_id: int, location_id: int) -> None:
        self.pairs[(item_id, location_id)] = None

    def announce(self, core: Core, shop: Shop) -> None:
        for item_id, location_id in self.pairs:
            core.emit(shop, "inventory_levels/update", inventory_level_payload(shop, item_id, location_id))


def item_of(shop: Shop, line: LineItem) -> int | None:
    """The inventory item whose quantities the line moves, or None (custom or untracked line)."""
    if not line.tracked or line.variant_id not in shop.variants:
        return None
    return shop.variants[line.variant_id].inventory_item_id


def adjust(core: Core, shop: Shop, line: LineItem, location_id: int, touched: Touched,
           available: int = 0, committed: int = 0) -> None:
    item_id = item_of(shop, line)
    if item_id is None or (available == 0 and committed == 0):
        return
    level = shop.level(item_id, location_id)
    level.available += available
    level.committed += committed
    level.updated_at = core.now()
    touched.add(item_id, location_id)


def commit(core: Core, shop: Shop, line: LineItem, location_id: int, quantity: int, touched: Touched) -> None:
    """A sale or an added line: units move from available to committed."""
    adjust(core, shop, line, location_id, touched, available=-quantity, committed=quantity)


def release(core: Core, shop: Shop, line: LineItem, location_id: int, quantity: int, touched: Touched) -> None:
    """A cancelled, removed or restocked unshipped unit: committed goes back to available."""
    adjust(core, shop, line, location_id, touched, available=quantity, committed=-quantity)


def transfer(core: Core, shop: Shop, line: LineItem, source: int, destination: int, quantity: int,
             touched: Touched) -> None:
    """A moved fulfillment order takes its commitment with it."""
    release(core, shop, line, source, quantity, touched)
    commit(core, shop, line, destination, quantity, touched)
