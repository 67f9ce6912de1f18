"""The merchant's order actions in headless Chromium, offline: finding an order by its
customer's name, releasing holds and notifying customers from the queue's bulk bar, holding
again and "ship what is ready now" on the order view, each recorded there with who and when."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.storage.tables import CustomerAction, Order
from tests.conftest import SHOP, unavailable

try:
    from playwright.sync_api import expect
except ImportError:
    unavailable("Playwright is not installed (./dev test installs it: pip install -e '.[test]')",
                module=True)

pytestmark = pytest.mark.browser
ORDER1, ORDER4 = "gid://shopify/Order/1", "gid://shopify/Order/4"


def rows(page):
    return page.locator("#queue-rows s-table-row")


def test_a_late_order_is_found_by_its_customers_name(queue_page):
    queue_page.get_by_label("Search the queue").fill("katherine johnson")
    expect(rows(queue_page)).to_have_count(2)
    assert rows(queue_page).locator(".order").all_inner_texts() == ["#4", "#4"]
    queue_page.get_by_label("Search the queue").fill("grace@example")
    expect(rows(queue_page)).to_have_count(1)
    expect(rows(queue_page).first.locator(".order")).to_have_text("#2")


def test_release_from_the_queue_then_hold_again_on_the_order_view(queue_page, served_queue):
    _, services = served_queue
    release = queue_page.locator("#bulk-release")
    expect(release).to_have_attribute("disabled", "")
    queue_page.get_by_role("checkbox", name="Select #4 Tee - Blue").check()
    queue_page.get_by_role("checkbox", name="Select #4 Tee - Red").check()
    release.click()
    expect(queue_page.locator("#toast")).to_have_text("Holds released on 1 order(s).")
    with services.db.transaction() as s:
        assert s.get(Order, (SHOP, ORDER4)).holds_released_at is not None
    queue_page.get_by_role("link", name="#4").first.click()
    view = queue_page.locator("#order-view")
    expect(view.locator("#order-released")).to_contain_text("the app holds nothing")
    expect(view.locator(".order-actions s-table-row")).to_have_count(1)
    expect(view.locator(".order-actions")).to_contain_text("Holds released")
    expect(view.locator(".order-actions")).to_contain_text("staff 42")
    view.get_by_role("button", name="Hold again").click()
    expect(queue_page.locator("#toast")).to_contain_text("held again")
    expect(view.locator(".order-actions s-table-row")).to_have_count(2)
    expect(view.locator("#order-released")).to_have_count(0)
    with services.db.transaction() as s:
        assert s.get(Order, (SHOP, ORDER4)).holds_released_at is None


def test_notify_from_the_queue_asks_one_update_per_order(queue_page, served_queue):
    _, services = served_queue
    queue_page.get_by_label("Search the queue").fill("tee-red")
    expect(rows(queue_page)).to_have_count(2)
    queue_page.get_by_label("Select all on this page").check()
    queue_page.locator("#bulk-notify").click()
    expect(queue_page.locator("#toast")).to_have_text("An update goes to 2 customer(s).")
    with services.db.transaction() as s:
        assert [s.get(Order, (SHOP, f"gid://shopify/Order/{n}")).updates_asked
                for n in (2, 4, 1)] == [1, 1, 0]
    queue_page.get_by_role("link", name="#2").first.click()
    expect(queue_page.locator(".order-actions")).to_contain_text("Customer sent an update")


def test_ship_what_is_ready_now_opens_the_order_in_shopify(page):
    """Order #1: two units ready, one owed and held."""
    page.goto(page.url.split("#")[0] + "#order/gid%3A%2F%2Fshopify%2FOrder%2F1")
    ship = page.locator("#order-ship-ready")
    expect(ship).to_have_attribute("href", "shopify://admin/orders/1")
    expect(ship).to_have_text("Ship what is ready now")
    expect(page.locator("#order-view")).to_contain_text("No action taken on this order")


def test_a_refund_left_to_staff_is_flagged_on_the_order_view(page, served):
    """A customer cancelled a unit of order #1 with refunds off: the order view says so."""
    _, services = served
    with services.db.transaction() as s:
        s.add(CustomerAction(shop=SHOP, key="k1", customer_id="901", order_id=ORDER1,
                             line_id="gid://shopify/LineItem/11", kind="cancel_owed", units=1,
                             status="done", message="", created_at=datetime.now(UTC),
                             refund="owed", refund_note="the units cancelled: 1 × 25.00 = 25.00"))
    page.goto(page.url.split("#")[0] + "#order/gid%3A%2F%2Fshopify%2FOrder%2F1")
    actions = page.locator("#order-view .order-actions")
    expect(actions).to_contain_text("refund owed, left to staff")
    expect(actions).to_contain_text("1 × 25.00 = 25.00")


def test_the_admin_menu_is_hidden_offline_and_its_pages_open_at_their_part(browser, served,
                                                                           request):
    """Offline App Bridge does not read `s-app-nav`: it stays out of sight (the page's own links
    do its work), and a menu page such as /settings opens the page scrolled to its part."""
    from tests.browser.conftest import SCREENSHOTS
    from tests.integration.test_install import session_token

    base, _ = served
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("https://cdn.shopify.com/**", lambda route: route.abort())
    page = context.new_page()
    page.goto(f"{base}/settings?shop={SHOP}&id_token={session_token(exp_in=600)}")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("s-app-nav")).to_be_hidden()
    expect(page.locator("s-app-nav s-link")).to_have_count(4)
    expect(page.locator("#page-nav").get_by_role("link", name="Settings")).to_be_visible()
    expect(page.locator("#settings")).to_be_in_viewport()
    expect(page.locator("#queue-section")).not_to_be_in_viewport()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"))
    context.close()
