"""The customer's notices as Flow triggers, through the store simulator: the store checks each
payload against the trigger extensions in `extensions/` and records what it accepts. An order
that goes backordered, slips once, is filled and is delivered fires exactly its four triggers,
once each, whatever the webhooks do and wherever a worker dies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import select

from app.domain.policy import Policy
from app.storage import notices as notice_store
from app.storage import shops as shop_store
from app.storage.tables import OrderSync
from tests.integration.simulator.test_faults import WorkerKilled

SMALL = 1
LIFE = ["backorder-created", "backorder-eta-changed", "backorder-ready", "backorder-delivered"]


@pytest.fixture
def harness(harness):
    """The shop's workflows start with each of the app's triggers."""
    harness.enable_workflows()
    return harness


def today(harness):
    return datetime.fromtimestamp(harness.sim_clock.now(), UTC).date()


def received(harness) -> list[dict]:
    return harness.store.flow_triggers_received(harness.shop)


def handles(harness) -> list[str]:
    return [item["handle"] for item in received(harness)]


def play_a_life(harness, between=lambda: None) -> int:
    """Backordered against a restock, the restock moved ten days later, the stock arrives, the
    order ships. `between` runs after each step (a retry, a kill, a second sync)."""
    variant = harness.oversell(SMALL, available=0)
    gid = f"gid://shopify/ProductVariant/{variant}"
    restock = harness.services.restocks.create(harness.shop, {
        "variant_id": gid, "quantity": 2,
        "expected_date": (today(harness) + timedelta(days=5)).isoformat()})
    harness.settle()
    order = harness.sell((variant, 1))
    harness.settle()
    between()
    harness.services.restocks.update(harness.shop, restock["id"], {
        "expected_date": (today(harness) + timedelta(days=15)).isoformat()})
    harness.settle()
    between()
    harness.receive(variant, 2)
    harness.settle()
    between()
    harness.tick()
    harness.store.fulfil_order(harness.shop, order)
    harness.settle()
    between()
    return order


def finish(harness) -> None:
    harness.settle()
    harness.sync()
    harness.settle()


def test_an_order_hears_of_its_backorder_its_slip_its_fill_and_its_delivery(harness):
    order = play_a_life(harness)
    assert handles(harness) == LIFE
    by_handle = {item["handle"]: item["payload"] for item in received(harness)}
    assert {p["order_id"] for p in by_handle.values()} == {order}
    created, moved = by_handle["backorder-created"], by_handle["backorder-eta-changed"]
    assert created["Backordered units"] == 1
    assert created["Backordered items"].startswith("1 × ")
    assert moved["Previous ship date"] == created["Expected ship date"]
    assert moved["New ship date"] > moved["Previous ship date"]
    assert moved["Days moved"] >= 10 and moved["Reason"] == "the restock date moved"
    assert by_handle["backorder-ready"]["Units filled"] == 1
    assert by_handle["backorder-delivered"]["Backorders"] == 1
    assert harness.order(order)["tags"] == []


def test_a_sync_run_again_at_every_step_fires_nothing_twice(harness):
    play_a_life(harness, between=lambda: finish(harness))
    assert handles(harness) == LIFE


def test_duplicated_and_reordered_webhooks_fire_each_trigger_once(harness):
    harness.store.set_webhook_switches(duplicates="new-id", reorder=True)
    play_a_life(harness)
    assert handles(harness) == LIFE


def test_a_cancelled_backorder_fires_cancelled_not_ready(harness):
    variant = harness.oversell(SMALL, available=0)
    order = harness.sell((variant, 2))
    harness.settle()
    harness.cancel(order)
    harness.settle()
    assert handles(harness) == ["backorder-created", "backorder-cancelled"]
    assert received(harness)[1]["payload"] == {"order_id": order, "Backordered units": 2,
                                                "Store note": ""}


def test_waiting_long_fires_once_when_the_days_have_passed(harness):
    with harness.services.db.transaction() as s:
        shop_store.find(s, harness.shop).policy = Policy.from_dict(
            {"notices": {"waiting_long_days": 3}}).to_dict()
    variant = harness.oversell(SMALL, available=0)
    harness.sell((variant, 1))
    harness.settle()
    for _ in range(5):  # the hourly job, once a day
        harness.sim_clock.advance(24 * 3600)
        harness.services.backorders.replan_overdue(harness.shop)
        finish(harness)
    assert handles(harness) == ["backorder-created", "backorder-waiting-long"]
    assert received(harness)[1]["payload"]["Days waiting"] == 3


def test_a_trigger_turned_off_is_not_fired(harness):
    with harness.services.db.transaction() as s:
        shop_store.find(s, harness.shop).policy = Policy.from_dict(
            {"notices": {"enabled": {"eta_changed": False, "delivered": False}}}).to_dict()
    play_a_life(harness)
    assert handles(harness) == ["backorder-created", "backorder-ready"]


class DiesOnWrite(requests.Session):
    """A worker that dies right after the store took its first request whose query has
    `marker`, before the answer is read; later requests die before they are sent."""

    def __init__(self, marker: str):
        super().__init__()
        self.marker = marker
        self.dead = False

    def post(self, url, json=None, **kwargs):
        if self.dead:
            raise WorkerKilled("worker is gone")
        response = super().post(url, json=json, **kwargs)
        if json and self.marker in json["query"]:
            self.dead = True
            raise WorkerKilled("killed after the store took the request")
        return response


def test_a_worker_killed_after_the_order_writes_sends_each_trigger_once(harness):
    """The kill comes after the store took the holds, before any trigger: the next run sends
    what was not recorded, and nothing twice."""
    client = harness.services.admin_client
    live, client.session = client.session, DiesOnWrite("mutation")
    variant = harness.oversell(SMALL, available=0)
    order = harness.sell((variant, 1))
    harness.settle()
    assert client.session.dead and handles(harness) == []
    client.session = live
    finish(harness)
    assert handles(harness) == ["backorder-created"]
    assert received(harness)[0]["payload"]["order_id"] == order
    with harness.services.db.transaction() as s:
        assert not s.scalar(select(OrderSync.order_id).where(OrderSync.pending.is_(True)))


def test_a_worker_killed_right_after_a_trigger_sends_only_that_one_again(harness):
    """The store took the trigger but the worker died before recording it: that one, and only
    that one, is sent again (Flow has nothing to read back)."""
    client = harness.services.admin_client
    variant = harness.oversell(SMALL, available=0)
    first = harness.sell((variant, 1))
    harness.settle()
    live, client.session = client.session, DiesOnWrite("flowTriggerReceive")
    second = harness.sell((variant, 1))
    harness.settle()
    assert client.session.dead
    client.session = live
    finish(harness)
    orders = [item["payload"]["order_id"] for item in received(harness)]
    assert orders == [first, second, second]
    with harness.services.db.transaction() as s:  # the admin counts one message per order
        assert notice_store.sent_by_kind(s, harness.shop, datetime(2000, 1, 1, tzinfo=UTC)) == {
            "created": 2}
    with harness.services.db.transaction() as s:
        assert not s.scalar(select(OrderSync.order_id).where(OrderSync.pending.is_(True)))


def test_a_backorder_refunded_away_fires_cancelled_not_ready(harness):
    variant = harness.oversell(SMALL, available=0)
    order = harness.sell((variant, 1))
    harness.settle()
    line = harness.order(order)["line_items"][0]["id"]
    harness.tick()
    harness.store.refund_order(harness.shop, order, line, 1, restock=False)
    harness.settle()
    assert handles(harness) == ["backorder-created", "backorder-cancelled"]


def test_only_the_triggers_an_enabled_workflow_starts_with_are_fired(harnesses):
    """Flow tells the app which triggers the shop's enabled workflows use (its lifecycle
    callbacks); the others are never sent, and cost the shop's API bucket nothing. The
    customer's record moves on all the same: enabling a workflow later starts from there."""
    harness = harnesses()
    assert harness.store.set_workflow(harness.shop, "backorder-ready")
    assert harness.store.set_workflow(harness.shop, "backorder-delivered")
    assert harness.store.set_workflow(harness.shop, "backorder-delivered", enabled=False) is False
    play_a_life(harness)
    assert handles(harness) == ["backorder-ready"]
    with harness.services.db.transaction() as s:
        counted = notice_store.sent_by_kind(s, harness.shop, datetime(2000, 1, 1, tzinfo=UTC))
    assert counted == {"ready": 1}


def test_a_workflow_flow_could_not_tell_the_app_of_is_not_enabled(harnesses):
    """Flow enables a workflow only when the app answers its lifecycle callback with a 2xx."""
    harness = harnesses()
    harness.store.api_secret = "not-the-app-secret"  # the callback's signature no longer checks out
    assert harness.store.set_workflow(harness.shop, "backorder-created") is False
    assert harness.store.shop(harness.shop).flow_workflows == set()
    play_a_life(harness)
    assert handles(harness) == []
