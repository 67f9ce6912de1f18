"""POST /webhooks: what each delivery gets, and that nothing is lost or done twice."""

from __future__ import annotations

import io
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import request
from sqlalchemy import func, select

from app.storage.tables import OrderSync, WebhookReceipt
from tests.conftest import SHOP, sample_payload, sign, webhook_headers
from tests.fakes import FakeGateway
from tests.integration.helpers import install, post_webhook

ORDER = {"id": 1, "admin_graphql_api_id": "gid://shopify/Order/1", "line_items": []}


def receipts(services) -> int:
    with services.db.transaction() as s:
        return s.scalar(select(func.count()).select_from(WebhookReceipt))


def pending(services) -> int:
    """The jobs queued once a worker has taken the waiting receipts."""
    services.queue.take_receipts()
    return services.queue.huey.pending_count()


@pytest.fixture
def installed(services):
    install(services)
    services.queue.huey.flush()  # the set-up job of the install is not what these tests count
    return services


def test_valid_delivery_is_recorded_and_enqueued_once(client, installed):
    response = post_webhook(client, "orders/create", ORDER)
    assert response.status_code == 200
    assert response.json == {"status": "accepted", "message": "queued"}
    assert receipts(installed) == 1
    assert pending(installed) == 1


def test_intake_writes_the_receipt_alone_and_a_worker_queues_its_job_once(client, installed):
    """One write per delivery: the receipt is the queue entry. The worker's taker queues one job
    for it, and taking again (another worker, the next poll) queues nothing more."""
    post_webhook(client, "orders/create", ORDER)
    assert receipts(installed) == 1 and installed.queue.huey.pending_count() == 0
    assert installed.queue.take_receipts() == 1
    assert installed.queue.take_receipts() == 0
    assert installed.queue.huey.pending_count() == 1


def test_a_taken_receipt_is_processed_once(client, installed):
    post_webhook(client, "products/delete", {"id": 1})
    assert installed.queue.drain() == 1
    with installed.db.transaction() as s:
        row = s.scalars(select(WebhookReceipt)).one()
    assert row.queued_at is not None and row.processed_at is not None
    assert installed.queue.drain() == 0


def test_takers_at_once_take_each_receipt_once(client, installed):
    """Several worker processes take receipts at the same time: each receipt gets one job."""
    for n in range(40):
        post_webhook(client, "products/delete", {"id": n})
    taken: list[int] = []

    def take():
        while batch := installed.intake.take_waiting(limit=3):
            taken.extend(batch)

    takers = [threading.Thread(target=take) for _ in range(4)]
    for t in takers:
        t.start()
    for t in takers:
        t.join(30)
    assert len(taken) == 40 and len(set(taken)) == 40


def test_a_running_worker_takes_and_processes_a_new_receipt(client, installed):
    """Intake queues no job itself: the worker's receipt taker must find the receipt."""
    consumer = installed.queue.consumer(workers=1, periodic=False)
    consumer.start()
    try:
        post_webhook(client, "products/delete", {"id": 1})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not _processed(installed):
            time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)
    assert _processed(installed)


def _processed(services) -> bool:
    with services.db.read() as s:
        return s.scalar(select(func.count()).select_from(WebhookReceipt)
                        .where(WebhookReceipt.processed_at.is_not(None))) == 1


def test_receipt_keeps_the_delivery_headers(client, installed):
    body = json.dumps(ORDER).encode()
    headers = webhook_headers("orders/create", body, **{"X-Shopify-Webhook-Id": "w-1",
                                                         "X-Shopify-Event-Id": "e-1"})
    client.post("/webhooks", data=body, headers=headers)
    with installed.db.transaction() as s:
        row = s.scalars(select(WebhookReceipt)).one()
    assert (row.webhook_id, row.event_id, row.topic, row.shop) == ("w-1", "e-1", "orders/create", SHOP)
    assert row.triggered_at == "2026-11-20T12:00:00Z"
    assert json.loads(row.payload) == ORDER


def test_duplicate_delivery_is_acknowledged_and_not_enqueued(client, installed):
    """Shopify's rule: deliveries sharing X-Shopify-Event-Id are duplicates, whatever their
    webhook ids (two deliveries of one event)."""
    first = post_webhook(client, "orders/create", ORDER,
                         **{"X-Shopify-Webhook-Id": "w-1", "X-Shopify-Event-Id": "e-1"})
    second = post_webhook(client, "orders/create", ORDER,
                          **{"X-Shopify-Webhook-Id": "w-2", "X-Shopify-Event-Id": "e-1"})
    assert first.json["status"] == "accepted"
    assert second.status_code == 200 and second.json["status"] == "duplicate"
    assert receipts(installed) == 1 and pending(installed) == 1


