"""The receipt book of webhook deliveries: who may send, and each delivery recorded once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from app.config import COMPLIANCE_TOPICS
from app.domain.errors import NotFound
from app.storage import deliveries as delivery_store
from app.storage.db import Database, Tx
from app.storage.dead_letters import ReceiptFailure
from app.storage.tables import WebhookReceipt

SHOP_CACHE_SECONDS = 5.0
MAX_ERROR_CHARS = 1_000


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
        with self._db.read() as s:
            installed = delivery_store.shop_installed(s, shop)
        state = (bool(installed), installed is not None)
        with self._lock:
            self._known[shop] = (now, *state)
        return state

    def record(self, *, webhook_id: str, event_id: str | None, topic: str, shop: str,
               api_version: str | None, triggered_at: str | None, payload: str) -> int | None:
        """The new receipt's id, or None when this delivery was already received (the unique
        event id refuses it). This one insert is all a delivery costs the web: the receipt is
        also the queue entry, which a worker takes (`take_waiting`). So a delivery answered 200
        is recorded and will be processed, with no second write that could be lost apart."""
        return self._db.insert_row(WebhookReceipt.__table__, dict(
            webhook_id=webhook_id, event_id=event_id, topic=topic, shop=shop,
            api_version=api_version, triggered_at=triggered_at, received_at=self._clock(),
            payload=payload))

    def take_waiting(self, limit: int = 500) -> list[int]:
        """Receipts no worker has taken yet, marked taken, oldest first: the caller queues a job
        for each. A receipt taken but whose job was lost is found again by the sweeper
        (`unprocessed`); processing it twice is refused by its row lock and mark. Asked first
        in a read, so an idle worker asking often writes nothing."""
        with self._db.read() as s:
            if not delivery_store.any_unqueued(s):
                return []
        with self._db.transaction() as s:
            return delivery_store.take_unqueued(s, self._clock(), limit)

    def unprocessed(self, older_than: datetime, limit: int = 500) -> list[int]:
        """Receipts whose job never finished (lost enqueue, crashed worker): the sweeper re-enqueues.
        Dead letters are left alone: their handler failed too often, the merchant retries them."""
        with self._db.transaction() as s:
            return delivery_store.unprocessed(s, older_than, limit)

    def record_failure(self, receipt_id: int, error: Exception, max_attempts: int) -> bool:
        """Count one failed attempt, in a transaction of its own (the job's was rolled back).
        True when the receipt is now a dead letter: nothing should try it again by itself."""
        try:
            return self._count_failure(receipt_id, error, max_attempts)
        except delivery_store.FailureRace:  # two workers failed the same receipt at once
            return self._count_failure(receipt_id, error, max_attempts)

    def _count_failure(self, receipt_id: int, error: Exception, max_attempts: int) -> bool:
        now = self._clock()
        with self._db.transaction() as s:
            receipt = delivery_store.receipt(s, receipt_id)
            if receipt is None:
                return True
            failure = delivery_store.failure_for_update(s, receipt_id)
            first = failure is None
            if first:
                failure = ReceiptFailure(receipt_id=receipt_id, shop=receipt.shop, attempts=0)
            failure.attempts += 1
            failure.failed_at = now
            failure.last_error = f"{type(error).__name__}: {error}"[:MAX_ERROR_CHARS]
            if failure.attempts >= max_attempts and failure.dead_at is None:
                failure.dead_at = now
            if first:
                delivery_store.add_failure(s, failure)
            return failure.dead_at is not None

    def dead_letters(self, shop: str) -> list[dict]:
        """The shop's receipts whose handler failed too often, oldest first, for the merchant."""
        with self._db.transaction() as s:
            return [_dead_letter(receipt, failure)
                    for receipt, failure in delivery_store.dead_letters(s, shop)]

    def revive(self, shop: str, receipt_id: int) -> None:
        """The merchant retries a dead letter: it gets its full number of attempts again. Another
        shop's receipt is reported exactly like a missing one."""
        with self._db.transaction() as s:
            failure = delivery_store.failure_for_update(s, receipt_id)
            receipt = delivery_store.receipt(s, receipt_id)
            if (failure is None or failure.shop != shop or failure.dead_at is None
                    or receipt is None or receipt.processed_at is not None):
                raise NotFound(f"no dead letter {receipt_id}", field="receipt")
            failure.attempts, failure.dead_at = 0, None

    def mark_processed(self, session: Tx, receipt_id: int, outcome: str) -> None:
        """Inside the job's own transaction, so the work and the mark commit together.
        The payload is dropped: personal data does not stay in the receipt book."""
        delivery_store.mark_processed(session, receipt_id, self._clock(), outcome[:255])


def _dead_letter(receipt: WebhookReceipt, failure: ReceiptFailure) -> dict:
    return {"id": receipt.id, "topic": receipt.topic, "webhook_id": receipt.webhook_id,
            "received_at": receipt.received_at.isoformat(), "attempts": failure.attempts,
            "last_error": failure.last_error, "failed_at": failure.failed_at.isoformat(),
            "dead_at": failure.dead_at.isoformat()}
