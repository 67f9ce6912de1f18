"""`flask --app app demo`: the whole mission, end to end, against the local store simulator.

It starts the simulator, this app (web and worker, on the embedded default: SQLite and a SQLite
queue) and installs the app through Shopify-managed install and token exchange. Then it loads a
catalog with some stock, enters restocks through the admin API, runs a flash sale that oversells
several variants, lets one restock arrive, has a supplier move another restock later (so some
orders ship later than first promised), and prints what the store now shows."""

from __future__ import annotations

import csv
import io
import logging
import signal
import statistics
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from threading import Thread

import click
import requests
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.config import Config
from app.storage.tables import OrderLine, OrderSync, RestockRow

EXTENSIONS = Path(__file__).parents[1] / "extensions"  # the app's Flow trigger extensions

SHOP = "backorders-demo.myshopify.com"
OVERSOLD = 6  # variants that keep selling past zero
SETTLE_TIMEOUT_S = 300


class Demo:
    def __init__(self, config: Config, orders: int, seed: int, echo=click.echo):
        from devstore.store import DevStore

        self.echo = echo
        self.started = time.monotonic()
        self.orders = orders
        self.seed = seed
        self.web = make_server("127.0.0.1", 0, None, threaded=True)  # port first, app below
        self.app_url = f"http://127.0.0.1:{self.web.server_port}"
        self.store = DevStore(app_url=self.app_url, api_key=config.api_key,
                              api_secret=config.api_secret, seed=seed)
        self.triggers = self.store.register_flow_triggers(EXTENSIONS)  # as a deploy would
        self.store_url, self._stop_store = self.store.serve()
        self.app = self._make_app(config)
        self.services = self.app.extensions["backorders"]
        self.web.app = self.app
        Thread(target=self.web.serve_forever, name="web", daemon=True).start()
        self.consumer = self.services.queue.consumer(4, periodic=True, check_worker_health=False)
        self.http = requests.Session()
        self._handlers: dict = {}
        self.filled_by_arrival = 0

    def _make_app(self, base: Config):
        from dataclasses import replace

        from app import create_app

        folder = Path(base.queue_path).parent  # instance/ unless QUEUE_PATH says otherwise
        database = folder / "demo.db"
        queue = folder / "demo-queue.db"
        for path in (database, queue):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        config = replace(base, app_url=self.app_url, database_url=f"sqlite:///{database}",
                         redis_url=None, queue_path=str(queue),
                         admin_origin=self.store.admin_origin(self.store_url), development=True,
                         token_encryption_keys=(Fernet.generate_key().decode(),))
        return create_app(config, migrate=True)

    def say(self, message: str) -> None:
        self.echo(f"[{time.monotonic() - self.started:6.1f}s] {message}")

    def run(self) -> dict:
        logging.getLogger().setLevel(logging.WARNING)  # progress lines, not request logs
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.consumer.start()
        for stop in (signal.SIGINT, signal.SIGTERM):  # the consumer's handlers only set a flag
            self._handlers[stop] = signal.signal(stop, _interrupt)
        self.say(f"store simulator at {self.store_url}, app at {self.app_url}")
        self.seed_store()
        self.install()
        self.enter_restocks()
        self.flash_sale()
        waiting = self._waiting_by_variant()
        arriving = max(waiting, key=lambda v: (waiting[v], v)) if waiting else None
        self.restock_slips(arriving)
        self.restock_arrives(arriving, waiting)
        return self.summary()

    def seed_store(self) -> None:
        self.store.create_shop(SHOP, name="Backorders Demo", locations=["Warehouse"])
        products = self.store.seed_catalog(SHOP, csv_text=catalog_with_skus("apparel"))
        self.variants = [v for p in products for v in p["variant_ids"]]
        self.oversold = self.variants[:OVERSOLD]
        for i, variant in enumerate(self.variants):
            stock = 3 + i % 4 if variant in self.oversold else 40
            self.store.set_stock(SHOP, variant, stock)
            if variant in self.oversold:
                self.store.set_inventory_policy(SHOP, variant, "CONTINUE")
        self.say(f"catalog: {len(products)} products, {len(self.variants)} variants; "
                 f"{OVERSOLD} of them keep selling when out of stock")

    def install(self) -> None:
        self.store.install(SHOP)
        token = self.store.session_token(SHOP)
        response = self.http.get(f"{self.app_url}/", params={
            "shop": SHOP, "host": "ZGVtbw", "embedded": "1", "id_token": token}, timeout=30)
        response.raise_for_status()
        self.wait("install set-up", lambda: self._variants_mirrored() >= len(self.variants))
        self.say(f"installed by token exchange; {self._variants_mirrored()} variants mirrored")
        enabled = [handle for handle in self.triggers if self.store.set_workflow(SHOP, handle)]
        self.say(f"the merchant's Flow workflows start with {len(enabled)} of the app's "
                 f"{len(self.triggers)} triggers")

    def enter_restocks(self) -> None:
        today = self.services.clock().date()
        for n, (variant, days, quantity) in enumerate(
                [(self.oversold[0], 10, 6), (self.oversold[0], 24, 20),
                 (self.oversold[1], 15, 12), (self.oversold[2], 8, 4), (self.oversold[3], 12, 8),
                 (self.oversold[4], 18, 10), (self.oversold[5], 9, 6)], start=1):
            self.api("post", "/api/restocks", json={
                "variant_id": f"gid://shopify/ProductVariant/{variant}", "quantity": quantity,
                "expected_date": (today + timedelta(days=days)).isoformat(),
                "reference": f"PO-{1000 + n}"})
        self.say("7 restocks entered through the admin API")

    def flash_sale(self) -> None:
        result = self.store.flash_sale(SHOP, self.orders, variants=self.variants[:OVERSOLD + 6],
                                       max_quantity=2, seed=self.seed)
        self.say(f"flash sale: {len(result['placed'])} orders placed, "
                 f"{result['refused']} refused (variants that do not oversell ran out)")
        self.wait("webhooks, plans and write-back", self._settled, progress=True)

    def restock_arrives(self, variant_id: str | None, waiting: dict[str, int]) -> None:
        """On the variant with the most lines waiting, so the fill it announces happens whatever
        the sale sold (a seed may leave the first oversold variant with none)."""
        if variant_id is None:
            self.say("no line waits: no restock needs to arrive")
            return
        variant = int(variant_id.rsplit("/", 1)[1])
        self.store.receive_stock(SHOP, variant, 6)
        self.wait("restock fill", self._settled, progress=True)
        self.filled_by_arrival = waiting[variant_id] - self._waiting_by_variant().get(variant_id, 0)
        self.say(f"6 units of variant {variant} arrived ({waiting[variant_id]} lines waited on "
                 f"it, {self.filled_by_arrival} of them filled)")

    def restock_slips(self, arriving: str | None) -> None:
        """The supplier of the restock most lines wait for moves it a week later, through the
        admin API: those lines now ship later than first promised (the queue's "late"). Not the
        variant whose stock arrives next, when another waits, so the arrival leaves them late."""
        with self.services.db.read() as s:
            counts = {(variant, restock): n for variant, restock, n in s.execute(select(
                OrderLine.variant_id, OrderLine.eta_restock_id, func.count()).where(
                OrderLine.backordered > 0, OrderLine.eta_restock_id.is_not(None)).group_by(
                OrderLine.variant_id, OrderLine.eta_restock_id)).all()}
            if not counts:
                self.say("no line waits for a restock: none is moved")
                return
            chosen = max(counts, key=lambda k: (k[0] != arriving, counts[k]))
            restock = s.get(RestockRow, chosen[1])
        later = restock.expected_on + timedelta(days=7)
        self.api("patch", f"/api/restocks/{restock.id}", json={"expected_date": later.isoformat()})
        self.wait("the moved restock's dates", self._settled, progress=True)
        self.say(f"{restock.reference} moved by its supplier from {restock.expected_on} to "
                 f"{later}: {self._late()} line(s) now later than promised")

    def _late(self) -> int:
        return self.api("get", "/api/queue", params={"status": "late", "limit": 1})["total"]

    def _waiting_by_variant(self) -> dict[str, int]:
        with self.services.db.read() as s:
            return dict(s.execute(select(OrderLine.variant_id, func.count()).where(
                OrderLine.backordered > 0).group_by(OrderLine.variant_id)).all())

    def api(self, method: str, path: str, **kwargs) -> dict:
        headers = {"Authorization": f"Bearer {self.store.session_token(SHOP)}"}
        response = self.http.request(method, f"{self.app_url}{path}", headers=headers, timeout=30,
                                     **kwargs)
        if response.status_code >= 400:
            raise click.ClickException(f"{method.upper()} {path}: {response.status_code} {response.text}")
        return response.json()

    def wait(self, what: str, done, progress: bool = False) -> None:
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        last = 0.0
        while not done():
            if time.monotonic() > deadline:
                raise click.ClickException(f"timed out waiting for {what}")
            if progress and time.monotonic() - last > 2:
                last = time.monotonic()
                self.say(f"  … {self._progress()}")
            time.sleep(0.2)

    def _settled(self) -> bool:
        self.store.process_due()
        if self.store.webhooks.pending() or self.services.queue.huey.pending_count():
            return False
        with self.services.db.transaction() as s:
            pending = s.scalar(select(func.count()).select_from(OrderSync).where(
                OrderSync.pending.is_(True), OrderSync.awaiting_fulfillment_orders.is_(False)))
        return not pending

    def _progress(self) -> str:
        with self.services.db.transaction() as s:
            lines = s.scalar(select(func.count()).select_from(OrderLine))
            synced = s.scalar(select(func.count()).select_from(OrderSync).where(
                OrderSync.pending.is_(False)))
        return (f"webhooks pending {self.store.webhooks.pending()}, jobs queued "
                f"{self.services.queue.huey.pending_count()}, lines mirrored {lines}, "
                f"orders synced {synced}")

    def _variants_mirrored(self) -> int:
        from app.storage.tables import Variant

        with self.services.db.transaction() as s:
            return s.scalar(select(func.count()).select_from(Variant))

    def summary(self) -> dict:
        state = self.store.state(SHOP)
        with self.services.db.transaction() as s:
            lines = list(s.scalars(select(OrderLine)))
        ever = [r for r in lines if r.backordered_at]
        waiting = [r for r in lines if r.backordered]
        etas = sorted(r.eta for r in waiting if r.eta)
        today = self.services.clock().date()
        stats = self.services.admin_client.stats.snapshot()
        gateway = self.services.shopify_gateway.counters
        held_fos = sum(1 for o in state["orders"] for fo in o["fulfillment_orders"]
                       if fo["status"] == "ON_HOLD")
        figures = {
            "orders": len(state["orders"]),
            "backordered_orders": len({r.order_id for r in ever}),
            "backordered_lines": len(ever),
            "backordered_units_now": sum(r.backordered for r in waiting),
            "filled_lines": sum(1 for r in ever if not r.backordered),
            "filled_by_the_arrival": self.filled_by_arrival,
            "later_than_promised": self._late(),
            "holds_placed": gateway["holds_placed"],
            "holds_released": gateway["holds_released"],
            "fulfillment_orders_on_hold": held_fos,
            "eta_days_min": (etas[0] - today).days if etas else None,
            "eta_days_median": (statistics.median_low(etas) - today).days if etas else None,
            "eta_days_max": (etas[-1] - today).days if etas else None,
            "eta_sources": dict(Counter(r.eta_source for r in waiting)),
            "lines_with_alternatives": sum(1 for r in waiting if r.alternatives),
            "alternatives_suggested": sum(len(r.alternatives or []) for r in waiting),
            "graphql_requests": stats["requests"],
            "graphql_cost": stats["cost_actual"],
            "throttled": stats["throttled"],
        }
        self.echo("\nSummary")
        for key, value in figures.items():
            self.echo(f"  {key.replace('_', ' '):28} {value}")
        return figures

    def admin_url(self) -> str:
        """The simulator's local admin with the app framed in it, handed fresh session tokens
        for as long as the demo runs (devstore/local_admin.py)."""
        return f"{self.store_url}/{SHOP}/admin/apps/backorders"

    def close(self) -> None:
        for stop, handler in self._handlers.items():
            signal.signal(stop, handler)
        self.consumer.stop(graceful=True)
        self.web.shutdown()
        self._stop_store()
        self.services.close()


def catalog_with_skus(name: str) -> str:
    """A bundled catalog with a SKU on each variant: Shopify's sample catalogs have none, and a
    merchant's restock CSV names its variants by SKU."""
    from devstore.catalog_csv import CATALOG_DIR

    with (CATALOG_DIR / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        option = row["Option1 Value"]
        if not row["Variant SKU"] and (option or row["Variant Price"]):  # not an image-only row
            size = "" if option in ("", "Default Title") else f"-{option}"
            row["Variant SKU"] = f"{row['Handle']}{size}".upper()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _interrupt(*_) -> None:
    """Ctrl-C or a TERM stops the demo wherever it is: the command's `finally` closes it."""
    raise KeyboardInterrupt
