"""The embedded admin's JSON API on a shop of 10,000 and of 100,000 waiting lines, through the
real Flask app: requests from the test client with a signed session token, as App Bridge sends
them, on SQLite in a temporary folder. The shop is seeded with plain inserts (as
`benchmarks.planning` does: one line per order, pools of ten to thirty lines, stock for a tenth
of the units, three restocks for another 40%), then planned once, untimed.

- `queue_api_p95_ms`: `GET /api/queue`, the views a merchant opens: the first page in queue
  order, the next pages by cursor, each status, each priority class, a minimum age, one variant,
  a search by order name and by SKU, and the other sorts; p95 over all of them, and per view in
  `queue_views_p95_ms`;
- `order_view_api_p95_ms`: `GET /api/orders/<id>` of waiting orders picked at random;
- `insights_api_p95_ms`: `GET /api/insights` (the default 30 days, then 90 days with a safety
  stock);
- `settings_save_ms`: `PUT /api/settings` with one value changed, median of a few saves; the
  re-plan it leaves is a job on the queue and is not run here.

Run: python -m benchmarks.admin [--sizes 10000 100000 --repeat 20]
The last line printed is one JSON object: the figures per size and whether every target is met.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import jwt
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from app import create_app
from app.config import load_config
from app.services.planning import Planning
from app.storage.migrate import upgrade
from app.storage.tables import OrderLine
from benchmarks.planning import Clock, Platform, plan_all_pools, seed_pools, seed_shop

TARGETS = {"queue_api_p95_ms": 150, "order_view_api_p95_ms": 100, "insights_api_p95_ms": 300,
           "settings_save_ms": 200}
SHOP = "admin-bench.myshopify.com"
API_KEY, API_SECRET = "bench-key", "bench-secret-of-at-least-32-bytes"
LINES_PER_WAITING = 1.12  # a tenth of the units are in stock: about 89% of the lines wait


def session_token() -> str:
    now = int(time.time())
    return jwt.encode({"iss": f"https://{SHOP}/admin", "dest": f"https://{SHOP}", "aud": API_KEY,
                       "sub": "42", "exp": now + 3600, "nbf": now - 1, "iat": now - 1,
                       "jti": "bench", "sid": "bench"}, API_SECRET, algorithm="HS256")


def build(folder: Path):
    url = f"sqlite:///{folder / 'admin.db'}"
    upgrade(url)
    clock = Clock()
    env = {"SHOPIFY_API_KEY": API_KEY, "SHOPIFY_API_SECRET": API_SECRET,
           "SHOPIFY_APP_URL": "https://backorders.test", "DATABASE_URL": url,
           "QUEUE_PATH": str(folder / "queue.db"),
           "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "APP_ENV": "production",
           "SYNC_DELAY_SECONDS": "300"}
    app = create_app(load_config(env), clock=clock, migrate=False, gateway=Platform())
    return app, app.extensions["backorders"], clock


def seed(services, clock, rng: random.Random, waiting: int) -> SimpleNamespace:
    bench = SimpleNamespace(db=services.db, planning=Planning(clock))
    seed_shop(bench, SHOP, {})
    lines = int(waiting * LINES_PER_WAITING)
    sizes = []
    while sum(sizes) < lines:
        sizes.append(min(rng.randint(10, 30), lines - sum(sizes)))
    seed_pools(bench, rng, SHOP, sizes, 1)
    plan_all_pools(bench, SHOP)
    return bench


def timed(client, method: str, path: str, **kwargs) -> tuple[float, dict]:
    headers = {"Authorization": f"Bearer {session_token()}"}
    started = time.perf_counter()
    response = client.open(path, method=method, headers=headers, **kwargs)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.get_data()[:300]}")
    return elapsed, response.json


def p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0], 1)


def queue_views(services, rng: random.Random) -> dict[str, str]:
    with services.db.read() as s:
        sample = s.execute(select(OrderLine.variant_id, OrderLine.order_id).where(
            OrderLine.shop == SHOP, OrderLine.backordered > 0).limit(500)).all()
    variant, order = rng.choice(sample)
    number = order.rsplit("/", 1)[1]
    base = "/api/queue?limit=50"
    return {
        "first_page": f"{base}&status=waiting&sort=queue",
        "late": f"{base}&status=late&sort=queue",
        "ready": f"{base}&status=ready&sort=queue",
        "all": f"{base}&status=all&sort=queue",
        "priority_raised": f"{base}&status=waiting&priority=raised",
        "min_age_30_days": f"{base}&status=waiting&min_age_days=30",
        "one_variant": f"{base}&status=waiting&variant={variant}",
        "search_order": f"{base}&status=waiting&q=%23{number}",
        "search_sku_or_title": f"{base}&status=waiting&q=Product%20{variant.rsplit('/', 1)[1]}",
        "sort_ordered_at": f"{base}&status=waiting&sort=ordered_at",
        "sort_eta": f"{base}&status=waiting&sort=eta",
        "sort_order": f"{base}&status=waiting&sort=order",
    }


def measure_queue(client, services, rng, repeat: int) -> tuple[list[float], dict]:
    every, per_view = [], {}
    for name, path in queue_views(services, rng).items():
        times = []
        for _ in range(repeat):
            elapsed, _body = timed(client, "GET", path)
            times.append(elapsed)
        per_view[name] = p95(times)
        every += times
    # The next pages of the first view, by cursor.
    cursor, times = "", []
    for _ in range(repeat):
        path = "/api/queue?limit=50&status=waiting&sort=queue" + (f"&cursor={cursor}" if cursor else "")
        elapsed, body = timed(client, "GET", path)
        times.append(elapsed)
        cursor = body.get("next_cursor") or ""
    per_view["next_pages"] = p95(times)
    every += times
    return every, per_view


def measure_orders(client, services, rng, repeat: int) -> list[float]:
    with services.db.read() as s:
        orders = list(s.scalars(select(OrderLine.order_id).where(
            OrderLine.shop == SHOP, OrderLine.backordered > 0).limit(5_000)))
    return [timed(client, "GET", f"/api/orders/{rng.choice(orders)}")[0]
            for _ in range(repeat * 3)]


def measure_insights(client, repeat: int) -> list[float]:
    times = []
    for n in range(max(4, repeat // 2)):
        query = "" if n % 2 == 0 else "?days=90&safety_stock=5"
        times.append(timed(client, "GET", f"/api/insights{query}")[0])
    return times


def measure_settings(client, services) -> list[float]:
    _, current = timed(client, "GET", "/api/settings")
    times = []
    for days in (2, 3, 1, 2, 3):
        body = {"policy": {**current["policy"], "processing_days": days},
                "alternatives": current["alternatives"]}
        times.append(timed(client, "PUT", "/api/settings", json=body)[0])
    services.queue.huey.flush()  # the re-plans the saves left: not part of the measure
    return times


def run(waiting: int, repeat: int, seed_number: int) -> dict:
    rng = random.Random(seed_number)
    with tempfile.TemporaryDirectory() as folder:
        app, services, clock = build(Path(folder))
        try:
            started = time.perf_counter()
            seed(services, clock, rng, waiting)
            seeded_s = time.perf_counter() - started
            with services.db.read() as s:
                waiting_lines = s.scalar(select(func.count()).select_from(OrderLine).where(
                    OrderLine.shop == SHOP, OrderLine.backordered > 0))
            client = app.test_client()
            timed(client, "GET", "/api/queue?limit=50")  # warm the app and the page cache
            queue, per_view = measure_queue(client, services, rng, repeat)
            orders = measure_orders(client, services, rng, repeat)
            insights = measure_insights(client, repeat)
            settings = measure_settings(client, services)
        finally:
            services.queue.huey.flush()
            services.close()
    return {
        "waiting_lines": waiting_lines,
        "queue_api_p95_ms": p95(queue),
        "queue_views_p95_ms": per_view,
        "order_view_api_p95_ms": p95(orders),
        "insights_api_p95_ms": p95(insights),
        "settings_save_ms": round(statistics.median(settings), 1),
        "seed_and_plan_s": round(seeded_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    figures: dict = {}
    for size in args.sizes:
        result = run(size, args.repeat, args.seed)
        result["targets_met"] = {k: result[k] <= v for k, v in TARGETS.items()}
        figures[str(size)] = result
        print(f"{result['waiting_lines']:,} waiting lines: " + ", ".join(
            f"{k} {result[k]}" for k in TARGETS) + f"; per queue view {result['queue_views_p95_ms']}")
    figures["targets"] = TARGETS
    figures["targets_met"] = all(all(r["targets_met"].values())
                                 for k, r in figures.items() if k != "targets")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
