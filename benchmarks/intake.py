"""Webhook intake under load: signed `orders/create` deliveries posted over loopback to the app
run under gunicorn (verify, record the receipt, enqueue), against the same load on a bare Flask
endpoint under the same server as the floor.

Every delivery is signed for an installed shop and is a distinct event (its own
`X-Shopify-Event-Id`), so each must be accepted and recorded: the run fails, naming how many and
why, unless every delivery sent to the app (warm-up included) was answered 200 `accepted` and has
its receipt row in the database. A delivery answered `dropped`, `duplicate` or `ignored` is not
throughput.

    python -m benchmarks.intake [--count 20000] [--senders 4] [--threads 4]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import quantiles

from cryptography.fernet import Fernet
from sqlalchemy import select

from benchmarks.deliveries import Delivery, deliver
from webhooks.signature import sign

SHOP = "bench-shop.myshopify.com"
SECRET = "bench-secret"
TOPIC = "orders/create"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(tmp: Path) -> dict:
    return {
        **os.environ,
        "SHOPIFY_API_SECRET": SECRET,
        "SHOPIFY_API_KEY": "bench-key",
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}",
        "QUEUE_PATH": str(tmp / "queue.db"),
        "APP_ENV": "production",
    }


def prepare(env: dict) -> None:
    from app import create_app
    from app.config import load_config
    from app.services.ports import TokenGrant
    from app.storage.migrate import upgrade

    config = load_config(env)
    upgrade(config.database_url)
    services = create_app(config, migrate=False).extensions["backorders"]
    services.queue.huey.flush()
    now = datetime.now(UTC)
    services.installs.install(SHOP, TokenGrant("shpat_bench", "read_orders", now + timedelta(hours=1),
                                               None, None))
    services.close()


def serve(target: str, env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread",
         "--threads", str(threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning", target],
        env=env, cwd=ROOT)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{target} did not start")


def measure(target, env, args, body, headers) -> tuple[float, list[Delivery], list[Delivery]]:
    """(elapsed seconds of the measured run, its deliveries, the warm-up's deliveries)."""
    port = free_port()
    proc = serve(target, env, port, args.workers, args.server_threads)
    try:
        _, warm_up = deliver(port, min(500, args.count), args.senders, args.threads, body, headers)
        elapsed, deliveries = deliver(port, args.count, args.senders, args.threads, body, headers)
        return elapsed, deliveries, warm_up
    finally:
        proc.terminate()
        proc.wait(10)


def recorded_events(env: dict) -> set[str]:
    """Event ids of the `orders/create` receipts recorded for the shop."""
    from app.config import load_config
    from app.storage.db import Database
    from app.storage.tables import WebhookReceipt

    db = Database(load_config(env).database_url)
    with db.transaction() as s:
        events = set(s.scalars(select(WebhookReceipt.event_id).where(
            WebhookReceipt.shop == SHOP, WebhookReceipt.topic == TOPIC)))
    db.dispose()
    return events


def check_taken(sent: list[Delivery], recorded: set[str]) -> tuple[int, int, list[str]]:
    """(accepted, recorded, problems): every delivery must be answered 200 `accepted` and have
    its receipt row."""
    accepted = [d for d in sent if d.status == 200 and d.outcome == "accepted"]
    refused = Counter((d.status, d.outcome) for d in sent
                      if not (d.status == 200 and d.outcome == "accepted"))
    stored = sum(d.event_id in recorded for d in sent)
    problems = []
    if refused:
        why = ", ".join(f"{n} answered {status or 'no response'} {outcome!r}"
                        for (status, outcome), n in refused.most_common())
        problems.append(f"{len(sent) - len(accepted)} of {len(sent)} deliveries were not "
                        f"accepted ({why})")
    missing = sum(d.event_id not in recorded for d in accepted)
    if missing:
        problems.append(f"{missing} of {len(accepted)} accepted deliveries have no receipt row "
                        "in the database")
    return len(accepted), stored, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--senders", type=int, default=4, help="sending processes")
    parser.add_argument("--threads", type=int, default=4, help="connections per sender")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--server-threads", type=int, default=4, help="threads per gunicorn worker")
    args = parser.parse_args()
    order = json.loads((ROOT / "tests/fixtures/payloads/orders_create.2025-10.metadata.json")
                       .read_text())["response"]
    body = json.dumps(order).encode()
    headers = {"Content-Type": "application/json", "X-Shopify-Topic": TOPIC,
               "X-Shopify-Shop-Domain": SHOP, "X-Shopify-Hmac-Sha256": sign(body, SECRET),
               "X-Shopify-API-Version": "2026-10",
               "X-Shopify-Triggered-At": datetime.now(UTC).isoformat()}
    with tempfile.TemporaryDirectory() as tmp:
        env = app_env(Path(tmp))
        prepare(env)
        elapsed, results, warm_up = measure("app:create_app()", env, args, body, headers)
        sent = warm_up + results
        accepted, stored, problems = check_taken(sent, recorded_events(env))
        print(f"deliveries to the app: {len(sent)} ({len(warm_up)} warm-up), {accepted} accepted,"
              f" {stored} recorded")
        if problems:
            raise SystemExit("intake benchmark failed: " + "; ".join(problems))
        bare_elapsed, bare, _ = measure("benchmarks.bare_app:create_app()", env, args, body,
                                        headers)
    failed = [d for d in bare if d.status != 200]
    if failed:
        raise SystemExit(f"intake benchmark failed: {len(failed)} of {len(bare)} deliveries to "
                         "the bare endpoint were not answered 200")
    latencies = sorted(d.latency_s * 1000 for d in results)
    cuts = quantiles(latencies, n=100)
    figures = {
        "deliveries": len(sent),
        "accepted": accepted,
        "recorded": stored,
        "webhooks_per_s": round(len(results) / elapsed, 1),
        "p50_ms": round(cuts[49], 2),
        "p99_ms": round(cuts[98], 2),
        "bare_per_s": round(len(bare) / bare_elapsed, 1),
    }
    figures["ratio_to_bare"] = round(figures["webhooks_per_s"] / figures["bare_per_s"], 3)
    print(f"measured: {len(results)} deliveries in {elapsed:.2f}s")
    print(f"app: {figures['webhooks_per_s']}/s p50 {figures['p50_ms']} ms p99 {figures['p99_ms']} ms;"
          f" bare: {figures['bare_per_s']}/s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