def test_a_retry_of_one_delivery_is_a_duplicate(client, installed):
    headers = {"X-Shopify-Webhook-Id": "w-1", "X-Shopify-Event-Id": "e-1"}
    post_webhook(client, "orders/create", ORDER, **headers)
    assert post_webhook(client, "orders/create", ORDER, **headers).json["status"] == "duplicate"
    assert receipts(installed) == 1


def test_one_event_under_two_topics_is_two_deliveries(client, installed):
    """One action of the merchant may raise several topics; each is handled."""
    post_webhook(client, "orders/create", ORDER, **{"X-Shopify-Event-Id": "e-1"})
    second = post_webhook(client, "orders/updated", ORDER, **{"X-Shopify-Event-Id": "e-1"})
    assert second.json["status"] == "accepted"
    assert receipts(installed) == 2


def test_without_an_event_id_the_webhook_id_dedupes(client, installed):
    headers = {"X-Shopify-Webhook-Id": "w-9", "X-Shopify-Event-Id": None}
    assert post_webhook(client, "orders/create", ORDER, **headers).json["status"] == "accepted"
    assert post_webhook(client, "orders/create", ORDER, **headers).json["status"] == "duplicate"
    with installed.db.transaction() as s:
        row = s.scalars(select(WebhookReceipt)).one()
    assert (row.webhook_id, row.event_id) == ("w-9", "w-9")


@pytest.mark.parametrize("signature", [None, "", "bm90IHRoZSByaWdodCBvbmU=", sign(b"other body")])
@pytest.mark.parametrize("topic", ["orders/create", "customers/redact", "shop/redact",
                                   "customers/data_request"])
def test_missing_or_wrong_signature_is_401(client, installed, signature, topic):
    body = json.dumps({"shop_domain": SHOP, "customer": {"id": 1}}).encode()
    headers = webhook_headers(topic, body, **{"X-Shopify-Hmac-Sha256": signature})
    response = client.post("/webhooks", data=body, headers=headers)
    assert response.status_code == 401
    assert "signature" in response.json["message"]
    assert receipts(installed) == 0 and pending(installed) == 0


def test_signature_from_another_secret_is_401(client, installed):
    body = json.dumps(ORDER).encode()
    headers = webhook_headers("orders/create", body, **{"X-Shopify-Hmac-Sha256": sign(body, "x")})
    assert client.post("/webhooks", data=body, headers=headers).status_code == 401


def test_previous_secret_is_accepted_during_rotation(env, clock):
    from app import create_app
    from app.config import load_config

    app = create_app(load_config({**env, "SHOPIFY_API_SECRET": "new-secret",
                                  "SHOPIFY_API_SECRET_PREVIOUS": "test-api-secret"}),
                     clock=clock, migrate=False, gateway=FakeGateway())
    services = app.extensions["backorders"]
    services.queue.huey.flush()
    install(services)
    body = json.dumps(ORDER).encode()
    client = app.test_client()
    old = client.post("/webhooks", data=body, headers=webhook_headers("orders/create", body))
    new = client.post("/webhooks", data=body, headers=webhook_headers(
        "orders/create", body, **{"X-Shopify-Hmac-Sha256": sign(body, "new-secret")}))
    assert (old.status_code, new.status_code) == (200, 200)
    services.queue.huey.flush()
    services.close()


@pytest.mark.parametrize("missing", ["X-Shopify-Topic", "X-Shopify-Shop-Domain",
                                     "X-Shopify-Webhook-Id"])
def test_missing_header_is_400(client, installed, missing):
    body = json.dumps(ORDER).encode()
    response = client.post("/webhooks", data=body,
                           headers=webhook_headers("orders/create", body, **{missing: None}))
    assert response.status_code == 400
    assert missing in response.json["message"]
    assert receipts(installed) == 0


@pytest.mark.parametrize("shop", ["evil.com", "x.myshopify.com.evil.com", "-x.myshopify.com"])
def test_bad_shop_header_is_400(client, installed, shop):
    body = json.dumps(ORDER).encode()
    response = client.post("/webhooks", data=body, headers=webhook_headers("orders/create", body, shop))
    assert response.status_code == 400
    assert response.json["field"] == "shop"


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\"text\"", b"\xff\xfe"])
def test_body_not_a_json_object_is_400(client, installed, body):
    response = client.post("/webhooks", data=body, headers=webhook_headers("orders/create", body))
    assert response.status_code == 400
    assert "JSON" in response.json["message"]
    assert receipts(installed) == 0


def test_unhandled_topic_is_acknowledged_and_not_enqueued(client, installed):
    response = post_webhook(client, "carts/update", {"id": 1})
    assert response.status_code == 200 and response.json["status"] == "ignored"
    assert receipts(installed) == 0 and pending(installed) == 0


def test_shop_not_installed_is_dropped(client, services):
    response = post_webhook(client, "orders/create", ORDER)
    assert response.status_code == 200 and response.json["status"] == "dropped"
    assert receipts(services) == 0


