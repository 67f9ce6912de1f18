"""Write-back cost and latency of a flash sale: Admin API requests and query cost per backordered
order, throttling, and the time from an order being placed to its write-back being applied.

The store simulator (served over HTTP, webhooks sent over HTTP by its own thread) runs a sale of
`--orders` orders placed at `--rate` orders per second. Each order has one to three lines of one
to three units on distinct variants; a line is on one of several variants that keep selling past
a small stock (CONTINUE) one time in three, else on a well-stocked variant. Customers come back
now and then, and some are tagged: the shop ranks its queue by the priority tags `VIP` then
`Wholesale` (set through the settings API; the app reads customer tags over GraphQL). So an order
often owes some units and not others: the app holds only those, and the store splits the
fulfillment order. The app runs as in production on one machine: its web server, SQLite
database, SQLite job queue and a huey consumer with `--workers` threads. Then stock arrives:
`--restock` of each oversold variant's owed units (never fewer than its priority-tagged units
and a line more, so that every line ever told "ready" during the sale is one the queue covers
anyway and the final holds follow from the store's records alone).

After the sale, and after the restock, the store's holds are checked: per oversold variant, the
units held must be exactly the units owed beyond those on hand, and nothing else is held. After
the restock, every line must hold exactly what the queue gives it: the units on hand go to the
open lines by priority class, then in the order the orders were placed (then order number, then
line), and whatever a line still lacks is held (first come, first served within a class, as
`tests/integration/simulator/test_first_come_first_served.py` states it). The run fails unless
this holds and the store shows split fulfillment orders and orders holding part of their units.

The shop has no Flow workflow that starts with the app's triggers, so, as Flow's lifecycle
callbacks tell the app, no trigger is fired; `--workflows` turns one on for each trigger.

The simulator's cost bucket is Shopify's Standard plan: 2000 points, restored at 100 points/s.
The bucket sets the pace (about 25 points per order placed, customer-tag reads included; 29
with `--workflows`), so 1000 orders, the default, take about five minutes.

Then the same sale runs again with bulk writes for backlogs on (the app's default; the paced
figures above have them off): `bulk_drain_s` is the time from the sale's start until every write
was applied, the simulator taking 2 s to complete a bulk operation (`--paced-only` skips it).

    python -m benchmarks.writeback [--orders 1000] [--rate 50] [--restock 0.5] [--workers 4]
                                   [--paced-only] [--workflows]
    python -m benchmarks.writeback --steady   # steady_p95_s: 4 orders/s for 5 minutes, bulk
                                              # writes on as by default (--paced-only: off)
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from statistics import quantiles
from threading import Thread

import requests
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.platforms.shopify.writes import MUTATION_COST

SHOP = "bench-writeback.myshopify.com"
RESTORE_RATE = 100  # points per second: the simulator's bucket is Shopify's Standard plan
API_KEY, API_SECRET = "bench-key", "bench-secret"
OVERSOLD, STOCKED = 6, 6  # variants that keep selling past a small stock, variants with plenty
OVERSOLD_STOCK = 4  # units of each oversold variant on hand when the sale opens
OVERSOLD_SHARE = 1 / 3  # of the lines
MAX_LINES, MAX_QUANTITY = 3, 3
PRIORITY_TAGS = ("VIP", "Wholesale")
# Customer n (of a pool as large as the sale) is tagged VIP when n % 10 == 0, Wholesale when
# n % 20 == 5: a tenth and a twentieth of the customers.
SETTLE_TIMEOUT_S = 1800
BULK_DELAY_S = 2.0  # how long the simulator takes to complete a bulk operation
BULK_AFTER_S = 5.0  # the app's default: writes that would hold the bucket 5 s go in bulk


def customer_tags(n: int) -> list[str]:
    return ["VIP"] if n % 10 == 0 else ["Wholesale"] if n % 20 == 5 else []


class Bench:
    def __init__(self, tmp: Path, workers: int, bulk_after_s: float = 0.0,
                 workflows: bool = False):
        from app import create_app
        from app.config import load_config
        from app.storage.migrate import upgrade
        from devstore.store import DevStore

        self.web = make_server("127.0.0.1", 0, None, threaded=True)
        app_url = f"http://127.0.0.1:{self.web.server_port}"
        self.store = DevStore(app_url=app_url, api_key=API_KEY, api_secret=API_SECRET,
                              bulk_delay=BULK_DELAY_S)
        self.triggers = self.store.register_flow_triggers(Path(__file__).parents[1] / "extensions")
        self.workflows = workflows
        store_url, self._stop_store = self.store.serve()
        config = load_config({
            "SHOPIFY_API_KEY": API_KEY, "SHOPIFY_API_SECRET": API_SECRET,
            "SHOPIFY_APP_URL": app_url, "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "DATABASE_URL": f"sqlite:///{tmp / 'app.db'}", "QUEUE_PATH": str(tmp / "queue.db"),
            "SHOPIFY_ADMIN_ORIGIN": self.store.admin_origin(store_url), "APP_ENV": "production",
            "SHOPIFY_BULK_AFTER_SECONDS": str(bulk_after_s)})
        upgrade(config.database_url)
        self.app = create_app(config, migrate=False)
        self.services = self.app.extensions["backorders"]
        self.web.app = self.app
        Thread(target=self.web.serve_forever, name="web", daemon=True).start()
        self.consumer = self.services.queue.consumer(workers)  # as `flask --app app worker`
        self.consumer.start()
        self.last_hold_at = 0.0  # when the store last took a hold (time.monotonic)
        self._watching = True
        Thread(target=self._watch_holds, name="holds", daemon=True).start()

    def _watch_holds(self) -> None:
        """Notes when the app last placed a hold, every 50 ms."""
        seen = 0
        while self._watching:
            placed = self.services.shopify_gateway.counters["holds_placed"]
            if placed != seen:
                seen, self.last_hold_at = placed, time.monotonic()
            time.sleep(0.05)

    def close(self) -> None:
        self._watching = False
        self.consumer.stop(graceful=True)
        self.web.shutdown()
        self._stop_store()
        self.services.close()

    def set_up(self) -> tuple[list[int], list[int]]:
        from app.storage.tables import Variant

        self.store.create_shop(SHOP, name="Writeback Bench", locations=["Warehouse"])
        self.store.seed_catalog(SHOP, "apparel")
        shop = self.store.shop(SHOP)
        # Variants that ship, so that every fulfillment order beyond an order's first is a split.
        variants = sorted(v.id for v in shop.variants.values() if v.requires_shipping
                          and v.tracked and not shop.products[v.product_id].gift_card)
        if len(variants) < OVERSOLD + STOCKED:
            raise SystemExit(f"the catalog has {len(variants)} shipped variants; "
                             f"{OVERSOLD + STOCKED} are needed")
        oversold, stocked = variants[:OVERSOLD], variants[OVERSOLD:OVERSOLD + STOCKED]
        for variant in oversold:
            self.store.set_inventory_policy(SHOP, variant, "CONTINUE")
            self.store.set_stock(SHOP, variant, OVERSOLD_STOCK)
        for variant in stocked:
            self.store.set_stock(SHOP, variant, 100_000)
        self.store.install(SHOP)
        response = requests.get(f"{self.web_url}/", timeout=30, params={
            "shop": SHOP, "host": "YmVuY2g", "embedded": "1",
            "id_token": self.store.session_token(SHOP)})
        response.raise_for_status()

        def mirrored() -> bool:
            with self.services.db.transaction() as s:
                return s.scalar(select(func.count()).select_from(Variant)) >= len(shop.variants)

        self.wait(mirrored)
        self.wait(self.settled)
        self.rank_by_priority_tags()
        if self.workflows and not all(self.store.set_workflow(SHOP, h) for h in self.triggers):
            raise SystemExit("a Flow workflow could not be enabled: the app refused the callback")
        return oversold, stocked

    def rank_by_priority_tags(self) -> None:
        """The merchant's settings page: the queue ranked by customer tags."""
        url = f"{self.web_url}/api/settings"
        auth = {"Authorization": f"Bearer {self.store.session_token(SHOP)}"}
        current = requests.get(url, headers=auth, timeout=30)
        current.raise_for_status()
        settings = current.json()
        settings["policy"]["priority_tags"] = list(PRIORITY_TAGS)
        saved = requests.put(url, headers=auth, json=settings, timeout=30)
        saved.raise_for_status()
        if saved.json()["policy"]["priority_tags"] != list(PRIORITY_TAGS):
            raise SystemExit(f"the priority tags were not saved: {saved.text}")

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
            lines: dict[int, int] = {}
            for _ in range(rng.randint(1, MAX_LINES)):
                pool = oversold if rng.random() < OVERSOLD_SHARE else stocked
                variant = rng.choice([v for v in pool if v not in lines] or pool)
                lines.setdefault(variant, rng.randint(1, MAX_QUANTITY))
            buyer = rng.randrange(orders)
            order = self.store.place_order(SHOP, list(lines.items()), customer={
                "email": f"buyer{buyer}@example.com", "tags": customer_tags(buyer)})
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


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return quantiles(values, n=20, method="inclusive")[18]


