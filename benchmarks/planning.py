"""Planning at scale, through the app: webhooks handled by the worker's handlers in their
transactions, planning and its storage on a real database.

- append: a new order into a 100,000-line pool (one more order of a flash sale), and the stock
  webhook that follows it, each from the handler's start to the stored plan and desired state;
- restock: 1,000 units arriving in that pool (the stock webhook that raises `available`);
- priority: the same arrival in a shop that ranks its queue by customer tags and age;
- shop: 1,000,000 lines in 100,000 pools planned from scratch by the job a settings change or a
  reconciliation queues (`replan_shop`), in its short transactions.

Run: python -m benchmarks.planning [--hot-lines N --lines N --pools N --seed N]
SQLite in a temporary folder by default; with DATABASE_URL set, the same again on that database
(its tables are dropped first: give it a database of its own). Data is seeded with plain inserts
and not timed. The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from app.config import database_url_of
from app.platforms.shopify import events as shopify_events
from app.platforms.shopify.gateway import ShopifyGateway
from app.services.backorders import BackorderHandlers
from app.services.events import Events
from app.services.intake import Intake
from app.services.planning import Planning
from app.storage.db import Database, make_engine
from app.storage.migrate import upgrade
from app.storage.tables import Order, OrderLine, Pool, RestockRow, Shop, StockLevel, Variant
from webhooks.registry import TOPICS

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LOCATION = "gid://shopify/Location/1"
TARGETS = {"append_order_p95_ms": 20, "restock_replan_ms": 1000, "priority_replan_ms": 1500,
           "plan_shop_s": 30, "peak_rss_mb": 1500}
APPENDS = 40


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def tick(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class Platform:
    """Nothing to read: every variant and its stock is in the mirror already."""

    def variants(self, shop, variant_ids):
        return []

    def stock(self, shop, inventory_item_ids):
        return []

    def customer_tags(self, shop, customer_ids):
        return {c: () for c in customer_ids}

    def notice_message(self, shop, order_id, notice):
        """The Flow trigger Shopify's adapter would build, for the admin's message preview."""
        return ShopifyGateway.notice_message(self, shop, order_id, notice)

    def names_listeners(self, shop):
        """As on Shopify: Flow names the triggers the shop's workflows use."""
        return ShopifyGateway.names_listeners(self, shop)


@dataclass
class HotPool:
    shop: str
    number: int
    units: int
    available: int

    @property
    def variant(self) -> str:
        return f"gid://shopify/ProductVariant/{self.number}"

    @property
    def item(self) -> str:
        return f"gid://shopify/InventoryItem/{self.number}"


class App:
    """The worker side: receipts recorded by the intake, handled as `flask --app app worker` does."""

    def __init__(self, url: str) -> None:
        upgrade(url)
        self.db = Database(url)
        self.clock = Clock()
        self.intake = Intake(self.db, self.clock)
        self.events = Events(self.db, self.intake, self.clock, TOPICS)  # syncs go nowhere: untimed
        self.planning = Planning(self.clock)
        shopify_events.register(self.events, BackorderHandlers(self.db, self.planning, Platform(),
                                                               self.clock))

    def deliver_ms(self, shop: str, topic: str, payload: dict) -> float:
        """Record the delivery (not timed), then time its handling."""
        receipt = self.intake.record(
            webhook_id=str(uuid.uuid4()), event_id=str(uuid.uuid4()), topic=topic, shop=shop,
            api_version="2026-10", triggered_at=self.clock().isoformat(),
            payload=json.dumps(payload))
        started = time.perf_counter()
        self.events.process_receipt(receipt)
        return (time.perf_counter() - started) * 1000


def seed_shop(app: App, shop: str, policy: dict) -> None:
    with app.db.transaction() as s:
        s.add(Shop(shop=shop, installed=True, scopes="read_orders,write_orders",
                   installed_at=NOW, country_code="US", policy=policy))


