"""A receipt whose handler keeps failing becomes a dead letter after the configured number of
attempts: the sweeper stops re-queueing it, the admin API lists it, the merchant retries it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import create_app
from app.config import load_config
from app.storage.tables import WebhookReceipt
from tests.conftest import SHOP
from tests.integration.helpers import install, post_webhook
from tests.integration.test_install import session_token

OTHER = "other-shop.myshopify.com"


@pytest.fixture
def poisoned(env, clock, platform):
    """An app that gives up after 3 attempts, whose scopes handler always fails."""
    app = create_app(load_config({**env, "WEBHOOK_MAX_ATTEMPTS": "3"}), clock=clock,
                     migrate=False, gateway=platform)
    services = app.extensions["backorders"]
    services.queue.huey.flush()
    install(services)
    install(services, OTHER)

    def poison(s, shop, payload):
        raise RuntimeError("handler broke")

    services.events.register("scopes_update", poison)
    yield app.test_client(), services
    services.queue.huey.flush()
    services.close()


def attempt_again(services, clock) -> int:
    """What the periodic sweeper does five minutes later, then the worker."""
    clock.advance(minutes=6)
    queued = services.queue.sweep(services)
    services.queue.drain()
    return queued


def dead_letters(client, shop: str = SHOP):
    return client.get("/api/dead-letters",
                      headers={"Authorization": f"Bearer {session_token(shop)}"})


def retry(client, receipt_id, shop: str = SHOP):
    return client.post(f"/api/dead-letters/{receipt_id}/retry",
                       headers={"Authorization": f"Bearer {session_token(shop)}"})


def poison_receipt(client, services, clock) -> int:
    post_webhook(client, "app/scopes_update", {"current": ["read_orders"]})
    services.queue.drain()  # attempt 1
    assert attempt_again(services, clock) == 1  # attempt 2
    assert attempt_again(services, clock) == 1  # attempt 3: dead
    with services.db.transaction() as s:
        return s.scalars(select(WebhookReceipt.id)).one()


def test_after_the_last_attempt_the_sweeper_stops_requeueing(poisoned, clock):
    client, services = poisoned
    poison_receipt(client, services, clock)
    assert attempt_again(services, clock) == 0
    assert attempt_again(services, clock) == 0


def test_a_dead_letter_is_listed_for_its_shop_only(poisoned, clock):
    client, services = poisoned
    receipt_id = poison_receipt(client, services, clock)
    [letter] = dead_letters(client).json["dead_letters"]
    assert (letter["id"], letter["topic"], letter["attempts"]) == (receipt_id, "app/scopes_update", 3)
    assert "handler broke" in letter["last_error"] and letter["dead_at"]
    assert dead_letters(client, OTHER).json["dead_letters"] == []


def test_a_dead_letter_stops_its_pending_retries(poisoned, clock):
    client, services = poisoned
    receipt_id = poison_receipt(client, services, clock)
    assert services.events.process_receipt(receipt_id) == "dead letter"  # no raise: no retry


def test_the_merchant_retries_a_dead_letter_once_the_cause_is_fixed(poisoned, clock):
    client, services = poisoned
    receipt_id = poison_receipt(client, services, clock)
    services.events.register("scopes_update", lambda s, shop, payload: "scopes recorded")
    response = retry(client, receipt_id)
    assert response.status_code == 202
    services.queue.drain()
    with services.db.transaction() as s:
        receipt = s.get(WebhookReceipt, receipt_id)
        assert receipt.processed_at is not None and receipt.outcome == "scopes recorded"
    assert dead_letters(client).json["dead_letters"] == []
    assert retry(client, receipt_id).status_code == 404  # nothing left to retry


def test_a_retried_dead_letter_gets_all_its_attempts_again(poisoned, clock):
    client, services = poisoned
    receipt_id = poison_receipt(client, services, clock)
    assert retry(client, receipt_id).status_code == 202
    services.queue.drain()  # fails once more: not dead yet
    assert dead_letters(client).json["dead_letters"] == []
    assert attempt_again(services, clock) == 1
    assert attempt_again(services, clock) == 1
    assert [d["attempts"] for d in dead_letters(client).json["dead_letters"]] == [3]


@pytest.mark.parametrize("receipt", ["mine", "99", "99999999999999999999999"])
def test_retrying_what_is_no_dead_letter_of_the_shop_is_404(poisoned, clock, receipt):
    client, services = poisoned
    receipt_id = poison_receipt(client, services, clock)
    target = receipt_id if receipt == "mine" else receipt
    shop = OTHER if receipt == "mine" else SHOP
    assert retry(client, target, shop).status_code == 404
    assert [d["id"] for d in dead_letters(client).json["dead_letters"]] == [receipt_id]
