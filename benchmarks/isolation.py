"""Isolation between shops: shop A saves settings that re-plan its 10,000 backordered lines while
shop B's webhooks keep arriving at 50 a second. B's deliveries must be answered as quickly as
when A is idle, and none may fail.

The app is the real one, on its embedded default: SQLite and the SQLite job queue, in a
temporary folder. The web side is the app factory's Flask app in this process (requests through
its test client, one thread per request in flight); the worker is a separate process running the
huey consumer with two worker threads, as `flask --app app worker` does. A's `PUT /api/settings`
carries a session token; it stores the settings and enqueues the re-plan job, which the worker
runs a chunk of pools per transaction. B's deliveries are signed `orders/create` and
`inventory_levels/update` webhooks for B's own variants, sent on a fixed schedule (a slow answer
does not delay the next delivery); the worker handles their receipts beside A's job.

Phases: B alone for a few seconds (the baseline), then A's save, B's deliveries continuing until
A's job is done and for at least `--min-seconds` in all. `b_webhook_p99_ms` is over the
deliveries sent while A's job was queued or running. Platform calls go to an in-memory fake;
syncs to the platform are left for later (they are measured by benchmarks.writeback), so the
worker runs the re-plan and B's receipts only. Data is seeded with plain inserts and planned once
before the run, not timed. The worker reports the length of each of its transactions (on SQLite
each holds the only write lock, which B's deliveries need to record their receipts): the longest,
by the function that opened it, are printed with the figures.

Run: python -m benchmarks.isolation [--lines 10000 --pools 1000 --rate 50 --seed 7]
The last line printed is one JSON object of the figures; the run exits non-zero when any of B's
deliveries failed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import jwt
from cryptography.fernet import Fernet
from sqlalchemy import event, func, select

from app import create_app
from app.config import load_config
from app.services.ports import OrderState, ShopProfile, TokenGrant
from app.storage.migrate import upgrade
from app.storage.tables import OrderLine, Pool, WebhookReceipt
from benchmarks.planning import NOW, HotPool, order_payload, seed_pools, stock_payload
from webhooks.signature import sign

API_KEY = "bench-key"
SECRET = "bench-secret"
SHOP_A = "shop-a.myshopify.com"
SHOP_B = "shop-b.myshopify.com"
B_POOLS = 20  # B's variants, each with a short queue of its own
B_LINES = 400
B_FIRST = 900_000  # B's variant numbers, apart from A's
TARGETS = {"b_webhook_p99_ms": 250, "b_errors": 0}
BASELINE_S = 3.0
SENDERS = 256  # deliveries in flight at once, as many connections as the platform opens


class Clock:
    """The app's clock in both processes: the seeded data's moment, moving with real time from a
    shared anchor, so receipts' received and processed times compare across processes."""

    def __init__(self, anchor: float) -> None:
        self.anchor = anchor

    def __call__(self) -> datetime:
        return NOW + timedelta(seconds=time.time() - self.anchor)


class Platform:
    """Nothing leaves the machine: every variant and its stock is in the mirror already, orders
    have no fulfillment orders yet, and writes are accepted."""

    def variants(self, shop, variant_ids):
        return []

    def stock(self, shop, inventory_item_ids):
        return []

    def order(self, shop, order_id):
        raise LookupError(order_id)

    def customer_tags(self, shop, customer_ids):
        return {c: () for c in customer_ids}

    def order_states(self, shop, order_ids):
        return [OrderState(order_id=o, tags=(), fulfillment_orders=()) for o in order_ids]

    def order_of_fulfillment_order(self, shop, fulfillment_order_id):
        return None

    def apply(self, shop, changes):
        return {c.order_id: None for c in changes}

    def set_inventory_policy(self, shop, variant_id, product_id, policy):
        pass

    def set_product_substitutes(self, shop, product_id, products):
        pass

    def shop_profile(self, shop):
        return ShopProfile(country_code="US", timezone="America/New_York")

    def ensure_definitions(self, shop):
        pass

    def catalog(self, shop):
        return []


def app_env(folder: Path) -> dict:
    return {
        "SHOPIFY_API_KEY": API_KEY,
        "SHOPIFY_API_SECRET": SECRET,
        "SHOPIFY_APP_URL": "https://backorders.test",
        "DATABASE_URL": f"sqlite:///{folder / 'app.db'}",
        "QUEUE_PATH": str(folder / "queue.db"),
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SHOPIFY_ADMIN_ORIGIN": "https://{shop}",
        "APP_ENV": "production",
        "SYNC_DELAY_SECONDS": "300",  # syncs go to the platform: not part of this run
    }


