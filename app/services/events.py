"""The worker's side of a webhook: one receipt, handled once, in one transaction with its mark.

A handler gets the open session, the shop and the payload, does its work through that session and
returns a short outcome. Follow-up work (a sync with the platform) is queued after the commit."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from app.config import COMPLIANCE_TOPICS
from app.services import privacy
from app.services.installs import revoke
from app.services.intake import Intake
from app.services.messages import Enqueue, FollowUp, ReofferShop, nowhere
from app.services.planning import offers_given_up
from app.storage import deliveries as delivery_store
from app.storage import shops as shop_store
from app.storage.db import Database, Tx
from app.storage.tables import WebhookReceipt

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    message: str
    follow_ups: list[FollowUp] = field(default_factory=list)


Handler = Callable[[Tx, str, dict], Outcome | str]
# What a prepare step read from the platform reaches its handler under this key of the payload.
PREPARED = "_prepared"


class Events:
    def __init__(self, db: Database, intake: Intake, clock: Callable[[], datetime],
                 registry: dict[str, str], max_attempts: int = 10, enqueue: Enqueue = nowhere):
        self._db = db
        self._enqueue = enqueue
        self._max_attempts = max_attempts
        self._intake = intake
        self._clock = clock
        self._registry = registry
        self.handlers: dict[str, Handler] = {
            "uninstall": self._uninstall,
            "shop_redact": lambda s, shop, p: privacy.purge_shop(s, shop),
        }
        self.preparers: dict[str, Callable[[str, dict], dict | None]] = {}

    def register(self, kind: str, handler: Handler,
                 prepare: Callable[[str, dict], dict | None] | None = None) -> None:
        self.handlers[kind] = handler
        if prepare is not None:
            self.preparers[kind] = prepare

    def process_receipt(self, receipt_id: int) -> str:
        """Handle one receipt. A failure is counted and raised, so the job is retried; once it has
        failed `max_attempts` times the receipt is a dead letter and nothing retries it by itself
        (a poison message would otherwise be re-queued forever)."""
        try:
            return self._process(receipt_id)
        except Exception as error:
            if not self._intake.record_failure(receipt_id, error, self._max_attempts):
                raise
            log.error("webhook %s is a dead letter after %d failed attempts: %s",
                      receipt_id, self._max_attempts, type(error).__name__)
            return "dead letter"

    def _process(self, receipt_id: int) -> str:
        prepared = self._prepare(receipt_id)
        with self._db.transaction() as s:
            receipt = delivery_store.receipt_for_update(s, receipt_id)
            if receipt is None or receipt.processed_at is not None:
                return "already processed"
            outcome = self._handle(s, receipt, prepared)
            self._intake.mark_processed(s, receipt.id, outcome.message)
            reoffers = [ReofferShop(shop) for shop in sorted(offers_given_up(s))]
        for message in outcome.follow_ups + reoffers:
            self._enqueue(message)
        log.info("webhook %s %s for %s: %s", receipt_id, receipt.topic, receipt.shop, outcome.message)
        return outcome.message

    def _prepare(self, receipt_id: int) -> dict | None:
        """Platform reads a handler needs, done before its transaction so no lock is held
        across a network call; what they found is handed to the handler. The look is a read:
        on SQLite it takes no writer's turn."""
        with self._db.read() as s:
            receipt = delivery_store.receipt(s, receipt_id)
            if receipt is None or receipt.processed_at is not None:
                return None
            shop = shop_store.find(s, receipt.shop)
            if shop is None or not shop.installed:
                return None
            topic, shop_domain, payload = receipt.topic, receipt.shop, receipt.payload
        prepare = self.preparers.get(self._registry.get(topic, ""))
        return prepare(shop_domain, json.loads(payload or "{}")) if prepare is not None else None

    def _handle(self, s: Tx, receipt: WebhookReceipt, prepared: dict | None) -> Outcome:
        shop = shop_store.find(s, receipt.shop)
        compliance = receipt.topic in COMPLIANCE_TOPICS
        if shop is None or (not compliance and not shop.installed):
            return Outcome("dropped: shop not installed")
        kind = self._registry.get(receipt.topic)
        handler = self.handlers.get(kind or "")
        if handler is None:
            return Outcome(f"dropped: no handler for {receipt.topic}")
        payload = json.loads(receipt.payload or "{}")
        if prepared:
            payload[PREPARED] = prepared
        result = handler(s, receipt.shop, payload)
        return result if isinstance(result, Outcome) else Outcome(result)

    def _uninstall(self, s: Tx, shop: str, payload: dict) -> str:
        revoke(shop_store.find(s, shop, lock=True), self._clock())
        self._intake.forget(shop)
        return "uninstalled: tokens revoked"

    def record_scopes(self, s: Tx, shop: str, scopes: list[str]) -> str:
        """The scopes the shop grants now, as its platform reports a change of them."""
        shop_store.find(s, shop, lock=True).scopes = ",".join(scopes)
        return f"scopes recorded: {','.join(scopes)}"

    def export_customer(self, s: Tx, shop: str, request: privacy.CustomerRequest) -> str:
        return privacy.export_customer(s, shop, request, self._clock())
