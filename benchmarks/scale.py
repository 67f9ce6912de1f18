"""The scale path: PostgreSQL and Redis, worker processes, many shops in a sale at once.

50 shops (by default) each sell 8 variants that keep selling past a small stock. Their webhooks
(an order, then the stock update it causes, as Shopify sends them) are recorded through the
intake service and queued on Redis, interleaved across shops as a simultaneous sale would; then
`--processes` worker processes (the huey consumer of `flask --app app worker`, two threads each)
drain the queue. Nothing leaves the machine: the catalog is in the mirror already and the
platform's writes are accepted without a network (syncs are held back: they are the write-back's
business, measured by `benchmarks.writeback`).

- `processed_per_s`: receipts processed (webhook to stored plan and desired state) per second,
  from the workers' start until the backlog shows no webhook left;
- `oversold`: units the app says are ready beyond the stock there is, per variant, against the
  truth computed apart (the first units ordered are the ones covered); must be 0, and so must
  `undersold`, ready units the app withholds;
- `worker_scaling`: processed_per_s with `--processes` processes over the same with one.

Needs DATABASE_URL (PostgreSQL; its tables are dropped first: give it a database of its own) and
REDIS_URL. Run: python -m benchmarks.scale [--shops 50 --orders 60 --processes 2]
The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import random
import time
from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet
from sqlalchemy import func, insert, select

from app import create_app
from app.config import database_url_of, load_config
from app.storage.migrate import upgrade
from app.storage.tables import OrderLine, Shop, StockLevel, Variant
from benchmarks.isolation import Platform
from benchmarks.planning import fresh_schema, order_payload

TARGETS = {"processed_per_s": 250, "worker_scaling": 1.6}
VARIANTS = 8
STOCK = 5  # units on hand per variant when the sale starts
LOCATION = "gid://shopify/Location/1"
SETTLE_TIMEOUT_S = 900


def app_env() -> dict:
    return {
        "SHOPIFY_API_KEY": "bench-key", "SHOPIFY_API_SECRET": "bench-secret",
        "SHOPIFY_APP_URL": "https://backorders.test",
        "DATABASE_URL": os.environ["DATABASE_URL"], "REDIS_URL": os.environ["REDIS_URL"],
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "APP_ENV": "production",
        "SYNC_DELAY_SECONDS": "300",  # the write-back is not part of this run
    }


def build_app(env: dict):
    return create_app(load_config(env), migrate=False, gateway=Platform())


def worker_main(env: dict, ready, stop) -> None:
    """One worker process: the huey consumer with two threads, until told to stop. The periodic
    jobs are left out: they would sync in the middle of the measure."""
    services = build_app(env).extensions["backorders"]
    logging.getLogger().setLevel(logging.WARNING)
    consumer = services.queue.consumer(workers=2, periodic=False)
    consumer.start()
    ready.release()
    stop.wait()
    consumer.stop(graceful=True)
    services.close()


def shop_name(n: int) -> str:
    return f"sale-{n:03d}.myshopify.com"


def variant_number(shop: int, k: int) -> int:
    return 1_000 * (shop + 1) + k


def seed(services, shops: int, now: datetime) -> None:
    """The shops installed, their variants mirrored with their stock, all selling past zero."""
    with services.db.transaction() as s:
        s.execute(insert(Shop), [dict(shop=shop_name(n), installed=True, scopes="read_orders",
                                      installed_at=now, country_code="US", policy={})
                                 for n in range(shops)])
        numbers = [(n, variant_number(n, k)) for n in range(shops) for k in range(VARIANTS)]
        s.execute(insert(Variant), [dict(
            shop=shop_name(n), variant_id=f"gid://shopify/ProductVariant/{v}",
            product_id=f"gid://shopify/Product/{v}", inventory_item_id=f"gid://shopify/InventoryItem/{v}",
            product_title=f"Product {v}", vendor="Acme", inventory_policy="CONTINUE", tracked=True,
            options=[], tags=[], collections=[], substitutes=[]) for n, v in numbers])
        s.execute(insert(StockLevel), [dict(
            shop=shop_name(n), inventory_item_id=f"gid://shopify/InventoryItem/{v}",
            location_id=LOCATION, available=STOCK, updated_at=now - timedelta(minutes=1))
            for n, v in numbers])


def sale(rng: random.Random, shops: int, orders: int, now: datetime):
    """(shop, topic, payload) in the order the webhooks come, and per variant the units ordered
    in order: each shop's orders two seconds apart, each stock update a second after its order
    (Shopify's times are whole seconds), the shops' sales at once."""
    available = {(n, k): STOCK for n in range(shops) for k in range(VARIANTS)}
    ordered: dict[tuple[int, int], list[int]] = {key: [] for key in available}
    deliveries = []
    for i in range(orders):
        at = now + timedelta(seconds=2 * i)
        for n in range(shops):
            k, quantity = rng.randrange(VARIANTS), rng.choice((1, 1, 2))
            number = variant_number(n, 0) * 1_000 + i
            deliveries.append((shop_name(n), "orders/create",
                               order_payload(number, variant_number(n, k), quantity, at)))
            available[n, k] -= quantity
            ordered[n, k].append(quantity)
            item = variant_number(n, k)
            deliveries.append((shop_name(n), "inventory_levels/update", {
                "inventory_item_id": item, "location_id": 1, "available": available[n, k],
                "updated_at": (at + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "admin_graphql_api_id": f"gid://shopify/InventoryLevel/1?inventory_item_id={item}"}))
    return deliveries, ordered


def record(services, deliveries) -> list[int]:
    """Through the intake service, as the web does after verifying each delivery."""
    return [services.intake.record(
        webhook_id=f"w{n}", event_id=f"e{n}", topic=topic, shop=shop, api_version="2026-10",
        triggered_at=None, payload=json.dumps(payload))
        for n, (shop, topic, payload) in enumerate(deliveries)]


def drain(env: dict, services, processes: int, receipts: list[int]) -> float:
    """Receipts processed per second by `processes` worker processes, from the moment they are
    queued to the running workers."""
    # Taken here, as a worker's receipt taker would, so the workers start on an empty queue and
    # the measure starts when the jobs are queued.
    taken = services.intake.take_waiting(len(receipts))
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Semaphore(0), context.Event()
    workers = [context.Process(target=worker_main, args=(env, ready, stop))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    try:
        for _ in workers:
            if not ready.acquire(timeout=120):
                raise SystemExit("a worker process did not start")
        started = time.monotonic()
        for receipt in taken:
            services.queue.process_receipt(receipt)
        while services.backlog.status().webhooks:
            if time.monotonic() - started > SETTLE_TIMEOUT_S:
                raise SystemExit(f"the workers did not process {receipts} receipts in "
                                 f"{SETTLE_TIMEOUT_S} s")
            time.sleep(0.05)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)
            if worker.is_alive():
                worker.kill()
    return len(receipts) / elapsed


def misallocated(services, ordered: dict) -> tuple[int, int]:
    """(oversold, undersold) units: per variant, the app's ready units against the truth, the
    stock on hand going to the first units ordered."""
    with services.db.read() as s:
        covered = dict(s.execute(select(OrderLine.variant_id, func.sum(OrderLine.covered))
                                 .group_by(OrderLine.variant_id)).all())
    over = under = 0
    for (n, k), quantities in ordered.items():
        truth = min(STOCK, sum(quantities))
        app = covered.get(f"gid://shopify/ProductVariant/{variant_number(n, k)}", 0) or 0
        over += max(0, app - truth)
        under += max(0, truth - app)
    return over, under


def run(args, processes: int) -> dict:
    env = app_env()
    url = database_url_of(env["DATABASE_URL"])
    fresh_schema(url)
    upgrade(url)
    services = build_app(env).extensions["backorders"]
    services.queue.huey.flush()
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)  # the sale is over
    seed(services, args.shops, now)
    deliveries, ordered = sale(random.Random(args.seed), args.shops, args.orders, now)
    logging.getLogger().setLevel(logging.WARNING)
    per_s = drain(env, services, processes, record(services, deliveries))
    over, under = misallocated(services, ordered)
    services.queue.huey.flush()
    services.close()
    return {"processed_per_s": round(per_s, 1), "receipts": len(deliveries),
            "oversold": over, "undersold": under}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shops", type=int, default=50)
    parser.add_argument("--orders", type=int, default=60, help="orders per shop")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get(
            "REDIS_URL"):
        print("benchmarks.scale needs DATABASE_URL (PostgreSQL) and REDIS_URL")
        print(json.dumps({"skipped": "needs DATABASE_URL (PostgreSQL) and REDIS_URL"}))
        raise SystemExit(2)
    one = run(args, 1)
    print(f"1 worker process: {one['processed_per_s']} receipts/s ({one['receipts']} receipts)")
    many = run(args, args.processes)
    print(f"{args.processes} worker processes: {many['processed_per_s']} receipts/s")
    figures = {
        "processed_per_s": many["processed_per_s"],
        "processed_per_s_one_process": one["processed_per_s"],
        "worker_scaling": round(many["processed_per_s"] / one["processed_per_s"], 2),
        "oversold": many["oversold"] + one["oversold"],
        "undersold": many["undersold"] + one["undersold"],
        "receipts": many["receipts"], "shops": args.shops, "processes": args.processes,
    }
    figures["targets_met"] = (all(figures[k] >= v for k, v in TARGETS.items())
                              and figures["oversold"] == 0)
    print(f"oversold {figures['oversold']}, undersold {figures['undersold']}; "
          f"targets met: {figures['targets_met']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
