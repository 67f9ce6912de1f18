"""Webhooks can be lost: every so often the mirror's stock is compared with the platform's
`available` and `committed`, drift is corrected and logged, and what changed is planned again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from app.services import mirror
from app.services.planning import Planning
from app.services.ports import PlatformGateway
from app.storage import orders as order_store
from app.storage import reconciliation as reconcile_store
from app.storage.db import Database, Tx

log = logging.getLogger(__name__)


class Reconciliation:
    def __init__(self, db: Database, planning: Planning, gateway: PlatformGateway,
                 clock: Callable[[], datetime]):
        self._db = db
        self._planning = planning
        self._gateway = gateway
        self._clock = clock

    def run(self, shop: str) -> dict:
        """Checks the variants that have open lines; returns what was found and fixed."""
        with self._db.transaction() as s:
            items = reconcile_store.items_with_open_lines(s, shop)
        if not items:
            return {"checked": 0, "stock_fixed": 0, "committed_drift": 0}
        started = self._clock()
        readings = self._gateway.stock(shop, sorted(items))
        report = {"checked": len(items), "stock_fixed": 0, "committed_drift": 0}
        with self._db.transaction() as s:
            pools = set()
            for reading in readings:
                row = order_store.stock_level(s, shop, reading.inventory_item_id,
                                                  reading.location_id)
                if row is None or row.available != reading.available:
                    log.info("reconcile %s: %s at %s available %s -> %s", shop,
                             reading.inventory_item_id, reading.location_id,
                             row.available if row else None, reading.available)
                    report["stock_fixed"] += 1
                    pools |= mirror.apply_stock(s, shop, reading,
                                                mirror.read_stamp(reading, started))
            report["committed_drift"] = self._committed_drift(s, shop, readings, items)
            changed = self._planning.replan(s, shop, pools, "reconciliation")
        report["orders_to_sync"] = len(changed)
        return report

    def _committed_drift(self, s: Tx, shop: str, readings, items: dict[str, str]) -> int:
        """Variants whose open lines in the mirror disagree with the platform's `committed`:
        a lost order webhook. Logged for the merchant; the order itself is re-read when its next
        webhook (or the merchant) touches it."""
        platform: dict[str, int] = {}
        for reading in readings:
            platform[reading.inventory_item_id] = (platform.get(reading.inventory_item_id, 0)
                                                   + (reading.committed or 0))
        drift = 0
        for item, committed in platform.items():
            ours = reconcile_store.units_open(s, shop, items[item])
            if ours != committed:
                drift += 1
                log.warning("reconcile %s: %s committed %s on the platform, %s in the mirror",
                            shop, items[item], committed, ours)
        return drift
