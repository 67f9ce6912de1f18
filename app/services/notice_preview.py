"""The settings page's preview of the customer's messages: for one kind of notice, what the
platform would be sent for an order of the shop, built by the same code as what the sync sends
(`app.domain.notices` makes the notice, the platform's adapter its message). The order is the
shop's oldest one still waiting, with its own facts and what its customer was told; a shop with
nothing waiting gets a made-up order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.domain.notices import NoticeFacts, Told, example, sample_facts, with_note
from app.domain.policy import Policy
from app.services.notice_listeners import kinds_heard
from app.services.ports import PlatformGateway
from app.services.sync import TOLD
from app.storage import notices as notice_store
from app.storage import shops as shop_store
from app.storage.db import Database


class NoticePreview:
    def __init__(self, db: Database, gateway: PlatformGateway, clock: Callable[[], datetime]):
        self._db = db
        self._gateway = gateway
        self._clock = clock

    def preview(self, shop: str, kind: str) -> dict:
        """`kind`: one of `app.domain.notices.KINDS`, checked by the caller."""
        today = self._clock().date()
        with self._db.read() as s:
            row = shop_store.find(s, shop)
            settings = Policy.from_dict((row.policy if row else None) or {}).notices
            waiting = notice_store.waiting_order(s, shop)
            heard = kinds_heard(s, self._gateway, shop)
        facts = NoticeFacts.from_dict((waiting.desired or {}).get("notify")) if waiting else None
        if facts is None or facts.owed == 0:  # nothing waits, or its state is still being made
            order, facts, told = None, sample_facts(settings, today), None
        else:
            order, told = waiting, Told.from_dict((waiting.applied or {}).get(TOLD))
        notice = with_note(example(kind, facts, settings, today, told), settings)
        message = self._gateway.notice_message(shop, order.order_id if order else None, notice)
        return {
            "kind": kind,
            "enabled": kind in settings.enabled,
            "listening": kind in heard,
            "order": {"id": order.order_id, "name": order.name, "sample": False} if order
            else {"id": None, "name": "a sample order", "sample": True},
            "message": None if message is None else {
                "target": message.target, "payload": message.payload, "size": message.size,
                "limit": message.limit, "fits": message.size <= message.limit},
        }
