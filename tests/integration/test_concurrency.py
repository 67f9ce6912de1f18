"""Several workers planning the same pools at once never over-allocate, and end exactly where one
worker processing the same deliveries in the same order ends: work on a pool is serialised."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from app import create_app
from app.config import load_config
from app.storage.tables import Base, OrderLine, Pool, WebhookReceipt
from tests.fakes import FakeGateway
from tests.integration.helpers import install, post_webhook, queue_position
from tests.integration.test_backorder_flow import order_payload

VARIANTS = (1, 2, 3)
SHOP = "test-shop.myshopify.com"


def deliveries(seed: int, start: datetime) -> list[tuple[str, dict]]:
    """Orders for the same three variants, with stock updates read after `start`, shuffled."""
    rng = random.Random(seed)
    events = []
    for n in range(1, 61):
        variants = rng.sample(VARIANTS, rng.randint(1, 2))
        lines = [(n * 10 + k, v, rng.randint(1, 3)) for k, v in enumerate(variants)]
        events.append(("orders/create", order_payload(n, lines, minute=n % 60)))
    for step, variant in enumerate(rng.choices(VARIANTS, k=15)):
        events.append(("inventory_levels/update", {
            "inventory_item_id": variant, "location_id": 1, "available": rng.randint(-60, -20),
            "updated_at": (start + timedelta(minutes=step)).isoformat()}))
    rng.shuffle(events)
    return events


def fresh_shop(env):
    """An installed shop whose catalog and stock are mirrored, on an emptied database."""
    gateway = FakeGateway()
    for v in VARIANTS:
        gateway.add_variant(f"gid://shopify/ProductVariant/{v}", available=10)
    app = create_app(load_config(env), clock=lambda: datetime.now(UTC), migrate=False,
                     gateway=gateway)
    services = app.extensions["backorders"]
    with services.db.transaction() as s:
        s.execute(text("TRUNCATE " + ", ".join(t.name for t in Base.metadata.sorted_tables)))
    services.queue.huey.flush()
    install(services)
    services.onboarding.setup(SHOP)
    services.queue.huey.flush()
    return app, services


def receive_all(app, services, events) -> list[int]:
    client = app.test_client()
    for topic, payload in events:
        assert post_webhook(client, topic, payload).json["status"] == "accepted"
    services.queue.huey.flush()  # the workers below take the receipts themselves
    with services.db.transaction() as s:
        return list(s.scalars(select(WebhookReceipt.id).order_by(WebhookReceipt.id)))


def run_parallel(services, ids: list[int], workers: int = 4) -> None:
    errors: list[BaseException] = []

    def work(share: list[int]) -> None:
        for receipt_id in share:
            for attempt in range(5):  # a deadlock victim is retried, as the queue would do
                try:
                    services.events.process_receipt(receipt_id)
                    break
                except Exception as exc:  # noqa: BLE001
                    if attempt == 4:
                        errors.append(exc)

    threads = [threading.Thread(target=work, args=(ids[i::workers],)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def allocation(services) -> dict[str, tuple[int, int, int | None]]:
    with services.db.transaction() as s:
        return {r.line_id: (r.covered, r.backordered, queue_position(s, r))
                for r in s.scalars(select(OrderLine))}


@pytest.mark.postgres  # pool row locks are PostgreSQL's; SQLite admits one writer at a time
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_parallel_workers_match_one_worker_in_the_same_order(env, database_url, seed):
    assert database_url.startswith("postgresql")
    events = deliveries(seed, datetime.now(UTC) + timedelta(hours=1))
    app, services = fresh_shop(env)
    ids = receive_all(app, services, events)
    run_parallel(services, ids)
    parallel = allocation(services)
    with services.db.transaction() as s:
        for pool in s.scalars(select(Pool)):
            covered = sum(s.scalars(select(OrderLine.covered).where(OrderLine.pool == pool.pool)))
            demand = sum(s.scalars(select(OrderLine.open_quantity).where(OrderLine.pool == pool.pool)))
            assert covered == min(max(pool.supply, 0), demand), pool.pool
        done = list(s.scalars(select(WebhookReceipt.id).order_by(WebhookReceipt.processed_at,
                                                                   WebhookReceipt.id)))
    services.close()

    serial_order = [events[ids.index(receipt_id)] for receipt_id in done]
    app, services = fresh_shop(env)
    for receipt_id in receive_all(app, services, serial_order):
        services.events.process_receipt(receipt_id)
    assert allocation(services) == parallel
    assert any(b for _, b, _ in parallel.values()) and any(c for c, _, _ in parallel.values())
    services.close()
