"""The customer's notices through intake, planning and the sync, against the in-memory platform:
each goes once, after the order's other writes; one refused is sent again, and only it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.policy import Policy
from app.services.sync import SyncFailed
from app.storage import shops as shop_store
from app.storage.tables import OrderSync
from tests.integration.helpers import post_webhook
from tests.integration.test_backorder_flow import order_payload, stock_payload

ORDER = "gid://shopify/Order/1"


def work(services) -> None:
    services.queue.drain()


def told(platform) -> list[tuple[str, str]]:
    return [(kind, key) for _, kind, key in platform.notices]


def test_a_backorder_is_told_when_it_opens_and_when_it_is_ready(flow, platform):
    client, services = flow
    platform.route(ORDER, {"gid://shopify/LineItem/11": 3})
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    assert told(platform) == [("created", "created:1")]
    calls = platform.calls
    assert calls.index("notify") > calls.index("apply")  # after the order's own writes
    post_webhook(client, "orders/updated", order_payload(1, [(11, 1, 3)], updated_minute=3))
    services.sync.run("test-shop.myshopify.com")
    work(services)
    assert told(platform) == [("created", "created:1")]  # nothing changed: nothing more
    post_webhook(client, "inventory_levels/update", stock_payload(0, 1))
    work(services)
    assert told(platform) == [("created", "created:1"), ("ready", "ready:1")]


def test_a_cancelled_backorder_is_told_as_cancelled(flow, platform):
    client, services = flow
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    post_webhook(client, "orders/cancelled", order_payload(
        1, [(11, 1, 3)], updated_minute=5, cancelled=True))
    work(services)
    assert told(platform) == [("created", "created:1"), ("cancelled", "cancelled:1")]


def test_a_refused_notice_keeps_the_order_pending_and_is_the_only_one_sent_again(flow, platform):
    client, services = flow
    platform.refuse_notices = {"created"}
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    assert told(platform) == []
    assert platform.orders[ORDER].tags == {"backordered"}  # the order's writes went
    with services.db.transaction() as s:
        row = s.scalar(select(OrderSync).where(OrderSync.order_id == ORDER))
        assert row.pending and "created refused" in row.last_error
    platform.refuse_notices = set()
    services.sync.run("test-shop.myshopify.com")
    services.sync.run("test-shop.myshopify.com")
    assert told(platform) == [("created", "created:1")]
    with services.db.transaction() as s:
        assert not s.scalar(select(OrderSync.pending).where(OrderSync.order_id == ORDER))


def test_notices_turned_off_are_not_sent(flow, platform):
    client, services = flow
    with services.db.transaction() as s:
        shop_store.find(s, "test-shop.myshopify.com").policy = Policy.from_dict(
            {"notices": {"enabled": {"created": False}}}).to_dict()
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    post_webhook(client, "inventory_levels/update", stock_payload(0, 1))
    work(services)
    assert told(platform) == [("ready", "ready:1")]


def test_saved_notice_settings_reach_the_orders_waiting(flow, platform):
    client, services = flow
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    shop = "test-shop.myshopify.com"
    current = services.admin.settings(shop)
    current["policy"]["notices"]["enabled"]["ready"] = False
    services.admin.save_settings(shop, current)
    work(services)
    with services.db.transaction() as s:
        row = s.scalar(select(OrderSync).where(OrderSync.order_id == ORDER))
        assert "ready" not in row.desired["notify"]["enabled"]
    post_webhook(client, "inventory_levels/update", stock_payload(0, 1))
    work(services)
    assert told(platform) == [("created", "created:1")]  # ready was turned off


def test_an_order_shown_before_notices_existed_is_not_told_its_past(flow, platform):
    """Deployed over orders already backordered: they take what they show as told."""
    client, services = flow
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    with services.db.transaction() as s:
        row = s.scalar(select(OrderSync).where(OrderSync.order_id == ORDER))
        row.applied = {k: v for k, v in row.applied.items() if k != "told"}
        row.desired = {**row.desired, "notify": {**row.desired["notify"], "eta": "2027-01-01"}}
        row.pending = True
    platform.notices.clear()
    services.sync.run("test-shop.myshopify.com")
    assert told(platform) == []  # neither "created" nor the date it always had
    post_webhook(client, "inventory_levels/update", stock_payload(0, 1))
    work(services)
    assert told(platform) == [("ready", "ready:1")]


def test_a_goodwill_code_the_platform_refuses_holds_the_waiting_long_notice_until_it_is_made(
        flow, platform, clock):
    client, services = flow
    shop = "test-shop.myshopify.com"
    with services.db.transaction() as s:
        shop_store.find(s, shop).policy = Policy.from_dict({
            "notices": {"waiting_long_days": 3},
            "goodwill": {"enabled": True, "kind": "fixed_amount", "amount": "5"}}).to_dict()
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    platform.refuse_codes = "the platform is down"
    clock.advance(days=4)
    services.backorders.replan_overdue(shop)
    with pytest.raises(SyncFailed):
        services.sync.run(shop)
    assert told(platform) == [("created", "created:1")]  # no notice names a code not made
    with services.db.transaction() as s:
        row = s.scalar(select(OrderSync).where(OrderSync.order_id == ORDER))
        assert row.pending and "goodwill code" in row.last_error

    platform.refuse_codes = None
    services.sync.run(shop)
    services.sync.run(shop)

    assert told(platform) == [("created", "created:1"), ("waiting_long", "waiting_long:1")]
    (code,) = platform.discount_codes.values()
    assert platform.notice_values[-1]["code"] == code.code  # the code weighed first, kept
    assert (code.customer_id, code.kind, code.amount) == ("901", "fixed_amount", "5.00")


def test_goodwill_gives_no_code_when_the_waiting_long_trigger_is_off(flow, platform, clock):
    client, services = flow
    shop = "test-shop.myshopify.com"
    with services.db.transaction() as s:
        shop_store.find(s, shop).policy = Policy.from_dict({
            "notices": {"waiting_long_days": 3, "enabled": {"waiting_long": False}},
            "goodwill": {"enabled": True}}).to_dict()
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    clock.advance(days=4)
    services.backorders.replan_overdue(shop)
    services.sync.run(shop)
    assert told(platform) == [("created", "created:1")]
    assert platform.discount_codes == {}
    assert services.admin.goodwill(shop)["given"] == 0
