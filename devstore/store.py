"""DevStore: the simulator's driving API. Tests and the demo create shops, seed catalogs, sell,
restock and uninstall through it; the app only sees the Admin API, OAuth and webhooks."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from urllib.parse import urlencode

from werkzeug.serving import make_server

from . import (
    catalog,
    flow,
    fulfillment_changes,
    holds,
    order_edits,
    orders,
    refunds,
    routing,
    session_tokens,
)
from .catalog_csv import bundled_catalog, parse_catalog
from .clock import SystemClock, graphql_time, rest_time, utc
from .core import Core, NotFound, StoreError, normalise_domain
from .cost import LeakyBucket
from .faults import Faults
from .model import Shop
from .oauth import TokenStore, host_param, query_hmac
from .payloads import shop_payload
from .schema import API_VERSION
from .snapshot import shop_state
from .webhooks import COMPLIANCE_TOPICS, TOPICS, WebhookSender, sign, wsgi_transport

DEFAULT_SCOPES = ("read_orders,write_orders,read_products,write_products,read_inventory,"
                  "read_locations,read_customers,read_merchant_managed_fulfillment_orders,"
                  "write_merchant_managed_fulfillment_orders,write_order_edits,write_discounts")
ALWAYS_SENT = (*COMPLIANCE_TOPICS, "app/uninstalled")


class DevStore:
    def __init__(self, app_url: str, api_key: str, api_secret: str, clock=None,
                 scopes: str = DEFAULT_SCOPES, api_version: str = API_VERSION,
                 bucket_size: float = 2000, restore_rate: float = 100, routing_delay: float = 0.0,
                 bulk_delay: float = 0.0, webhook_client=None, threaded_webhooks: bool | None = None,
                 webhook_backoff: float = 0.05, seed: int = 0):
        self.app_url = app_url.rstrip("/")
        self.api_key, self.api_secret, self.api_version = api_key, api_secret, api_version
        self.clock = clock or SystemClock()
        self.core = Core(clock=self.clock, emit=self._emit, routing_delay=routing_delay, bulk_delay=bulk_delay)
        self.tokens = TokenStore(self.core, api_key, api_secret, [s for s in scopes.split(",") if s])
        self.bucket_size, self.restore_rate = bucket_size, restore_rate
        self.buckets: dict[str, LeakyBucket] = {}
        self.counters: dict = {"api_requests": 0, "cost": 0, "throttled": 0, "unauthorized": 0}
        self.faults = Faults(seed=seed)
        threaded = webhook_client is None if threaded_webhooks is None else threaded_webhooks
        self.webhooks = WebhookSender(f"{self.app_url}/webhooks", api_secret, api_version,
                                      transport=wsgi_transport(webhook_client) if webhook_client else None,
                                      threaded=threaded, backoff=webhook_backoff, seed=seed)
        self.base_url = "http://127.0.0.1"
        self._wsgi = None

    # -- events ---------------------------------------------------------------------------------
    def _emit(self, shop: Shop, topic: str, payload: dict) -> None:
        if topic not in TOPICS:
            raise StoreError(f"topic {topic!r} is not in webhooks.TOPICS")
        if not shop.installed and topic not in ALWAYS_SENT:
            return
        triggered = rest_time(self.clock.now()) or ""
        self.webhooks.enqueue(shop.domain, topic, payload, str(uuid.uuid4()), triggered)

    def process_due(self) -> None:
        """Work Shopify does a little later (routing orders to fulfillment orders)."""
        with self.core.lock:
            routing.route_due(self.core)

    def drain_webhooks(self, timeout: float = 10.0) -> bool:
        self.process_due()
        return self.webhooks.drain(timeout)

    # -- shops and catalog ----------------------------------------------------------------------
    def create_shop(self, domain: str, name: str | None = None, locations: list[str] | None = None,
                    **settings) -> dict:
        with self.core.lock:
            shop = catalog.create_shop(self.core, domain, name, locations, **settings)
            self.buckets[shop.domain] = LeakyBucket(self.clock, self.bucket_size, self.restore_rate)
            return self.shop_info(shop.domain)

    def shop(self, domain: str) -> Shop:
        return self.core.shop(domain)

    def shop_info(self, domain: str) -> dict:
        shop = self.shop(domain)
        return {**shop_payload(shop), "installed": shop.installed, "scopes": shop.scopes,
                "locations": [{"id": loc.id, "name": loc.name} for loc in shop.locations.values()]}

    def add_location(self, domain: str, name: str, fulfillment_service: bool = False) -> dict:
        """`fulfillment_service=True`: a location run by a fulfillment service (3PL), whose
        fulfillment orders need the third-party fulfillment-order scopes."""
        with self.core.lock:
            location = catalog.add_location(self.core, self.shop(domain), name, fulfillment_service)
            return {"id": location.id, "name": location.name, "fulfillment_service": location.fulfillment_service}

    def seed_catalog(self, domain: str, catalog_name: str | None = None, csv_text: str | None = None,
                     location: int | str | None = None, csv_tracking: bool = False) -> list[dict]:
        """Imports a bundled catalog (`apparel`, `home-and-garden`) or product-import CSV text.
        `csv_tracking=True` follows the CSV's Variant Inventory Tracker column (blank: untracked)."""
        if (catalog_name is None) == (csv_text is None):
            raise StoreError("give exactly one of catalog_name or csv_text")
        rows = bundled_catalog(catalog_name) if catalog_name else parse_catalog(csv_text.splitlines())
        with self.core.lock:
            products = catalog.seed_catalog(self.core, self.shop(domain), rows, location, csv_tracking)
            return [{"id": p.id, "title": p.title, "variant_ids": list(p.variant_ids),
                     "images": [image.src for image in p.images]} for p in products]

    def set_stock(self, domain: str, variant: int | str, available: int, location: int | str | None = None) -> dict:
        with self.core.lock:
            return vars(catalog.set_stock(self.core, self.shop(domain), variant, available, location)).copy()

    def receive_stock(self, domain: str, variant: int | str, quantity: int, location: int | str | None = None) -> dict:
        with self.core.lock:
            return vars(catalog.receive_stock(self.core, self.shop(domain), variant, quantity, location)).copy()

    def set_incoming(self, domain: str, variant: int | str, quantity: int, location: int | str | None = None) -> dict:
        with self.core.lock:
            return vars(catalog.set_incoming(self.core, self.shop(domain), variant, quantity, location)).copy()

    def set_inventory_policy(self, domain: str, variant: int | str, policy: str) -> None:
        with self.core.lock:
            shop = self.shop(domain)
            catalog.set_inventory_policy(self.core, shop, catalog.resolve_variant(shop, variant), policy.upper())

    def set_tracked(self, domain: str, variant: int | str, tracked: bool) -> None:
        """InventoryItem.tracked: an untracked item never changes quantities and never sells out."""
        with self.core.lock:
            shop = self.shop(domain)
            catalog.set_tracked(self.core, shop, catalog.resolve_variant(shop, variant), bool(tracked))

    def set_requires_shipping(self, domain: str, variant: int | str, requires_shipping: bool) -> None:
        with self.core.lock:
            shop = self.shop(domain)
            catalog.set_requires_shipping(self.core, shop, catalog.resolve_variant(shop, variant),
                                          bool(requires_shipping))

    def delete_product(self, domain: str, product_id: int) -> None:
        with self.core.lock:
            catalog.delete_product(self.core, self.shop(domain), int(product_id))

    # -- orders ---------------------------------------------------------------------------------
    def place_order(self, domain: str, lines: list, customer: dict | None = None,
                    location: int | str | None = None) -> dict:
        """`lines`: [(variant, quantity)] or dicts: {"variant": ..., "quantity": ...} (variant by id,
        GID or SKU), or a custom line {"title": ..., "price": "5.00", "quantity": 1,
        "requires_shipping": bool} with no variant. `location` routes every line there; without it
        each line goes to the first location with enough available, else the first location."""
        requests_ = [orders.OrderLineRequest(*line) if isinstance(line, (tuple, list)) else _line_request(line)
                     for line in lines]
        with self.core.lock:
            shop = self.shop(domain)
            order = orders.place_order(self.core, shop, requests_, customer, location)
            return self.order_state(domain, order.id)

    def flash_sale(self, domain: str, orders_count: int, variants: list | None = None,
                   max_quantity: int = 2, seed: int = 0, customer_tags: list[str] | None = None,
                   location: int | str | None = None) -> dict:
        with self.core.lock:
            result = orders.flash_sale(self.core, self.shop(domain), orders_count, variants,
                                       max_quantity, seed, customer_tags, location)
            return {"placed": result.placed, "refused": result.refused}

    def cancel_order(self, domain: str, order: int | str) -> dict:
        with self.core.lock:
            shop = self.shop(domain)
            found = orders.find_order(shop, order)
            orders.cancel_order(self.core, shop, found)
            return self.order_state(domain, found.id)

    def fulfil_order(self, domain: str, order: int | str, line_item_ids: list[int] | None = None) -> dict:
        with self.core.lock:
            shop = self.shop(domain)
            found = orders.find_order(shop, order)
            shipped = orders.fulfil_order(self.core, shop, found, line_item_ids)
            return {"shipped": shipped, "order": self.order_state(domain, found.id)}

    def edit_order(self, domain: str, order: int | str, line_item_id: int, remove: int) -> dict:
        """An order edit taking `remove` unfulfilled units off a line."""
        with self.core.lock:
            shop = self.shop(domain)
            found = orders.find_order(shop, order)
            order_edits.remove_units(self.core, shop, found, int(line_item_id), int(remove))
            return self.order_state(domain, found.id)

    def add_to_order(self, domain: str, order: int | str, variant: int | str, quantity: int,
                     location: int | str | None = None) -> dict:
        """An order edit adding a line now: stock is committed at the edit (fact 15)."""
        with self.core.lock:
            shop = self.shop(domain)
            found = orders.find_order(shop, order)
            order_edits.add_line(self.core, shop, found, variant, int(quantity), location)
            return self.order_state(domain, found.id)

    def refund_order(self, domain: str, order: int | str, line_item_id: int, quantity: int,
                     restock: bool = True, note: str | None = None) -> dict:
        """Refunds `quantity` units of a line (unfulfilled units first); sends refunds/create."""
        with self.core.lock:
            shop = self.shop(domain)
            found = orders.find_order(shop, order)
            line = orders.find_line(found, line_item_id)
            refund = refunds.refund_order(self.core, shop, found, line, int(quantity), bool(restock), note)
            return {"refund_id": refund.id, "order": self.order_state(domain, found.id)}

    def move_fulfillment_order(self, domain: str, fulfillment_order_id: int, location: int | str) -> dict:
        """Re-assigns a fulfillment order's unfulfilled units to another location."""
        with self.core.lock:
            shop = self.shop(domain)
            fo = self._fulfillment_order(shop, fulfillment_order_id)
            moved = fulfillment_changes.move(self.core, shop, fo, catalog.resolve_location(shop, location))
            return {"moved_fulfillment_order_id": moved.id, "order": self.order_state(domain, fo.order_id)}

    def merge_fulfillment_orders(self, domain: str, fulfillment_order_ids: list[int]) -> dict:
        """Merges open fulfillment orders of one order at one location into the first."""
        with self.core.lock:
            shop = self.shop(domain)
            fos = [self._fulfillment_order(shop, fo_id) for fo_id in fulfillment_order_ids]
            merged = fulfillment_changes.merge(self.core, shop, fos)
            return {"fulfillment_order_id": merged.id, "order": self.order_state(domain, merged.order_id)}

    def _fulfillment_order(self, shop: Shop, fulfillment_order_id: int | str):
        fo = holds.find_fulfillment_order(shop, f"gid://shopify/FulfillmentOrder/{str(fulfillment_order_id).rsplit('/', 1)[-1]}")
        if fo is None:
            raise NotFound(f"fulfillment order {fulfillment_order_id} not found in {shop.domain}")
        return fo

    def merchant_split(self, domain: str, fulfillment_order_id: int, moves: dict[int, int]) -> dict:
        """The merchant splits units (fulfillment order line id -> units) off an open fulfillment
        order into a new one; fulfillment_orders/split is sent (`fulfillment_changes.split`)."""
        with self.core.lock:
            shop = self.shop(domain)
            new = fulfillment_changes.split(self.core, shop, self._fulfillment_order(shop, fulfillment_order_id),
                                            moves)
            return {"fulfillment_order_id": new.id, "order": self.order_state(domain, new.order_id)}

    def merchant_hold(self, domain: str, fulfillment_order_id: int, reason: str = "OTHER",
                      handle: str = "merchant") -> dict:
        """A hold placed by the merchant (not by the app): the app must not release it."""
        with self.core.lock:
            result = holds.place_hold(self.core, self.shop(domain), f"gid://shopify/FulfillmentOrder/{fulfillment_order_id}",
                                      {"reason": reason, "handle": handle}, app_id=None)
            if result.user_errors:
                raise StoreError(result.user_errors[0]["message"])
            return {"hold_id": result.hold.id}

    def merchant_release(self, domain: str, fulfillment_order_id: int, hold_id: int | None = None) -> dict:
        """The merchant releases one hold (any placer's), or every hold when `hold_id` is None.
        fulfillment_orders/hold_released is sent when the last hold goes (fact 10)."""
        with self.core.lock:
            hold_ids = None if hold_id is None else [f"gid://shopify/FulfillmentHold/{hold_id}"]
            result = holds.release_holds(self.core, self.shop(domain), f"gid://shopify/FulfillmentOrder/{fulfillment_order_id}",
                                         hold_ids, app_id=None, merchant=True)
            if result.user_errors:
                raise StoreError(result.user_errors[0]["message"])
            return {"status": result.fulfillment_order.status,
                    "holds": [h.id for h in result.fulfillment_order.holds]}

    # -- install, tokens, compliance -----------------------------------------------------------------
    def install(self, domain: str, scopes: list[str] | None = None) -> None:
        """Shopify-managed install: scopes granted, webhooks flow; the app gets its token later
        (token exchange or authorization code)."""
        with self.core.lock:
            shop = self.shop(domain)
            shop.installed, shop.scopes = True, list(scopes or self.tokens.default_scopes)

    def issue_token(self, domain: str, expiring: bool = True) -> dict:
        with self.core.lock:
            shop = self.shop(domain)
            return self.tokens.issue(shop.domain, shop.scopes or self.tokens.default_scopes, expiring)

    def uninstall(self, domain: str) -> None:
        with self.core.lock:
            shop = self.shop(domain)
            self.tokens.revoke_shop(shop.domain)
            self._emit(shop, "app/uninstalled", shop_payload(shop))
            shop.installed = False

    def update_scopes(self, domain: str, scopes: list[str]) -> None:
        with self.core.lock:
            shop = self.shop(domain)
            previous, shop.scopes = shop.scopes, list(scopes)
            self._emit(shop, "app/scopes_update", {"id": shop.id, "shop_id": f"gid://shopify/Shop/{shop.id}",
                                                    "previous": previous, "current": list(scopes),
                                                    "updated_at": graphql_time(self.clock.now())})

    def request_shop_redact(self, domain: str) -> None:
        with self.core.lock:
            shop = self.shop(domain)
            self._emit(shop, "shop/redact", {"shop_id": shop.id, "shop_domain": shop.domain})

    def request_customer_data(self, domain: str, customer_id: int) -> None:
        self._customer_compliance(domain, customer_id, "customers/data_request", "orders_requested")

    def request_customer_redact(self, domain: str, customer_id: int) -> None:
        self._customer_compliance(domain, customer_id, "customers/redact", "orders_to_redact")

    def _customer_compliance(self, domain: str, customer_id: int, topic: str, orders_key: str) -> None:
        with self.core.lock:
            shop = self.shop(domain)
            customer = shop.customers.get(int(customer_id))
            if customer is None:
                raise StoreError(f"customer {customer_id} not found", status=404)
            body = {"shop_id": shop.id, "shop_domain": shop.domain,
                    "customer": {"id": customer.id, "email": customer.email, "phone": customer.phone},
                    orders_key: [o.id for o in shop.orders.values() if o.customer_id == customer.id]}
            if topic == "customers/data_request":
                body["data_request"] = {"id": self.core.ids.next("DataRequest")}
            self._emit(shop, topic, body)

    def session_token(self, domain: str, user_id: int = 1) -> str:
        return session_tokens.mint(normalise_domain(domain), self.api_key, self.api_secret, self.clock.now(), user_id)

    def signed_app_url(self, domain: str, path: str = "/", **params) -> str:
        """The URL Shopify opens when the merchant launches the app: shop, host, timestamp, hmac."""
        shop = normalise_domain(domain)
        query = {"shop": shop, "host": host_param(shop), "timestamp": str(int(self.clock.now())), **params}
        query["hmac"] = query_hmac(query, self.api_secret)
        return f"{self.app_url}{path}?{urlencode(query)}"

    # -- reading back -----------------------------------------------------------------------------
    def state(self, domain: str) -> dict:
        with self.core.lock:
            return shop_state(self.shop(domain), self.core.app_id)

    def discount_codes(self, domain: str) -> list[dict]:
        """The shop's code discounts as made: code, kind, value, buyers and limits."""
        with self.core.lock:
            return [{"code": d.code, "title": d.title, "kind": d.kind, "value": str(d.value),
                     "customer_ids": list(d.customer_ids), "usage_limit": d.usage_limit,
                     "once_per_customer": d.once_per_customer, "starts_at": d.starts_at}
                    for d in self.shop(domain).discounts.values()]

    def order_state(self, domain: str, order_id: int) -> dict:
        with self.core.lock:
            state = shop_state(self.shop(domain), self.core.app_id, only_order=int(order_id))
            return state["orders"][0]

    def stats(self) -> dict:
        return {**self.counters, "faults": dict(self.faults.counters), "webhooks": dict(self.webhooks.counters),
                "webhooks_pending": self.webhooks.pending()}

    def bucket(self, domain: str) -> LeakyBucket:
        return self.buckets[normalise_domain(domain)]

    # -- Flow triggers -------------------------------------------------------------------------
    def register_flow_triggers(self, folder: str | Path) -> list[str]:
        """The app's trigger extensions, read from its `extensions/` folder as a deploy would:
        `flowTriggerReceive` accepts their handles and checks payloads against their fields."""
        extensions = flow.load_extensions(Path(folder))
        with self.core.lock:
            self.core.flow_triggers.update({e.handle: e for e in extensions})
            self.core.flow_lifecycle_url = flow.lifecycle_url(Path(folder), self.app_url)
        return [e.handle for e in extensions]

    def set_workflow(self, domain: str, handle: str, enabled: bool = True) -> bool:
        """A merchant turns a workflow that starts with the app's trigger `handle` on or off;
        Flow tells the app (`flow`, "Workflows"). Whether the workflow is now on: turning one on
        fails unless the app answered 2xx."""
        with self.core.lock:
            shop = self.shop(domain)
            extension = self.core.flow_triggers.get(handle)
            url = self.core.flow_lifecycle_url
            if extension is None:
                raise StoreError(f"no Flow trigger {handle!r} is registered")
            at = utc(self.clock.now()).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            body = flow.lifecycle_body(extension, enabled, shop.id, shop.domain, at)
        status = 0
        if url:
            headers = {"Content-Type": "application/json",
                       "X-Shopify-Hmac-Sha256": sign(body, self.api_secret)}
            try:
                status = self.webhooks.transport(url, headers, body)
            except Exception:  # noqa: BLE001 - no answer within the time Flow waits
                status = 0
        on = enabled and 200 <= status < 300
        with self.core.lock:
            (shop.flow_workflows.add if on else shop.flow_workflows.discard)(handle)
        return on

    def flow_triggers_received(self, domain: str) -> list[dict]:
        """The triggers the shop accepted, in order: {handle, payload, at}."""
        with self.core.lock:
            return [dict(item) for item in self.shop(domain).flow_triggers_received]

    # -- switches ------------------------------------------------------------------------------
    def set_faults(self, **settings) -> None:
        self.faults.configure(**settings)

    def set_webhook_switches(self, **settings) -> None:
        for name, value in settings.items():
            if not hasattr(self.webhooks.switches, name):
                raise StoreError(f"unknown webhook switch {name!r}")
            setattr(self.webhooks.switches, name, value)

    # -- serving -----------------------------------------------------------------------------------
    @property
    def wsgi_app(self):
        if self._wsgi is None:
            from .web import create_app
            self._wsgi = create_app(self)
        return self._wsgi

    def admin_origin(self, url: str | None = None) -> str:
        """Value for the app's SHOPIFY_ADMIN_ORIGIN setting."""
        return f"{(url or self.base_url).rstrip('/')}/{{shop}}"

    def serve(self, port: int = 0, host: str = "127.0.0.1"):
        """Serves the simulator in a background thread; returns (base url, stop function)."""
        server = make_server(host, port, self.wsgi_app, threaded=True)
        self.base_url = f"http://{host}:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, name="devstore-http", daemon=True)
        thread.start()

        def stop() -> None:
            server.shutdown()
            thread.join(timeout=5)
            self.webhooks.stop()

        return self.base_url, stop


def _line_request(line: dict) -> orders.OrderLineRequest:
    variant = line.get("variant", line.get("variant_id"))
    return orders.OrderLineRequest(variant, line["quantity"], title=line.get("title"), price=line.get("price"),
                                   requires_shipping=line.get("requires_shipping"), sku=line.get("sku") or "")