def build_app(env: dict, anchor: float):
    return create_app(load_config(env), clock=Clock(anchor), migrate=False, gateway=Platform())


# the worker process


def worker_main(env: dict, anchor: float, events, stop) -> None:
    """`flask --app app worker`: the huey consumer, two worker threads. Each task's start and
    end is reported to the parent with the wall time, and so is every transaction of the worker
    that went through the engine: how long it held SQLite's only write lock (from its BEGIN
    IMMEDIATE to its end) and the function that opened it."""
    from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR, SIGNAL_EXECUTING

    app = build_app(env, anchor)
    services = app.extensions["backorders"]
    huey = services.queue.huey
    transaction = services.db.transaction
    opened = threading.local()

    @contextmanager
    def named():
        opened.caller = sys._getframe(2).f_code.co_name
        with transaction() as s:
            yield s

    def locked(conn) -> None:  # after BEGIN IMMEDIATE: the write lock is held from here
        conn.info["locked_at"] = time.perf_counter()

    def released(conn) -> None:
        started = conn.info.pop("locked_at", None)
        if started is not None:
            events.put(("transaction", getattr(opened, "caller", "?"),
                        time.perf_counter() - started, None))

    services.db.transaction = named
    event.listen(services.db.engine, "begin", locked)
    event.listen(services.db.engine, "commit", released)
    event.listen(services.db.engine, "rollback", released)

    @huey.signal(SIGNAL_EXECUTING, SIGNAL_COMPLETE, SIGNAL_ERROR)
    def report(signal, task, exc=None):
        events.put((signal, task.name, time.time(), repr(exc) if exc else None))

    consumer = services.queue.consumer(2, periodic=False)  # its receipt taker included
    consumer.start()
    events.put(("ready", None, time.time(), None))
    stop.wait()
    consumer.stop()
    services.close()


# the web side


def session_token(shop: str) -> str:
    now = int(time.time())
    return jwt.encode({"iss": f"https://{shop}/admin", "dest": f"https://{shop}", "aud": API_KEY,
                       "sub": "42", "exp": now + 300, "nbf": now - 1, "iat": now - 1,
                       "jti": str(uuid.uuid4()), "sid": "sid-1"}, SECRET, algorithm="HS256")


