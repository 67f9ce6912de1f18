"""A minimal Saleor app on 127.0.0.1, to test the test bed and Saleor's behaviour through it.

It serves its manifest, takes the app token at its register endpoint (and checks it the way
app-sdk does: `{ app { id } }` back to Saleor with it), and records every webhook delivery.
Saleor delivers webhooks during the request that causes them (no Celery broker), so a delivery is
recorded by the time that request has returned.

    with StubApp(events=["PRODUCT_VARIANT_STOCK_UPDATED"]) as app:
        saleor.install_app(app.manifest_url, ["MANAGE_PRODUCTS"])
        ...
        app.deliveries_of("PRODUCT_VARIANT_STOCK_UPDATED")
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

VARIANT = "productVariant { id sku trackInventory stocks { warehouse { id } quantity quantityAllocated } }"
SUBSCRIPTION = (
    "subscription { event { __typename"
    " ... on ProductVariantStockUpdated { warehouse { id } " + VARIANT + " }"
    " ... on ProductVariantBackInStock { warehouse { id } " + VARIANT + " }"
    " ... on ProductVariantOutOfStock { warehouse { id } " + VARIANT + " }"
    " ... on OrderCreated { order { id lines { id quantity allocations { quantity } } } }"
    " ... on OrderFulfilled { order { id } }"
    " } }"
)


@dataclass
class Delivery:
    event: str  # the Saleor-Event header, upper-cased: PRODUCT_VARIANT_STOCK_UPDATED
    headers: dict
    payload: dict


class StubApp:
    def __init__(self, events: Iterable[str], permissions: Iterable[str] = ("MANAGE_PRODUCTS",
                 "MANAGE_ORDERS"), identifier: str = "com.example.testbed-stub",
                 subscription: str = SUBSCRIPTION):
        self.events = list(events)
        self.permissions = list(permissions)
        self.identifier = identifier
        self.subscription = subscription
        self.token: str | None = None
        self.app_id: str | None = None
        self.api_url: str | None = None
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server, "start the stub app first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def manifest_url(self) -> str:
        return f"{self.url}/manifest"

    def manifest(self) -> dict:
        return {
            "id": self.identifier,
            "version": "1.0.0",
            "name": "Test bed stub",
            "about": "Records webhook deliveries for the test bed's tests.",
            "author": "Backorders",
            "permissions": self.permissions,
            "appUrl": f"{self.url}/app",
            "tokenTargetUrl": f"{self.url}/register",
            "webhooks": [{
                "name": "testbed-stub",
                "asyncEvents": self.events,
                "query": self.subscription,
                "targetUrl": f"{self.url}/webhooks",
                "isActive": True,
            }] if self.events else [],
        }

    def deliveries_of(self, event: str) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if d.event == event]

    def wait_for(self, event: str, count: int = 1, timeout: float = 10.0) -> list[Delivery]:
        """The deliveries of an event once there are at least `count` (or as many as came)."""
        deadline = time.monotonic() + timeout
        while len(found := self.deliveries_of(event)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return found

    def clear(self) -> None:
        with self._lock:
            self.deliveries.clear()

    def start(self) -> StubApp:
        app = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/manifest":
                    self._json(200, app.manifest())
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                payload = json.loads(body or b"{}")
                if self.path == "/register":
                    api_url = self.headers.get("Saleor-Api-Url")
                    token = payload.get("auth_token")
                    # As app-sdk does: the token must name an app of the Saleor that sent it.
                    r = requests.post(api_url, json={"query": "{ app { id } }"},
                                      headers={"Authorization": f"Bearer {token}"}, timeout=10)
                    app_id = ((r.json().get("data") or {}).get("app") or {}).get("id")
                    if not app_id:
                        self._json(401, {"success": False, "error": {
                            "code": "UNKNOWN_APP_ID", "message": "the token names no app"}})
                        return
                    app.token, app.app_id, app.api_url = token, app_id, api_url
                    self._json(200, {"success": True})
                elif self.path == "/webhooks":
                    event = (self.headers.get("Saleor-Event") or "").upper()
                    with app._lock:
                        app.deliveries.append(Delivery(event, dict(self.headers), payload))
                    self._json(200, {})
                else:
                    self._json(404, {"error": "not found"})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StubApp:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
