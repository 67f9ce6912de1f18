"""Signed webhook deliveries to the app, with Shopify's headers, retries with backoff, and switches
that reproduce what goes wrong in production: duplicates, reordering, delay, bad signatures.

Either a background thread sends over HTTP, or (for tests) deliveries wait in the outbox until
`drain()` sends them, in the calling thread, through any transport (e.g. a WSGI test client)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

Transport = Callable[[str, dict, bytes], int]
COMPLIANCE_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")
# Every topic the simulator sends; the payload contract test drives each one.
TOPICS = (*COMPLIANCE_TOPICS, "app/uninstalled", "app/scopes_update",
          "products/create", "products/update", "products/delete", "inventory_items/update",
          "inventory_levels/update", "orders/create", "orders/updated", "orders/edited", "orders/cancelled",
          "orders/fulfilled", "orders/partially_fulfilled", "refunds/create",
          "fulfillment_orders/order_routing_complete", "fulfillment_orders/split",
          "fulfillment_orders/placed_on_hold", "fulfillment_orders/hold_released",
          "fulfillment_orders/moved", "fulfillment_orders/merged")


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class Delivery:
    shop: str
    topic: str
    body: bytes
    event_id: str
    triggered_at: str
    webhook_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    attempts: int = 0
    due: float = 0.0


@dataclass
class Switches:
    """Duplicates are the same event delivered twice, so they share X-Shopify-Event-Id; a retry of
    one delivery keeps its X-Shopify-Webhook-Id (fact 20)."""

    duplicates: str | bool = False  # True / "same-id": resend as is; "new-id": new X-Shopify-Webhook-Id
    reorder: bool = False
    delay: float = 0.0
    wrong_signature: bool = False


def http_transport(timeout: tuple[float, float] = (1.0, 5.0)) -> Transport:
    session = requests.Session()

    def send(url: str, headers: dict, body: bytes) -> int:
        return session.post(url, data=body, headers=headers, timeout=timeout).status_code

    return send


def wsgi_transport(client) -> Transport:
    """Delivers through a Flask/werkzeug test client: the path of the URL is what it needs."""

    def send(url: str, headers: dict, body: bytes) -> int:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return client.post(path, data=body, headers=headers).status_code

    return send


class WebhookSender:
    def __init__(self, endpoint: str, secret: str, api_version: str, transport: Transport | None = None,
                 threaded: bool = True, max_attempts: int = 8, backoff: float = 0.05, seed: int = 0):
        self.endpoint = endpoint
        self.secret = secret
        self.api_version = api_version
        self.transport = transport or http_transport()
        self.threaded = threaded
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.switches = Switches()
        self.counters = {"enqueued": 0, "attempts": 0, "delivered": 0, "failed": 0, "retried": 0}
        self.log: list[dict] = []
        self._rng = random.Random(seed)
        self._outbox: list[Delivery] = []
        self._in_flight = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def enqueue(self, shop: str, topic: str, payload: dict, event_id: str, triggered_at: str) -> None:
        body = json.dumps(payload).encode()
        delivery = Delivery(shop, topic, body, event_id, triggered_at,
                            due=time.monotonic() + self.switches.delay)
        copies = [delivery]
        if self.switches.duplicates:
            twin = Delivery(shop, topic, body, event_id, triggered_at, due=delivery.due)
            if self.switches.duplicates != "new-id":
                twin.webhook_id = delivery.webhook_id
            copies.append(twin)
        with self._cond:
            self._outbox.extend(copies)
            self.counters["enqueued"] += len(copies)
            self._cond.notify_all()
        if self.threaded:
            self._ensure_thread()

    def headers(self, delivery: Delivery) -> dict:
        secret = self.secret + "-wrong" if self.switches.wrong_signature else self.secret
        return {
            "Content-Type": "application/json",
            "User-Agent": "Shopify-Captain-Hook",
            "X-Shopify-Topic": delivery.topic,
            "X-Shopify-Hmac-Sha256": sign(delivery.body, secret),
            "X-Shopify-Shop-Domain": delivery.shop,
            "X-Shopify-API-Version": self.api_version,
            "X-Shopify-Webhook-Id": delivery.webhook_id,
            "X-Shopify-Event-Id": delivery.event_id,
            "X-Shopify-Triggered-At": delivery.triggered_at,
        }

    def _take_batch(self, ready_only: bool) -> list[Delivery]:
        now = time.monotonic()
        with self._cond:
            batch = [d for d in self._outbox if not ready_only or d.due <= now]
            taken = {id(d) for d in batch}  # by identity: a same-id duplicate equals its original
            self._outbox = [d for d in self._outbox if id(d) not in taken]
            self._in_flight += len(batch)
        if self.switches.reorder:
            self._rng.shuffle(batch)
        return batch

    def _send(self, delivery: Delivery, retry_now: bool) -> None:
        delivery.attempts += 1
        self.counters["attempts"] += 1
        try:
            status = self.transport(self.endpoint, self.headers(delivery), delivery.body)
        except Exception as exc:  # noqa: BLE001 - any transport failure is a failed attempt
            status = f"error: {type(exc).__name__}"
        self.log.append({"topic": delivery.topic, "shop": delivery.shop, "webhook_id": delivery.webhook_id,
                         "event_id": delivery.event_id, "attempt": delivery.attempts, "status": status})
        ok = isinstance(status, int) and 200 <= status < 300
        with self._cond:
            self._in_flight -= 1
            if ok:
                self.counters["delivered"] += 1
            elif delivery.attempts < self.max_attempts:
                self.counters["retried"] += 1
                delivery.due = 0.0 if retry_now else time.monotonic() + self.backoff * 2 ** (delivery.attempts - 1)
                self._outbox.append(delivery)
            else:
                self.counters["failed"] += 1
            self._cond.notify_all()

    def drain(self, timeout: float = 10.0) -> bool:
        """Waits until every delivery has succeeded or given up. In manual mode it sends them."""
        if not self.threaded:
            while self.pending():
                for delivery in self._take_batch(ready_only=False):
                    self._send(delivery, retry_now=True)
            return True
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._outbox or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
        return True

    def pending(self) -> int:
        with self._cond:
            return len(self._outbox) + self._in_flight

    def _ensure_thread(self) -> None:
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                self._stopping = False
                self._thread = threading.Thread(target=self._loop, name="devstore-webhooks", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                if not self._outbox:
                    self._cond.wait(0.1)
                    continue
            batch = self._take_batch(ready_only=True)
            if not batch:
                time.sleep(0.01)
            for delivery in batch:
                self._send(delivery, retry_now=False)

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=2)