def test_compliance_for_unknown_shop_is_dropped(client, services):
    response = post_webhook(client, "shop/redact", {"shop_id": 1, "shop_domain": SHOP})
    assert response.json["status"] == "dropped"


def test_compliance_after_uninstall_is_still_processed(client, installed):
    installed.installs.uninstall(SHOP)
    installed.intake.forget(SHOP)
    response = post_webhook(client, "shop/redact", {"shop_id": 1, "shop_domain": SHOP})
    assert response.json["status"] == "accepted"


def test_shop_header_must_match_the_body(client, installed):
    response = post_webhook(client, "customers/redact",
                            {"shop_domain": "other-shop.myshopify.com", "customer": {"id": 1}})
    assert response.status_code == 400
    assert "does not match" in response.json["message"]
    assert receipts(installed) == 0


@pytest.mark.parametrize("name,topic", [
    ("orders_create.2025-10", "orders/create"),
    ("products_update.2025-10", "products/update"),
    ("inventory_levels_update.2024-01", "inventory_levels/update"),
    ("customers_data_request.2025-10", "customers/data_request"),
    ("customers_redact.2025-10", "customers/redact"),
    ("shop_redact.2025-10", "shop/redact"),
])
def test_sample_payloads_are_accepted(client, installed, name, topic):
    payload = sample_payload(name)
    if "shop_domain" in payload:
        payload["shop_domain"] = SHOP
    response = post_webhook(client, topic, payload)
    assert response.status_code == 200 and response.json["status"] == "accepted"


def test_unprocessed_receipts_are_swept_back_into_the_queue(client, installed, clock):
    post_webhook(client, "orders/create", ORDER)
    installed.queue.take_receipts()
    installed.queue.huey.flush()  # the job was lost
    clock.advance(minutes=6)
    assert installed.queue.sweep(installed) == 1
    assert pending(installed) == 1


def sync_row(services, order_id: str) -> OrderSync:
    with services.db.transaction() as s:
        return s.get(OrderSync, (SHOP, order_id))


def test_a_fulfillment_order_change_rechecks_only_orders_we_hold(client, installed, platform,
                                                                 clock):
    """The payload names a fulfillment order only: the worker reads its order, and re-checks our
    holds on it; an order we never wrote to needs nothing."""
    held, untouched = "gid://shopify/Order/1", "gid://shopify/Order/2"
    for order_id in (held, untouched):
        platform.route(order_id, {order_id.replace("Order", "LineItem"): 2})
    wants = {"tags": ["backordered"], "holds": {"gid://shopify/LineItem/1": 2}}
    with installed.db.transaction() as s:
        s.add(OrderSync(shop=SHOP, order_id=held, desired=wants, applied=wants, pending=False,
                        version=3, updated_at=clock()))
        s.add(OrderSync(shop=SHOP, order_id=untouched, desired={"holds": {}}, applied={},
                        pending=False, version=1, updated_at=clock()))
    for order_id in (held, untouched):
        fo = platform.orders[order_id].fulfillment_orders[0].id
        post_webhook(client, "fulfillment_orders/hold_released",
                     {"fulfillment_order": {"id": fo, "status": "open"}})
    installed.queue.drain()

    row = sync_row(installed, held)
    assert (row.version, row.pending) == (4, False)  # marked, then synced from a fresh read
    assert platform.calls.count("order_of_fulfillment_order") == 2
    assert platform.calls.count("order_states") == 1
    assert platform.held(held) == {"gid://shopify/LineItem/1": 2}  # our hold, back in place
    other = sync_row(installed, untouched)
    assert (other.pending, other.version, other.applied) == (False, 1, {})


def test_intake_commits_leave_the_log_checkpoint_to_the_worker(client, installed):
    """SQLite would have the commit that passes 1,000 pages of log copy them into the database
    and sync it, while intake holds the write turn. No commit does: the worker checkpoints."""
    if not installed.db.is_sqlite:
        pytest.skip("the log checkpoint is SQLite's")
    database = Path(installed.db.url.split("///", 1)[1])
    big = {"id": 1, "note": "x" * 16_000}
    for n in range(300):  # about 5 pages each: well past 1,000 pages of log
        post_webhook(client, "products/delete", {**big, "id": n})
    log = Path(f"{database}-wal")
    assert log.stat().st_size > 1_000 * 4096  # never checkpointed, so never begun again
    before = database.stat().st_size
    installed.db.checkpoint()
    assert database.stat().st_size > before + 300 * 16_000


@pytest.fixture
def reached_flask(app):
    """The paths of the requests that reached Flask's own request handling."""
    seen: list[str] = []
    app.before_request(lambda: seen.append(request.path) and None)
    return seen