# What the store shows, and what it should show, from its own records.


def class_rank(tags: list[str]) -> int:
    """The app's customer-tag classes: the first priority tag the customer has, else last."""
    folded = {t.casefold() for t in tags}
    return next((rank for rank, tag in enumerate(PRIORITY_TAGS) if tag.casefold() in folded),
                len(PRIORITY_TAGS))


def on_hand(state, variant_id: int) -> int:
    item = state.variants[variant_id].inventory_item_id
    return sum(level.available + level.committed
               for (level_item, _), level in state.levels.items() if level_item == item)


def open_lines(state, variant_id: int) -> list[tuple]:
    """(queue key, line id, units owed) of the variant's open lines, in queue order: priority
    class, then the second the order was placed, then order number, then line."""
    lines = []
    for order in state.orders.values():
        if order.cancelled_at is not None:
            continue
        customer = state.customers.get(order.customer_id)
        rank = class_rank(customer.tags if customer else [])
        for line in order.line_items:
            if line.variant_id == variant_id and line.unfulfilled > 0:
                lines.append(((rank, int(order.created_at), order.number, line.id), line.id,
                              line.unfulfilled))
    return sorted(lines)


def expected_holds(state, variants: list[int]) -> dict[int, int]:
    """Per variant, the units on hand (available + committed) go to the open lines in queue
    order; whatever a line still lacks must be held."""
    holds: dict[int, int] = {}
    for variant_id in variants:
        supply = on_hand(state, variant_id)
        for _, line_id, owed in open_lines(state, variant_id):
            covered = min(owed, max(0, supply))
            supply -= covered
            if owed - covered:
                holds[line_id] = owed - covered
    return holds


