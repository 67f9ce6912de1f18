"""The receipt book of webhook deliveries: who may send, and each delivery recorded once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update

from app.config import COMPLIANCE_TOPICS
from app.storage.db import Database
from app.storage.tables import Shop, WebhookReceipt

SHOP_CACHE_SECONDS = 5.0


class Intake:
    def __init__(self, db: Database, clock: Callable[[], datetime]):
        self._db = db
        self._clock = clock
        self._known: dict[str, tuple[float, bool, bool]] = {}
        self._lock = threading.Lock()

    def accepts(self, shop: str, topic: str) -> bool:
        """Installed shops, and for compliance topics any shop whose data we still hold
        (`shop/redact` comes 48 hours after the uninstall)."""
        installed, held = self._shop_state(shop)
        return held if topic in COMPLIANCE_TOPICS else installed

    def forget(self, shop: str) -> None:
        with self._lock:
            self._known.pop(shop, None)

    def _shop_state(self, shop: str) -> tuple[bool, bool]:
        # A short cache keeps a burst of deliveries off the shops table; the worker checks again.
        now = time.monotonic()
        with self._lock:
            cached = self._known.get(shop)
        if cached and now - cached[0] < SHOP_CACHE_SECONDS:
            return cached[1], cached[2]
        with self._db.transaction() as s:
            installed = s.scalar(select(Shop.installed).where(Shop.shop == shop))
        state = (bool(installed), installed is not None)
        with self._lock:
            self._known[shop] = (now, *state)
        return state

    def record(self, *, webhook_id: str, event_id: str | None, topic: str, shop: str,
               api_version: str | None, triggered_at: str | None, payload: str) -> int | None:
        """The new receipt's id, or None when this delivery was already received (the unique
        webhook id refuses it)."""
        return self._db.insert_row(WebhookReceipt.__table__, dict(
            webhook_id=webhook_id, event_id=event_id, topic=topic, shop=shop,
            api_version=api_version, triggered_at=triggered_at, received_at=self._clock(),
            payload=payload))

    def unprocessed(self, older_than: datetime, limit: int = 500) -> list[int]:
        """Receipts whose job never finished (lost enqueue, crashed worker): the sweeper re-enqueues."""
        with self._db.transaction() as s:
            return list(s.scalars(
                select(WebhookReceipt.id)
                .where(WebhookReceipt.processed_at.is_(None), WebhookReceipt.received_at < older_than)
                .order_by(WebhookReceipt.id).limit(limit)))

    def mark_processed(self, session, receipt_id: int, outcome: str) -> None:
        """Inside the job's own transaction, so the work and the mark commit together.
        The payload is dropped: personal data does not stay in the receipt book."""
        session.execute(
            update(WebhookReceipt).where(WebhookReceipt.id == receipt_id)
            .values(processed_at=self._clock(), outcome=outcome[:255], payload=None))