def seed_pools(app: App, rng: random.Random, shop: str, sizes: list[int], first: int,
               tagged: float = 0.0) -> list[HotPool]:
    """Pools of the given sizes: one line per order over the last 60 days, one to three units
    each, stock for a tenth of the units (read after the last order), three restocks for
    another 40%. Inserted a few thousand pools at a time, so seeding holds little in memory."""
    pools = []
    for start in range(0, len(sizes), 2_000):
        rows: dict = {Order: [], OrderLine: [], Variant: [], StockLevel: [], RestockRow: [],
                      Pool: []}
        for k, size in enumerate(sizes[start:start + 2_000], start=first + start):
            pools.append(seed_pool(rng, shop, HotPool(shop, k, 0, 0), size, tagged, rows))
        with app.db.transaction() as s:
            for table, values in rows.items():
                s.execute(insert(table), values)
    return pools


def seed_pool(rng: random.Random, shop: str, hot: HotPool, size: int, tagged: float,
              rows: dict) -> HotPool:
    start = NOW - timedelta(days=60)
    pool = f"{hot.variant}@*"
    for n, moment in enumerate(sorted(start + timedelta(seconds=rng.randrange(60 * 86_400))
                                      for _ in range(size))):
        number = hot.number * 1_000_000 + n
        quantity = rng.choice((1, 1, 1, 2, 3))
        hot.units += quantity
        order_id = f"gid://shopify/Order/{number}"
        rows[Order].append(dict(shop=shop, order_id=order_id, name=f"#{number}", number=number,
                                created_at=moment, updated_at=moment,
                                customer_tags=["vip"] if rng.random() < tagged else []))
        rows[OrderLine].append(dict(shop=shop, line_id=f"gid://shopify/LineItem/{number}",
                                    order_id=order_id, variant_id=hot.variant, pool=pool,
                                    title=f"Product {hot.number}", open_quantity=quantity,
                                    ordered_at=moment, alternatives=[]))
    hot.available = hot.units // 10 - hot.units  # oversold: the platform's count below zero
    rows[Pool].append(dict(shop=shop, pool=pool, supply=0, units_owed=0))  # as an order makes it
    rows[Variant].append(dict(shop=shop, variant_id=hot.variant,
                              product_id=f"gid://shopify/Product/{hot.number}",
                              inventory_item_id=hot.item, product_title=f"Product {hot.number}",
                              vendor="Acme", inventory_policy="CONTINUE", tracked=True,
                              options=[], tags=[], collections=[], substitutes=[]))
    rows[StockLevel].append(dict(shop=shop, inventory_item_id=hot.item, location_id=LOCATION,
                                 available=hot.available, updated_at=NOW))
    for j, (share, days) in enumerate(((10, 5), (15, 20), (15, 35))):
        rows[RestockRow].append(dict(
            id=f"{shop}-{hot.number}-{j}", shop=shop, pool=pool, variant_id=hot.variant,
            quantity=max(1, hot.units * share // 100), expected_on=(NOW + timedelta(days=days)).date(),
            source="purchase_order", created_at=NOW - timedelta(days=30)))
    return hot


def plan_all_pools(app: App, shop: str) -> float:
    """Every pool of the shop planned from scratch, and every waiting order looked at again, by
    the job a settings change queues (`replan_shop`: short transactions, a pause between them
    for other writers)."""
    handlers = BackorderHandlers(app.db, app.planning, Platform(), app.clock)
    started = time.perf_counter()
    handlers.replan_shop(shop, "settings changed")
    return time.perf_counter() - started


def order_payload(number: int, variant: int, quantity: int, at: datetime) -> dict:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"id": number, "admin_graphql_api_id": f"gid://shopify/Order/{number}",
            "name": f"#{number}", "order_number": number, "created_at": stamp,
            "updated_at": stamp, "cancelled_at": None, "customer": None,
            "line_items": [{"id": number, "admin_graphql_api_id": f"gid://shopify/LineItem/{number}",
                            "variant_id": variant, "quantity": quantity,
                            "current_quantity": quantity, "fulfillable_quantity": quantity,
                            "requires_shipping": True, "variant_inventory_management": "shopify",
                            "name": f"Product {variant}"}]}


def stock_payload(hot: HotPool, at: datetime) -> dict:
    return {"inventory_item_id": hot.number, "location_id": 1, "available": hot.available,
            "updated_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{hot.number}?inventory_item_id={hot.number}"}


