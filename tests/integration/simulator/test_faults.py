"""What goes wrong in production, reproduced by the simulator: duplicate and reordered webhooks,
429 / 5xx / timeouts, an expired token, a worker killed between the platform's write and our
record of it. Each ends in the same store state as a run where nothing went wrong."""

from __future__ import annotations

import requests
from sqlalchemy import select

from app.storage.tables import OrderSync, Shop

SMALL, MEDIUM = 1, 2


def scenario(harness) -> list[dict]:
    """A small sale over two oversold variants, one cancellation and one restock; the store's
    view of every order at the end."""
    small = harness.oversell(SMALL, available=2)
    medium = harness.oversell(MEDIUM, available=1)
    orders = [harness.sell((small, 1)), harness.sell((small, 2), (medium, 1)),
              harness.sell((medium, 2)), harness.sell((small, 1))]
    harness.settle()
    harness.cancel(orders[0])
    harness.settle()
    harness.receive(medium, 1)
    harness.settle()
    return harness.platform_view()


def finish(harness) -> None:
    """What the periodic sync does: syncs whose retries were scheduled run now."""
    harness.settle()
    harness.sync()
    harness.settle()


def app_holds(harness) -> list[tuple[int, int]]:
    """(fulfillment order, number of the app's holds on it) for every fulfillment order held."""
    return [(fo["id"], sum(h["by_app"] for h in fo["holds"]))
            for order in harness.store.state(harness.shop)["orders"]
            for fo in order["fulfillment_orders"] if fo["holds"]]


def test_the_clean_run_backorders_holds_and_fills(harnesses):
    view = scenario(harnesses())
    by_name = {order["name"]: order for order in view}
    assert [by_name[name]["tags"] for name in ("#1001", "#1002", "#1003", "#1004")] == [
        [], [], ["backordered"], ["backordered"]]
    assert by_name["#1003"]["metafields"]["status"] == "partially_ready"  # 1 of 2 arrived


def test_duplicate_and_reordered_deliveries_change_nothing(harnesses):
    expected = scenario(harnesses("clean.myshopify.com"))
    noisy = harnesses("noisy.myshopify.com")
    noisy.store.set_webhook_switches(duplicates="new-id", reorder=True)
    assert scenario(noisy) == expected
    assert noisy.store.webhooks.counters["delivered"] > 2 * len(noisy.store.state(noisy.shop)["orders"])


def test_same_id_duplicates_are_dropped_at_intake(harnesses):
    expected = scenario(harnesses("clean.myshopify.com"))
    noisy = harnesses("noisy.myshopify.com")
    noisy.store.set_webhook_switches(duplicates=True)
    assert scenario(noisy) == expected


def test_throttling_server_errors_and_timeouts_end_in_the_same_state(harnesses):
    expected = scenario(harnesses("clean.myshopify.com"))
    faulty = harnesses("faulty.myshopify.com")
    client = faulty.services.admin_client
    client.timeout, client.backoff_base, client.max_attempts = (1.0, 0.3), 0.02, 8
    faulty.store.set_faults(rate_429=0.1, rate_5xx=0.15, rate_timeout=0.1, timeout_seconds=0.6,
                            seed=7)
    view = scenario(faulty)
    finish(faulty)
    assert faulty.platform_view() == view == expected
    faults = faulty.store.stats()["faults"]
    assert faults["429"] and faults["5xx"] and faults["timeout"]
    assert client.stats.retries >= sum(faults.values())


def test_an_expired_token_is_refreshed_ahead_and_the_sync_succeeds(harness):
    token_before = _stored_token(harness)
    harness.tick(3600 + 60)  # the offline token lived an hour
    small = harness.oversell(SMALL, available=0)
    order = harness.sell((small, 1))
    harness.settle()
    assert harness.order(order)["tags"] == ["backordered"]
    assert harness.held(order)
    assert _stored_token(harness) != token_before


def test_a_token_the_store_rejects_is_refreshed_once_and_the_request_repeated(harness):
    with harness.services.db.transaction() as s:  # our record says it is fresh; the store disagrees
        expires = s.get(Shop, harness.shop).access_expires_at
    harness.tick(3600 + 60)
    with harness.services.db.transaction() as s:
        s.get(Shop, harness.shop).access_expires_at = expires.replace(year=expires.year + 1)
    small = harness.oversell(SMALL, available=0)
    order = harness.sell((small, 1))
    harness.settle()
    assert harness.store.stats()["unauthorized"] == 1
    assert harness.order(order)["tags"] == ["backordered"]
    assert harness.held(order)


def _stored_token(harness) -> str:
    with harness.services.db.transaction() as s:
        return s.get(Shop, harness.shop).access_token


class WorkerKilled(Exception):
    """The process died: nothing after this point of the job happened."""


class DiesAfterFirstWrite(requests.Session):
    """The HTTP edge of a worker that dies right after the store applied its first write request,
    before the answer is read; every later request dies before it is sent."""

    def __init__(self):
        super().__init__()
        self.dead = False

    def post(self, url, json=None, **kwargs):
        if self.dead:
            raise WorkerKilled("worker is gone")
        response = super().post(url, json=json, **kwargs)
        if json and json["query"].lstrip().startswith("mutation"):
            self.dead = True
            raise WorkerKilled("killed after the store applied the write")
        return response


def test_a_worker_killed_mid_sync_is_finished_by_the_next_run_without_doubling(harness):
    small = harness.oversell(SMALL, available=0)
    client = harness.services.admin_client
    live_session, client.session = client.session, DiesAfterFirstWrite()
    orders = [harness.sell((small, 1)) for _ in range(12)]
    harness.settle()

    # Holds go out first: the write the store took before the worker died placed holds.
    applied = [o for o in orders if harness.held(o)]
    with harness.services.db.transaction() as s:
        pending = set(s.scalars(select(OrderSync.order_id).where(
            OrderSync.shop == harness.shop, OrderSync.pending.is_(True))))
    assert applied  # the store took some orders' writes …
    assert not any(harness.order(o)["metafields"] for o in orders)  # (holds before any field)
    assert {f"gid://shopify/Order/{o}" for o in orders} <= pending  # … we recorded none

    client.session = live_session
    holds_before = harness.services.shopify_gateway.counters["holds_placed"]
    finish(harness)
    for order in orders:
        state = harness.order(order)
        assert state["tags"] == ["backordered"]
        assert harness.held(order) == {state["line_items"][0]["id"]: 1}
    assert sorted(n for _, n in app_holds(harness)) == [1] * len(orders)
    assert harness.services.shopify_gateway.counters["holds_placed"] - holds_before == (
        len(orders) - len(applied))
    with harness.services.db.transaction() as s:
        assert not s.scalar(select(OrderSync.order_id).where(OrderSync.pending.is_(True)))