def held_by_app(state_json: dict) -> dict[int, int]:
    """Units on the fulfillment orders the app holds, by order line item id."""
    held: Counter[int] = Counter()
    for order in state_json["orders"]:
        for fo in order["fulfillment_orders"]:
            if any(h["by_app"] for h in fo["holds"]):
                for line in fo["lines"]:
                    held[line["line_item_id"]] += line["remaining"]
    return {line: units for line, units in held.items() if units}


def shape(state_json: dict, held: dict[int, int]) -> dict[str, int]:
    """Split fulfillment orders (every one beyond an order's first: the sale uses one location
    and shipped variants only), orders holding some units while others are free to ship, and
    lines held in part; and the orders tagged backordered and fulfillment orders on hold."""
    splits = partial = on_hold_fos = 0
    for order in state_json["orders"]:
        if order["cancelled"]:
            continue
        fos = [fo for fo in order["fulfillment_orders"] if not fo["hidden"]]
        splits += max(0, len(fos) - 1)
        on_hold = [fo for fo in fos if any(h["by_app"] for h in fo["holds"])]
        free = [fo for fo in fos if fo["status"] == "OPEN" and fo_remaining(fo)]
        partial += bool(on_hold and free)
        on_hold_fos += sum(fo["status"] == "ON_HOLD" for fo in fos)
    lines = {li["id"]: li["unfulfilled"] for o in state_json["orders"] for li in o["line_items"]}
    return {"split_fulfillment_orders": splits, "partial_holds": partial,
            "partially_held_lines": sum(0 < units < lines[line] for line, units in held.items()),
            "held_lines": len(held), "held_units": sum(held.values()),
            "tagged_orders": sum("backordered" in o["tags"] for o in state_json["orders"]),
            "held_fulfillment_orders": on_hold_fos}


