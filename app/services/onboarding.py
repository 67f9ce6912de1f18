"""What a new install needs before the first webhook can be planned well: the shop's country
(public holidays) and time zone, our metafield definitions, the catalog and its stock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.services import mirror
from app.services.ports import PlatformGateway
from app.storage import shops as shop_store
from app.storage.db import Database


class Onboarding:
    def __init__(self, db: Database, gateway: PlatformGateway, clock: Callable[[], datetime]):
        self._db = db
        self._gateway = gateway
        self._clock = clock

    def setup(self, shop: str) -> str:
        profile = self._gateway.shop_profile(shop)
        self._gateway.ensure_definitions(shop)
        variants = self._gateway.catalog(shop)
        items = sorted({v.inventory_item_id for v in variants if v.inventory_item_id})
        started = self._clock()
        readings = self._gateway.stock(shop, items) if items else []
        with self._db.transaction() as s:
            row = shop_store.find(s, shop)
            if row is None or not row.installed:
                return "dropped: shop not installed"
            row.country_code, row.timezone = profile.country_code, profile.timezone
            mirror.upsert_variants(s, shop, variants, None)
            for reading in readings:
                mirror.apply_stock(s, shop, reading, mirror.read_stamp(reading, started))
        return f"set up: {len(variants)} variants, {len(readings)} stock levels"
