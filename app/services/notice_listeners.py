"""Which kinds of notice a shop listens to, as its platform says: on Shopify, whether an enabled
Flow workflow starts with the kind's trigger. The sync sends only what someone listens to; a
notice nobody listens to is passed over as one the shop turned off, so it costs no call."""

from __future__ import annotations

from datetime import datetime

from app.domain.notices import KINDS
from app.services.ports import PlatformGateway
from app.storage import notice_listeners as listener_store
from app.storage.db import Database, Tx

EVERY_KIND = frozenset(KINDS)


def kinds_heard(tx: Tx, gateway: PlatformGateway, shop: str) -> frozenset[str]:
    """The kinds of notice someone listens to on the shop: every kind, unless its platform
    names the listeners."""
    if not gateway.names_listeners(shop):
        return EVERY_KIND
    return listener_store.heard(tx, shop, EVERY_KIND)


class NoticeListeners:
    def __init__(self, db: Database):
        self._db = db

    def said(self, shop: str, listener: str, listening: bool, at: datetime) -> bool:
        """Whether the shop listens to `listener` (a kind of notice, or a name for some
        other), as of `at`; False when a later word on it was kept already."""
        with self._db.transaction() as s:
            return listener_store.record(s, shop, listener, listening, at)
