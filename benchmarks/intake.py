"""Webhook intake under load: signed `orders/create` deliveries posted over loopback to the app
run under gunicorn (verify, record the receipt, enqueue), against the same load on a bare Flask
endpoint under the same server as the floor.

    python -m benchmarks.intake [--count 20000] [--senders 4] [--threads 8]
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import quantiles

from cryptography.fernet import Fernet
from sqlalchemy import func, select

from benchmarks.loadgen import run_load
from webhooks.signature import sign

SHOP = "bench-shop.myshopify.com"
SECRET = "bench-secret"
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


def measure(target, env, args, body, headers) -> tuple[float, list]:
    port = free_port()
    proc = serve(target, env, port, args.workers, args.server_threads)
    try:
        run_load(port, min(500, args.count), args.senders, args.threads, body, headers)  # warm-up
        return run_load(port, args.count, args.senders, args.threads, body, headers)
    finally:
        proc.terminate()
        proc.wait(10)


def recorded(env: dict) -> int:
    from app.config import load_config
    from app.storage.db import Database
    from app.storage.tables import WebhookReceipt

    db = Database(load_config(env).database_url)
    with db.transaction() as s:
        count = s.scalar(select(func.count()).select_from(WebhookReceipt))
    db.dispose()
    return count


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
    headers = {"Content-Type": "application/json", "X-Shopify-Topic": "orders/create",
               "X-Shopify-Shop-Domain": SHOP, "X-Shopify-Hmac-Sha256": sign(body, SECRET),
               "X-Shopify-API-Version": "2026-10"}
    with tempfile.TemporaryDirectory() as tmp:
        env = app_env(Path(tmp))
        prepare(env)
        elapsed, results = measure("app:create_app()", env, args, body, headers)
        statuses = {s for _, s in results}
        stored = recorded(env)
        bare_elapsed, _ = measure("benchmarks.bare_app:create_app()", env, args, body, headers)
    latencies = sorted(r[0] * 1000 for r in results)
    cuts = quantiles(latencies, n=100)
    figures = {
        "webhooks_per_s": round(len(results) / elapsed, 1),
        "p50_ms": round(cuts[49], 2),
        "p99_ms": round(cuts[98], 2),
        "bare_per_s": round(len(results) / bare_elapsed, 1),
    }
    figures["ratio_to_bare"] = round(figures["webhooks_per_s"] / figures["bare_per_s"], 3)
    print(f"deliveries: {len(results)} in {elapsed:.2f}s, statuses {sorted(statuses)}, "
          f"receipts recorded (incl. warm-up): {stored}")
    print(f"app: {figures['webhooks_per_s']}/s p50 {figures['p50_ms']} ms p99 {figures['p99_ms']} ms;"
          f" bare: {figures['bare_per_s']}/s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