def fo_remaining(fo: dict) -> int:
    return sum(line["remaining"] for line in fo["lines"])


def check_holds(store, oversold: list[int], per_line: bool) -> tuple[dict[str, int], list[str]]:
    """The store's final state against first come, first served within priority classes:
    (shape, problems). Per variant, the held units must be the units owed beyond those on hand;
    with `per_line`, each line must hold exactly what the queue leaves it short."""
    with store.core.lock:
        state = store.shop(SHOP)
        expected = expected_holds(state, oversold)
        short = {v: max(0, sum(owed for _, _, owed in open_lines(state, v)) - on_hand(state, v))
                 for v in oversold}
        variant_of = {line.id: line.variant_id for order in state.orders.values()
                      for line in order.line_items}
    state_json = store.state(SHOP)
    held = held_by_app(state_json)
    problems = []
    elsewhere = sum(units for line, units in held.items() if variant_of[line] not in oversold)
    if elsewhere:
        problems.append(f"{elsewhere} units held on variants that are not short")
    for variant in oversold:
        units = sum(u for line, u in held.items() if variant_of[line] == variant)
        if units != short[variant]:
            problems.append(f"variant {variant}: {units} units held, {short[variant]} owed "
                            "beyond those on hand")
    if per_line:
        over = {line: held.get(line, 0) - expected.get(line, 0) for line in held.keys() | expected.keys()}
        covered = {line: d for line, d in over.items() if d > 0}
        missing = {line: -d for line, d in over.items() if d < 0}
        if covered:
            problems.append(f"{len(covered)} lines hold {sum(covered.values())} units the queue "
                            f"covers (e.g. line {min(covered)})")
        if missing:
            problems.append(f"{len(missing)} lines miss holds on {sum(missing.values())} owed "
                            f"units (e.g. line {min(missing)})")
    tagged = {o["id"] for o in state_json["orders"] if "backordered" in o["tags"]}
    owing = {o["id"] for o in state_json["orders"]
             if any(li["id"] in (expected if per_line else held) for li in o["line_items"])}
    if tagged != owing:
        problems.append(f"{len(tagged - owing)} orders tagged backordered owe nothing, "
                        f"{len(owing - tagged)} owing orders are not tagged")
    return shape(state_json, held), problems


def priority_units(store, oversold: list[int]) -> dict[int, int]:
    """Open units of priority-tagged customers, per oversold variant."""
    with store.core.lock:
        state = store.shop(SHOP)
        return {v: sum(owed for key, _, owed in open_lines(state, v) if key[0] < len(PRIORITY_TAGS))
                for v in oversold}


def cost_since(store, before: dict) -> dict:
    """The store's actual cost per GraphQL operation since `before`, most first."""
    now = store.counters.get("cost_by_operation", {})
    spent = {name: cost - before.get(name, 0) for name, cost in now.items()}
    return dict(sorted(((n, c) for n, c in spent.items() if c), key=lambda item: -item[1]))