def appends(app: App, rng: random.Random, hot: HotPool) -> tuple[list[float], list[float]]:
    """New orders at the queue's tail, each followed by the stock webhook it causes."""
    order_ms, stock_ms = [], []
    for k in range(APPENDS):
        at = app.clock.tick()
        quantity = rng.choice((1, 1, 2))
        number = 10**9 + hot.number * 1000 + k
        order_ms.append(app.deliver_ms(hot.shop, "orders/create",
                                       order_payload(number, hot.number, quantity, at)))
        hot.available -= quantity
        at = app.clock.tick()
        stock_ms.append(app.deliver_ms(hot.shop, "inventory_levels/update", stock_payload(hot, at)))
    return order_ms, stock_ms


def arrival_ms(app: App, hot: HotPool, units: int) -> float:
    hot.available += units
    return app.deliver_ms(hot.shop, "inventory_levels/update", stock_payload(hot, app.clock.tick()))


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run(url: str, args) -> dict:
    rng = random.Random(args.seed)
    app = App(url)
    fifo, ranked, big = "fifo.myshopify.com", "ranked.myshopify.com", "big.myshopify.com"
    seed_shop(app, fifo, {})
    seed_shop(app, ranked, {"priority_tags": ["vip"], "age_boost_days": 30})
    seed_shop(app, big, {})
    (hot,) = seed_pools(app, rng, fifo, [args.hot_lines], 1)
    (hot_ranked,) = seed_pools(app, rng, ranked, [args.hot_lines], 2, tagged=0.2)
    first_plan_s = plan_all_pools(app, fifo)
    plan_all_pools(app, ranked)
    order_ms, stock_ms = appends(app, rng, hot)
    restock = arrival_ms(app, hot, 1000)
    priority = arrival_ms(app, hot_ranked, 1000)
    cuts = sorted(rng.sample(range(1, args.lines), args.pools - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, args.lines], strict=True)]
    seed_pools(app, rng, big, sizes, 10)
    shop_s = plan_all_pools(app, big)
    with app.db.transaction() as s:
        owed = s.get(Pool, (fifo, f"{hot.variant}@*")).units_owed
    app.db.engine.dispose()
    return {
        "append_order_p95_ms": round(p95(order_ms), 2),
        "append_stock_p95_ms": round(p95(stock_ms), 2),
        "restock_replan_ms": round(restock, 1),
        "priority_replan_ms": round(priority, 1),
        "plan_shop_s": round(shop_s, 2),
        "hot_pool_first_plan_s": round(first_plan_s, 2),
        "hot_pool_units_owed": owed,
    }


def fresh_schema(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def report(name: str, figures: dict, args) -> None:
    print(f"{name}: a pool of {args.hot_lines:,} lines")
    print(f"  a new order, handled and planned:       p95 {figures['append_order_p95_ms']} ms")
    print(f"  the stock webhook that follows it:      p95 {figures['append_stock_p95_ms']} ms")
    print(f"  1,000 units arriving (FIFO):            {figures['restock_replan_ms']} ms")
    print(f"  1,000 units arriving (tags, age boost): {figures['priority_replan_ms']} ms")
    print(f"  {args.lines:,} lines in {args.pools:,} pools planned: {figures['plan_shop_s']} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hot-lines", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--pools", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = run(f"sqlite:///{Path(folder) / 'planning.db'}", args)
    report("SQLite", figures, args)
    postgres = os.environ.get("DATABASE_URL", "")
    if postgres.startswith(("postgres://", "postgresql")):
        postgres = database_url_of(postgres)
        fresh_schema(postgres)
        figures["postgresql"] = run(postgres, args)
        report("PostgreSQL", figures["postgresql"], args)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    # The targets are for the sizes; at other sizes the figures are only indications.
    full = (args.hot_lines, args.lines, args.pools) == (100_000, 1_000_000, 100_000)
    figures["targets_met"] = all(figures[k] <= v for k, v in TARGETS.items()) if full else None
    print(f"peak RSS: {figures['peak_rss_mb']} MB; targets met: {figures['targets_met']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
