"""Write-back cost and latency of a flash sale: Admin API requests and query cost per backordered
order, throttling, and the time from an order being placed to its write-back being applied.

The store simulator (served over HTTP, webhooks sent over HTTP by its own thread) runs a sale of
`--orders` single-unit orders placed at `--rate` orders per second, a third of them on variants
that keep selling at zero stock. The app runs as in production on one machine: its web server,
SQLite database, SQLite job queue and a huey consumer with `--workers` threads. Then stock
arrives for `--restock` of the waiting orders.

The simulator's cost bucket is Shopify's Standard plan: 2000 points, restored at 100 points/s.

    python -m benchmarks.writeback [--orders 5000] [--rate 50] [--restock 1000] [--workers 4]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import tempfile
import time
from datetime import datetime
from pathlib import Path
from statistics import quantiles
from threading import Thread

import requests
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from werkzeug.serving import make_server

SHOP = "bench-writeback.myshopify.com"
API_KEY, API_SECRET = "bench-key", "bench-secret"
OVERSOLD, STOCKED = 2, 4  # variants that keep selling at zero, variants with plenty of stock
SETTLE_TIMEOUT_S = 1800


class Bench:
    def __init__(self, tmp: Path, workers: int):
        from app import create_app
        from app.config import load_config
        from app.storage.migrate import upgrade
        from devstore.store import DevStore

        self.web = make_server("127.0.0.1", 0, None, threaded=True)
        app_url = f"http://127.0.0.1:{self.web.server_port}"
        self.store = DevStore(app_url=app_url, api_key=API_KEY, api_secret=API_SECRET)
        store_url, self._stop_store = self.store.serve()
        config = load_config({
            "SHOPIFY_API_KEY": API_KEY, "SHOPIFY_API_SECRET": API_SECRET,
            "SHOPIFY_APP_URL": app_url, "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "DATABASE_URL": f"sqlite:///{tmp / 'app.db'}", "QUEUE_PATH": str(tmp / "queue.db"),
            "SHOPIFY_ADMIN_ORIGIN": self.store.admin_origin(store_url), "APP_ENV": "production"})
        upgrade(config.database_url)
        self.app = create_app(config, migrate=False)
        self.services = self.app.extensions["backorders"]
        self.web.app = self.app
        Thread(target=self.web.serve_forever, name="web", daemon=True).start()
        self.consumer = self.services.queue.huey.create_consumer(
            workers=workers, worker_type="thread", periodic=True, check_worker_health=False)
        self.consumer.start()

    def close(self) -> None:
        self.consumer.stop(graceful=True)
        self.web.shutdown()
        self._stop_store()
        self.services.close()

    def set_up(self) -> tuple[list[int], list[int]]:
        from app.storage.tables import Variant

        self.store.create_shop(SHOP, name="Writeback Bench", locations=["Warehouse"])
        variants = [v for p in self.store.seed_catalog(SHOP, "apparel") for v in p["variant_ids"]]
        oversold, stocked = variants[:OVERSOLD], variants[OVERSOLD:OVERSOLD + STOCKED]
        for variant in oversold:
            self.store.set_inventory_policy(SHOP, variant, "CONTINUE")
            self.store.set_stock(SHOP, variant, 0)
        for variant in stocked:
            self.store.set_stock(SHOP, variant, 100_000)
        self.store.install(SHOP)
        response = requests.get(f"{self.web_url}/", timeout=30, params={
            "shop": SHOP, "host": "YmVuY2g", "embedded": "1",
            "id_token": self.store.session_token(SHOP)})
        response.raise_for_status()

        def mirrored() -> bool:
            with self.services.db.transaction() as s:
                return s.scalar(select(func.count()).select_from(Variant)) >= len(variants)

        self.wait(mirrored)
        self.wait(self.settled)
        return oversold, stocked

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web.server_port}"

    def sale(self, orders: int, rate: float, oversold: list[int], stocked: list[int],
             seed: int = 1) -> dict[str, float]:
        """Places the orders at `rate` per second; returns when each was placed (epoch s)."""
        rng = random.Random(seed)
        placed: dict[str, float] = {}
        start = time.monotonic()
        for n in range(orders):
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            variant = rng.choice(oversold) if rng.random() < 1 / 3 else rng.choice(stocked)
            order = self.store.place_order(SHOP, [(variant, 1)])
            placed[f"gid://shopify/Order/{order['id']}"] = time.time()
        return placed

    def settled(self) -> bool:
        from app.storage.tables import OrderSync

        self.store.process_due()
        if self.store.webhooks.pending() or self.services.queue.huey.pending_count():
            return False
        with self.services.db.transaction() as s:
            return not s.scalar(select(func.count()).select_from(OrderSync).where(
                OrderSync.shop == SHOP, OrderSync.pending.is_(True),
                OrderSync.awaiting_fulfillment_orders.is_(False)))

    def wait(self, done, timeout: float = SETTLE_TIMEOUT_S) -> float:
        start = time.monotonic()
        while not done():
            if time.monotonic() - start > timeout:
                raise SystemExit("timed out waiting for the app to settle")
            time.sleep(0.25)
        return time.monotonic() - start

    def backordered(self) -> dict[str, datetime | None]:
        """Orders the app shows as backordered now, with when their write-back was recorded."""
        from app.storage.tables import OrderSync

        with self.services.db.transaction() as s:
            rows = s.execute(select(OrderSync.order_id, OrderSync.desired, OrderSync.synced_at)
                             .where(OrderSync.shop == SHOP))
            return {order_id: synced for order_id, desired, synced in rows
                    if desired.get("tags")}

    def store_view(self) -> tuple[int, int]:
        """Orders tagged backordered and fulfillment orders on hold, as the store shows them."""
        state = self.store.state(SHOP)
        tagged = sum("backordered" in o["tags"] for o in state["orders"])
        held = sum(fo["status"] == "ON_HOLD" for o in state["orders"]
                   for fo in o["fulfillment_orders"])
        return tagged, held


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return quantiles(values, n=20, method="inclusive")[18]


def run(orders: int, rate: float, restock: int, workers: int) -> dict:
    logging.disable(logging.WARNING)  # progress lines only; the app logs every request
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(Path(tmp), workers)
        try:
            oversold, stocked = bench.set_up()
            stats = bench.services.admin_client.stats
            before = stats.snapshot()
            print(f"sale: {orders} orders at {rate:g}/s, {workers} worker threads, "
                  "bucket 2000 points restored at 100/s (Standard plan)")
            started = time.monotonic()
            placed = bench.sale(orders, rate, oversold, stocked)
            placing_s = time.monotonic() - started
            settle_s = bench.wait(bench.settled)
            sale = {k: v - before[k] for k, v in stats.snapshot().items()}
            waiting = bench.backordered()
            latencies = [synced.timestamp() - placed[order_id]
                         for order_id, synced in waiting.items() if synced]
            tagged, held = bench.store_view()
            print(f"  writes accepted: {dict(bench.services.gateway.counters)}")
            print(f"  placed in {placing_s:.1f}s, settled {settle_s:.1f}s later; "
                  f"{len(waiting)} backordered; the store shows {tagged} tagged, {held} held")

            before = stats.snapshot()
            per_variant = -(-restock // len(oversold))
            started = time.monotonic()
            for variant in oversold:
                bench.store.receive_stock(SHOP, variant, per_variant)
            restock_s = bench.wait(bench.settled)
            fill = {k: v - before[k] for k, v in stats.snapshot().items()}
            still = bench.backordered()
            tagged_after, held_after = bench.store_view()
            print(f"restock: {per_variant * len(oversold)} units; {len(waiting) - len(still)} "
                  f"orders filled in {restock_s:.1f}s; the store shows {tagged_after} tagged, "
                  f"{held_after} held")
        finally:
            bench.close()
    backordered = len(waiting)
    return {
        "orders": orders,
        "rate_per_s": rate,
        "backordered_orders": backordered,
        "requests": int(sale["requests"]),
        "cost": sale["cost_actual"],
        "requests_per_backordered_order": round(sale["requests"] / max(1, backordered), 3),
        "cost_per_backordered_order": round(sale["cost_actual"] / max(1, backordered), 2),
        "throttled": int(sale["throttled"] + fill["throttled"]),
        "sync_p95_s": round(p95(latencies), 3),
        "sync_max_s": round(max(latencies, default=0.0), 3),
        "settle_after_sale_s": round(settle_s, 1),
        "filled_orders": backordered - len(still),
        "restock_requests": int(fill["requests"]),
        "restock_cost": fill["cost_actual"],
        "restock_s": round(restock_s, 1),
        "store_tagged_after_restock": tagged_after,
        "store_held_after_restock": held_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=50.0, help="orders placed per second")
    parser.add_argument("--restock", type=int, default=1000, help="waiting orders the restock fills")
    parser.add_argument("--workers", type=int, default=4, help="huey worker threads")
    args = parser.parse_args()
    figures = run(args.orders, args.rate, args.restock, args.workers)
    for key, value in figures.items():
        print(f"  {key.replace('_', ' '):32} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