def run(orders: int, rate: float, restock: float, workers: int,
        bulk_after_s: float = 0.0, workflows: bool = False) -> dict:
    logging.disable(logging.WARNING)  # progress lines only; the app logs every request
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(Path(tmp), workers, bulk_after_s, workflows)
        try:
            oversold, stocked = bench.set_up()
            stats = bench.services.admin_client.stats
            before = stats.snapshot()
            spent = dict(bench.store.counters.get("cost_by_operation", {}))
            print(f"sale: {orders} orders at {rate:g}/s over {OVERSOLD} oversold variants "
                  f"({OVERSOLD_STOCK} units each on hand) and {STOCKED} stocked ones, priority "
                  f"tags {', '.join(PRIORITY_TAGS)}; {workers} worker threads, bucket 2000 "
                  "points restored at 100/s (Standard plan)", flush=True)
            started = time.monotonic()
            placed = bench.sale(orders, rate, oversold, stocked)
            placing_s = time.monotonic() - started
            settle_s = bench.wait(bench.settled)
            holds = bench.services.shopify_gateway.counters["holds_placed"]
            released = bench.services.shopify_gateway.counters.get("holds_released", 0)
            holds_s = bench.last_hold_at - started
            sale = {k: v - before[k] for k, v in stats.snapshot().items()}
            waiting = bench.backordered()
            latencies = [synced.timestamp() - placed[order_id]
                         for order_id, synced in waiting.items() if synced]
            after_sale, problems = check_holds(bench.store, oversold, per_line=False)
            print(f"  writes accepted: {dict(bench.services.shopify_gateway.counters)}")
            print(f"  sale cost by operation: {cost_since(bench.store, spent)}")
            print(f"  placed in {placing_s:.1f}s, settled {settle_s:.1f}s later; "
                  f"{len(waiting)} backordered; the store shows {after_sale}", flush=True)
            if problems:
                raise SystemExit("writeback benchmark failed after the sale: " + "; ".join(problems))

            with bench.store.core.lock:
                state = bench.store.shop(SHOP)
                owed = {v: max(0, sum(u for _, _, u in open_lines(state, v)) - on_hand(state, v))
                        for v in oversold}
            first = priority_units(bench.store, oversold)
            arriving = {v: max(math.ceil(restock * owed[v]), first[v] + MAX_QUANTITY)
                        for v in oversold}
            before = stats.snapshot()
            started = time.monotonic()
            for variant, units in arriving.items():
                bench.store.receive_stock(SHOP, variant, units)
            restock_s = bench.wait(bench.settled)
            fill = {k: v - before[k] for k, v in stats.snapshot().items()}
            still = bench.backordered()
            final, problems = check_holds(bench.store, oversold, per_line=True)
            print(f"restock: {sum(arriving.values())} units for {sum(owed.values())} owed; "
                  f"{len(waiting) - len(still)} orders filled in {restock_s:.1f}s; the store "
                  f"shows {final}", flush=True)
            if not final["split_fulfillment_orders"] or not final["partial_holds"]:
                problems.append(f"no partial hold happened: {final}")
            if problems:
                raise SystemExit("writeback benchmark failed after the restock: "
                                 + "; ".join(problems))
            triggers = bench.store.flow_triggers_received(SHOP)
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
        # the last hold of the sale placed, against the time the bucket needs for the holds
        # alone (each a mutation of 10 points, restored at 100 points/s)
        "holds_drain_ratio": round(holds_s / max(0.1, holds * MUTATION_COST / RESTORE_RATE), 2),
        "holds_placed_in_sale": holds,
        "holds_released_in_sale": released,
        "last_hold_s": round(holds_s, 1),
        "sync_max_s": round(max(latencies, default=0.0), 3),
        "settle_after_sale_s": round(settle_s, 1),
        "drain_s": round(placing_s + settle_s, 1),  # the sale's start to every write applied
        "bulk_operations": bench.services.shopify_gateway.counters["bulk_operations"],
        "sale_held_units": after_sale["held_units"],
        "sale_partial_holds": after_sale["partial_holds"],
        "restock_units": sum(arriving.values()),
        "filled_orders": backordered - len(still),
        "restock_requests": int(fill["requests"]),
        "restock_cost": fill["cost_actual"],
        "restock_s": round(restock_s, 1),
        # the store's final state
        "split_fulfillment_orders": final["split_fulfillment_orders"],
        "partial_holds": final["partial_holds"],
        "partially_held_lines": final["partially_held_lines"],
        "held_lines": final["held_lines"],
        "held_units": final["held_units"],
        "store_tagged_after_restock": final["tagged_orders"],
        "store_held_after_restock": final["held_fulfillment_orders"],
        # the customer's notices over the sale and its restock (target: at most 1.5 per
        # backordered order), and what they requested of the bucket (a mutation each); none
        # unless the shop's Flow workflows use the app's triggers (`--workflows`)
        "flow_workflows": len(bench.triggers) if workflows else 0,
        "flow_triggers": len(triggers),
        "flow_triggers_per_backordered_order": round(len(triggers) / max(1, backordered), 3),
        "flow_trigger_cost": len(triggers) * MUTATION_COST,
        "flow_triggers_by_kind": dict(Counter(t["handle"] for t in triggers)),
    }