def webhook_headers(topic: str, body: bytes, shop: str, at: datetime) -> dict:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-Hmac-Sha256": sign(body, SECRET),
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Triggered-At": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def seed(services, rng: random.Random, lines: int, pools: int) -> list[HotPool]:
    """Both shops installed, A's lines over its pools (a fifth of its customers tagged `vip`), B's
    short queues; every pool planned once, as a running shop's are."""
    now = services.clock()
    for shop in (SHOP_A, SHOP_B):
        services.installs.install(shop, TokenGrant(
            access_token=f"shpat_{shop[:6]}", scopes="read_orders,write_orders",
            access_expires_at=now + timedelta(days=1), refresh_token=None, refresh_expires_at=None))
    cuts = sorted(rng.sample(range(1, lines), pools - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, lines], strict=True)]
    seed_pools(services, rng, SHOP_A, sizes, 1, tagged=0.2)
    b_pools = seed_pools(services, rng, SHOP_B, [B_LINES // B_POOLS] * B_POOLS, B_FIRST)
    for shop in (SHOP_A, SHOP_B):
        with services.db.transaction() as s:
            names = sorted(set(s.scalars(select(OrderLine.pool).where(OrderLine.shop == shop))))
        for start in range(0, len(names), 500):
            with services.db.transaction() as s:
                services.planning.replan(s, shop, names[start:start + 500], "seeded")
    services.queue.huey.flush()  # the installs' setup jobs: platform calls, not part of this run
    return b_pools


class Deliveries:
    """B's webhooks on a fixed schedule, each answered in a thread of its own."""

    def __init__(self, app, b_pools: list[HotPool], rate: float, clock: Clock) -> None:
        self.app = app
        self.pools = b_pools
        self.interval = 1 / rate
        self.clock = clock
        self.results: list[tuple[float, float, int | str]] = []  # sent (wall), ms, status
        self.stopping = threading.Event()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._count = 0

    def _client(self):
        if not hasattr(self._local, "client"):
            self._local.client = self.app.test_client()
        return self._local.client

    def _payload(self, k: int) -> tuple[str, dict]:
        hot = self.pools[k // 2 % len(self.pools)]
        at = self.clock()
        if k % 2 == 0:
            number = 10**9 + k
            hot.available -= 1
            return "orders/create", order_payload(number, hot.number, 1, at)
        return "inventory_levels/update", stock_payload(hot, at)

    def _send(self, due: float, topic: str, payload: dict) -> None:
        """One delivery, timed from when it was due: a delivery waiting for a free sender is
        late by that much, as it would be at the platform."""
        body = json.dumps(payload).encode()
        headers = webhook_headers(topic, body, SHOP_B, self.clock())
        sent = time.time() - (time.perf_counter() - due)
        started = due
        try:
            response = self._client().post("/webhooks", data=body, headers=headers)
            status: int | str = response.status_code
            if response.status_code == 200 and response.get_json().get("status") != "accepted":
                status = f"200 {response.get_json().get('status')}"
        except Exception as exc:  # noqa: BLE001 - an exception is a failed delivery, counted
            status = f"{type(exc).__name__}: {exc}"
        ms = (time.perf_counter() - started) * 1000
        with self._lock:
            self.results.append((sent, ms, status))

    def run(self) -> None:
        with ThreadPoolExecutor(max_workers=SENDERS) as pool:
            due = time.perf_counter()
            k = 0
            while not self.stopping.is_set():
                topic, payload = self._payload(k)  # built in order: stock counts follow orders
                pool.submit(self._send, due, topic, payload)
                k += 1
                due += self.interval
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)


def save_settings(app) -> tuple[float, float, int]:
    """A merchant's save: read the settings, rank the queue by the `vip` tag, save. The wall
    time the save was sent, its answer's ms and status."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {session_token(SHOP_A)}"}
    settings = client.get("/api/settings", headers=headers).get_json()
    settings["policy"]["priority_tags"] = ["vip"]
    sent = time.time()
    started = time.perf_counter()
    response = client.put("/api/settings", json=settings, headers=headers)
    return sent, (time.perf_counter() - started) * 1000, response.status_code


def wait_for(events, name: str | None, signals: set[str], timeout: float,
             transactions: list | None = None) -> tuple[str, float, str | None]:
    """The next report of the worker naming this task and one of these signals; the worker's
    transactions reported meanwhile are kept."""
    deadline = time.monotonic() + timeout
    while True:
        signal, task, at, error = events.get(timeout=max(0.1, deadline - time.monotonic()))
        if signal == "transaction":
            if transactions is not None:
                transactions.append((at, task))
        elif task == name and signal in signals:
            return signal, at, error


def percentile(values: list[float], p: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def b_processing(services, timeout: float) -> dict:
    """Wait for B's receipts to be handled by the worker; seconds from received to handled."""
    deadline = time.monotonic() + timeout
    while True:
        with services.db.transaction() as s:
            left = s.scalar(select(func.count()).select_from(WebhookReceipt).where(
                WebhookReceipt.shop == SHOP_B, WebhookReceipt.processed_at.is_(None)))
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    with services.db.transaction() as s:
        rows = s.execute(select(WebhookReceipt.received_at, WebhookReceipt.processed_at).where(
            WebhookReceipt.shop == SHOP_B)).all()
    lags = [(p - r).total_seconds() for r, p in rows if p is not None]
    return {"b_receipts_unprocessed": left,
            "b_processed_p99_s": round(percentile(lags, 99), 2) if lags else None}


def run(args) -> dict:
    rng = random.Random(args.seed)
    anchor = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = app_env(folder)
        upgrade(env["DATABASE_URL"])
        app = build_app(env, anchor)
        services = app.extensions["backorders"]
        b_pools = seed(services, rng, args.lines, args.pools)
        with services.db.transaction() as s:
            backordered = s.scalar(select(func.count()).select_from(OrderLine).where(
                OrderLine.shop == SHOP_A, OrderLine.backordered > 0))
            a_pools = s.scalar(select(func.count()).select_from(Pool).where(Pool.shop == SHOP_A))
        print(f"seeded: shop A {args.lines:,} lines in {a_pools:,} pools, {backordered:,} "
              f"backordered; shop B {B_LINES} lines in {B_POOLS} pools")

        context = multiprocessing.get_context("spawn")
        events, stop = context.Queue(), context.Event()
        worker = context.Process(target=worker_main, args=(env, anchor, events, stop))
        worker.start()
        try:
            transactions: list[tuple[float, str]] = []
            wait_for(events, None, {"ready"}, 60)
            deliveries = Deliveries(app, b_pools, args.rate, Clock(anchor))
            sender = threading.Thread(target=deliveries.run)
            began = time.time()
            sender.start()
            time.sleep(BASELINE_S)
            put_sent, put_ms, put_status = save_settings(app)
            if put_status != 200:
                raise SystemExit(f"PUT /api/settings answered {put_status}")
            _, job_started, _ = wait_for(events, "replan_shop", {"executing"}, 120, transactions)
            signal, job_done, error = wait_for(events, "replan_shop", {"complete", "error"},
                                               args.timeout, transactions)
            if signal == "error":
                raise SystemExit(f"the re-plan job failed: {error}")
            rest = max(1.0, began + args.min_seconds - time.time())
            time.sleep(rest)
            deliveries.stopping.set()
            sender.join()
            processing = b_processing(services, 60)
        finally:
            stop.set()
            worker.join(20)
            if worker.is_alive():
                worker.kill()
            while not events.empty():
                signal, task, at, _ = events.get()
                if signal == "transaction":
                    transactions.append((at, task))
        services.close()

    results = deliveries.results
    baseline = [ms for sent, ms, _ in results if sent < put_sent]
    during = [ms for sent, ms, _ in results if put_sent <= sent <= job_done]
    errors = [(sent, ms, status) for sent, ms, status in results
              if not (isinstance(status, int) and 200 <= status < 300)]
    figures = {
        "b_webhook_p99_ms": round(percentile(during, 99), 1),
        "b_errors": len(errors),
        "a_replan_s": round(job_done - put_sent, 2),
        "b_webhooks": len(during),
        "b_webhook_p50_ms": round(percentile(during, 50), 1),
        "b_webhook_max_ms": round(max(during), 1) if during else 0.0,
        "b_webhook_p99_ms_alone": round(percentile(baseline, 99), 1),
        "b_webhooks_total": len(results),
        "a_put_ms": round(put_ms, 1),
        "a_job_wait_s": round(job_started - put_sent, 2),
        "a_job_run_s": round(job_done - job_started, 2),
        **processing,
        "worker_transaction_max_s": round(max((d for d, _ in transactions), default=0), 2),
        "worker_transactions_over_250ms": sum(d > 0.25 for d, _ in transactions),
    }
    longest: dict[str, float] = {}
    for seconds, caller in transactions:
        longest[caller] = max(longest.get(caller, 0), seconds)
    figures["worker_transaction_max_s_by_caller"] = {
        k: round(v, 2) for k, v in sorted(longest.items(), key=lambda kv: -kv[1])[:5]}
    figures["targets_met"] = all(figures[k] <= v for k, v in TARGETS.items())
    figures["error_samples"] = [str(status) for _, _, status in errors[:5]]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000, help="shop A's backordered lines")
    parser.add_argument("--pools", type=int, default=1_000, help="shop A's pools")
    parser.add_argument("--rate", type=float, default=50, help="shop B's webhooks per second")
    parser.add_argument("--min-seconds", type=float, default=10,
                        help="B's deliveries last at least this long, the baseline included")
    parser.add_argument("--timeout", type=float, default=600, help="give up on A's job after")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    figures = run(args)
    print(f"shop A: settings saved in {figures['a_put_ms']} ms; the re-plan job waited "
          f"{figures['a_job_wait_s']} s and ran {figures['a_job_run_s']} s "
          f"({figures['a_replan_s']} s from the save)")
    print(f"shop B alone, {args.rate:g}/s: p99 {figures['b_webhook_p99_ms_alone']} ms")
    print(f"shop B during A's re-plan: {figures['b_webhooks']} webhooks, p50 "
          f"{figures['b_webhook_p50_ms']} ms, p99 {figures['b_webhook_p99_ms']} ms (target "
          f"<= {TARGETS['b_webhook_p99_ms']}), max {figures['b_webhook_max_ms']} ms")
    print(f"shop B's receipts handled by the worker: p99 {figures['b_processed_p99_s']} s from "
          f"receipt, {figures['b_receipts_unprocessed']} left unhandled")
    print(f"the worker's longest holds of the write lock, by the function: "
          f"{figures['worker_transaction_max_s_by_caller']}; "
          f"{figures['worker_transactions_over_250ms']} over 250 ms")
    print(f"errors: {figures['b_errors']} of {figures['b_webhooks_total']} deliveries; "
          f"targets met: {figures['targets_met']}")
    print(json.dumps(figures))
    if figures["b_errors"]:
        raise SystemExit(f"{figures['b_errors']} of shop B's webhooks failed: "
                         f"{figures['error_samples']}")


if __name__ == "__main__":
    main()