def test_a_well_formed_delivery_is_taken_in_front_of_flask(client, installed, reached_flask):
    body = json.dumps(ORDER).encode()
    headers = webhook_headers("orders/create", body)
    first = client.post("/webhooks", data=body, headers=headers)
    again = client.post("/webhooks", data=body, headers=headers)
    assert (first.status_code, first.json) == (200, {"status": "accepted", "message": "queued"})
    assert first.headers["Content-Type"] == "application/json"
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert (again.status_code, again.json["status"]) == (200, "duplicate")
    assert receipts(installed) == 1
    assert reached_flask == []


def test_a_refused_delivery_is_answered_by_the_route(client, installed, reached_flask):
    body = json.dumps(ORDER).encode()
    forged = client.post("/webhooks", data=body, headers=webhook_headers(
        "orders/create", body, **{"X-Shopify-Hmac-Sha256": sign(body, "another secret")}))
    no_topic = client.post("/webhooks", data=body,
                           headers=webhook_headers("orders/create", body,
                                                   **{"X-Shopify-Topic": None}))
    not_json = post_webhook(client, "orders/create", b"[1, 2")
    assert (forged.status_code, forged.json["error"]) == (401, "unauthorized")
    assert (no_topic.status_code, no_topic.json["field"]) == (400, "X-Shopify-Topic")
    assert not_json.status_code == 400 and "not JSON" in not_json.json["message"]
    assert reached_flask == ["/webhooks"] * 3
    assert receipts(installed) == 0


def test_a_chunked_delivery_is_read_and_taken_by_the_route(client, installed, reached_flask):
    body = json.dumps(ORDER).encode()
    response = client.post("/webhooks", input_stream=io.BytesIO(body),
                           headers={**webhook_headers("orders/create", body),
                                    "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert (response.status_code, response.json["status"]) == (200, "accepted")
    assert reached_flask == ["/webhooks"]
    assert receipts(installed) == 1


def test_a_body_shorter_than_its_length_is_a_4xx_and_not_recorded(client, installed):
    body = json.dumps(ORDER).encode()
    response = client.post("/webhooks", input_stream=io.BytesIO(body[:-10]),
                           headers={**webhook_headers("orders/create", body),
                                    "Content-Length": str(len(body))})
    assert 400 <= response.status_code < 500
    assert receipts(installed) == 0


def test_an_insert_that_fails_in_front_of_flask_is_tried_once_more_by_the_route(
        client, installed, reached_flask, monkeypatch):
    record, calls = installed.intake.record, []

    def failing_once(**receipt):
        calls.append(receipt["event_id"])
        if len(calls) == 1:
            raise OSError("the database went away for a moment")
        return record(**receipt)

    monkeypatch.setattr(installed.intake, "record", failing_once)
    response = post_webhook(client, "orders/create", ORDER)
    assert (response.status_code, response.json["status"]) == (200, "accepted")
    assert reached_flask == ["/webhooks"] and len(set(calls)) == 1 and len(calls) == 2
    assert receipts(installed) == 1


def test_a_delivery_whose_insert_keeps_failing_is_a_5xx_not_an_answer(client, installed,
                                                                      monkeypatch):
    def failing(**_receipt):
        raise OSError("the database is down")

    monkeypatch.setattr(installed.intake, "record", failing)
    response = post_webhook(client, "orders/create", ORDER)
    assert response.status_code >= 500  # Shopify retries it
    assert receipts(installed) == 0


def test_receipts_written_as_one_group_are_each_answered(installed, clock):
    """On SQLite, inserts that wait while another is written go in together; in that group each
    is still answered alone: its id, None for a duplicate, its own error for a row that cannot
    be stored, while the others are recorded."""
    db = installed.db
    if not db.is_sqlite:
        pytest.skip("PostgreSQL takes concurrent inserts on connections of their own")
    unstorable = object()
    rows = [dict(webhook_id=f"w{n}", event_id=f"ev{n % 10}", topic="orders/create", shop=SHOP,
                 api_version="2026-10", triggered_at=None, received_at=clock(), payload="{}")
            for n in range(20)]
    rows.append({**rows[0], "webhook_id": unstorable, "event_id": "unstorable"})

    def insert(row: dict):
        try:
            return db.insert_row(WebhookReceipt.__table__, row)
        except Exception as exc:  # noqa: BLE001 - the failure is what is looked at
            return exc

    with ThreadPoolExecutor(max_workers=len(rows)) as pool:
        with db._turn.threads:  # held here until all of them wait: they go as one group
            waiting = pool.map(insert, rows)
            while len(db._pending) < len(rows):
                time.sleep(0.005)
        answers = list(waiting)
    ids = [answer for answer in answers[:20] if isinstance(answer, int)]
    assert len(ids) == len(set(ids)) == 10 and answers[:20].count(None) == 10
    assert isinstance(answers[20], Exception)
    assert receipts(installed) == 10