STEADY_RATE, STEADY_S = 4.0, 300  # about half the orders are backordered: 2 per second


def steady(args) -> dict:
    """Not a flash sale but a busy day: the time from an order to the store showing its hold,
    tag and fields, at a pace the bucket can keep up with or not. With the app's defaults
    (bulk writes for backlogs on) unless `--paced-only`."""
    figures = run(int(STEADY_RATE * STEADY_S), STEADY_RATE, args.restock, args.workers,
                  0.0 if args.paced_only else BULK_AFTER_S, args.workflows)
    return {"steady_p95_s": figures["sync_p95_s"], "steady_max_s": figures["sync_max_s"],
            "steady_backordered_per_s": round(figures["backordered_orders"] / STEADY_S, 2),
            "steady_cost_per_backordered_order": figures["cost_per_backordered_order"],
            "steady_throttled": figures["throttled"],
            "steady_holds_released": figures["holds_released_in_sale"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="orders placed per second")
    parser.add_argument("--restock", type=float, default=0.5,
                        help="share of each oversold variant's owed units that arrives")
    parser.add_argument("--workers", type=int, default=4, help="huey worker threads")
    parser.add_argument("--paced-only", action="store_true",
                        help="skip the second run with bulk writes (with --steady: bulk off)")
    parser.add_argument("--workflows", action="store_true",
                        help="the shop's Flow workflows start with each of the app's triggers "
                             "(by default none does, so no trigger is fired)")
    parser.add_argument("--steady", action="store_true",
                        help="instead: a steady sale, about 2 backordered orders/s for 5 minutes")
    args = parser.parse_args()
    if args.steady:
        figures = steady(args)
    else:
        figures = run(args.orders, args.rate, args.restock, args.workers,
                      workflows=args.workflows)
    if not (args.paced_only or args.steady):
        print("the same sale again, with bulk writes for backlogs (the app's default)", flush=True)
        bulk = run(args.orders, args.rate, args.restock, args.workers, BULK_AFTER_S,
                   args.workflows)
        figures.update(bulk_drain_s=bulk["drain_s"],
                       bulk_settle_after_sale_s=bulk["settle_after_sale_s"],
                       bulk_cost_per_backordered_order=bulk["cost_per_backordered_order"],
                       bulk_throttled=bulk["throttled"],
                       bulk_operations=bulk["bulk_operations"])
    for key, value in figures.items():
        print(f"  {key.replace('_', ' '):32} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
