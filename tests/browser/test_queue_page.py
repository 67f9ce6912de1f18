"""The queue's index table and the order view in headless Chromium, offline (Polaris not loaded,
so the page's own fallback must keep every control usable): search, filters, sort, pages, the
bulk priority action, and an order's lines, dates, holds and priority."""

from __future__ import annotations

import json
import re

import pytest
import requests

from app.storage.tables import OrderLine
from tests.conftest import SHOP, unavailable, webhook_headers
from tests.integration.test_backorder_flow import order_payload

try:
    from playwright.sync_api import expect
except ImportError:
    unavailable("Playwright is not installed (./dev test installs it: pip install -e '.[test]')",
                module=True)

pytestmark = pytest.mark.browser


def rows(page):
    return page.locator("#queue-rows s-table-row")


def orders_shown(page) -> list[str]:
    return rows(page).locator(".order").all_inner_texts()


def test_the_queue_is_a_table_with_roles_and_every_waiting_line(queue_page):
    table = queue_page.get_by_role("table").first
    expect(table.get_by_role("columnheader", name="Ships")).to_be_visible()
    expect(rows(queue_page)).to_have_count(5)
    assert orders_shown(queue_page) == ["#1", "#3", "#4", "#2", "#4"]  # blue's queue, then red's
    expect(queue_page.locator("#queue-page")).to_have_text("5 line(s) match")


def test_search_finds_lines_by_sku(queue_page):
    queue_page.get_by_label("Search the queue").fill("tee-red")
    expect(rows(queue_page)).to_have_count(2)
    assert orders_shown(queue_page) == ["#2", "#4"]
    queue_page.get_by_label("Search the queue").fill("nothing like it")
    expect(queue_page.locator("#queue-empty")).to_be_visible()


def test_status_filter_and_sort(queue_page):
    queue_page.get_by_label("Status").select_option("ready")
    expect(rows(queue_page)).to_have_count(1)
    expect(rows(queue_page).first).to_contain_text("Ready")
    queue_page.get_by_label("Status").select_option("waiting")
    queue_page.get_by_label("Sort by").select_option("-order")
    expect(rows(queue_page).first.locator(".order")).to_have_text("#4")
    assert orders_shown(queue_page) == ["#4", "#4", "#3", "#2", "#1"]


def test_a_variant_chosen_in_a_row_filters_the_queue_until_cleared(queue_page):
    queue_page.get_by_role("button", name="show only Tee - Red").first.click()
    expect(rows(queue_page)).to_have_count(2)
    chip = queue_page.get_by_role("button", name="Clear the variant filter")
    expect(chip).to_contain_text("Tee - Red")
    chip.click()
    expect(rows(queue_page)).to_have_count(5)


def test_pages_move_forward_and_back(queue_page):
    queue_page.route("**/api/queue?*", lambda route: route.continue_(
        url=route.request.url.replace("limit=50", "limit=2")))  # pages of two lines
    queue_page.get_by_label("Sort by").select_option("ordered_at")
    expect(rows(queue_page)).to_have_count(2)
    assert orders_shown(queue_page) == ["#1", "#2"]
    previous = queue_page.get_by_role("button", name="Previous")
    expect(previous).to_be_disabled()
    queue_page.get_by_role("button", name="Next").click()
    expect(rows(queue_page).first.locator(".order")).to_have_text("#3")
    queue_page.get_by_role("button", name="Next").click()
    expect(rows(queue_page)).to_have_count(1)
    expect(queue_page.get_by_role("button", name="Next")).to_be_disabled()
    previous.click()
    expect(rows(queue_page).first.locator(".order")).to_have_text("#3")


def test_bulk_priority_moves_the_chosen_lines_first(queue_page, served_queue):
    _, services = served_queue
    apply = queue_page.locator("#bulk-apply")
    expect(apply).to_have_attribute("disabled", "")
    queue_page.get_by_role("checkbox", name="Select #4 Tee - Blue").check()
    expect(queue_page.locator("#bulk-count")).to_have_text("1 line(s) selected")
    queue_page.get_by_label("Priority (-100 to 100)").fill("20")
    apply.click()
    expect(queue_page.locator("#toast")).to_contain_text("Priority set on 1 line(s)")
    expect(rows(queue_page).first.locator(".order")).to_have_text("#4")
    with services.db.transaction() as s:
        assert s.get(OrderLine, (SHOP, "gid://shopify/LineItem/41")).manual_priority == 20


def test_select_all_on_a_page_then_lower_every_line(queue_page, served_queue):
    _, services = served_queue
    queue_page.get_by_label("Search the queue").fill("tee-red")
    expect(rows(queue_page)).to_have_count(2)
    queue_page.get_by_label("Select all on this page").check()
    expect(queue_page.locator("#bulk-count")).to_have_text("2 line(s) selected")
    queue_page.get_by_label("Priority (-100 to 100)").fill("-5")
    queue_page.locator("#bulk-apply").click()
    expect(queue_page.locator("#toast")).to_contain_text("Priority set on 2 line(s)")
    expect(queue_page.get_by_label("Select all on this page")).not_to_be_checked()
    with services.db.transaction() as s:
        assert [s.get(OrderLine, (SHOP, f"gid://shopify/LineItem/{n}")).manual_priority
                for n in (21, 42, 11)] == [-5, -5, 0]


def test_a_bad_bulk_priority_shows_the_error_beside_the_field(queue_page):
    queue_page.get_by_role("checkbox", name="Select #1 Tee - Blue").check()
    queue_page.get_by_label("Priority (-100 to 100)").fill("500")
    queue_page.locator("#bulk-apply").click()
    expect(queue_page.locator("#bulk-priority .field-error")).to_have_text(
        "priority must be a whole number from -100 to 100")


def test_the_order_view_shows_why_an_order_waits_and_changes_its_priority(queue_page,
                                                                         served_queue):
    _, services = served_queue
    queue_page.get_by_label("Search the queue").fill("#4")
    expect(rows(queue_page)).to_have_count(2)
    queue_page.get_by_role("link", name="#4").first.click()
    view = queue_page.locator("#order-view")
    expect(view).to_be_visible()
    expect(queue_page.locator("#queue")).to_be_hidden()
    expect(view).to_contain_text("Order #4")
    expect(view.locator("#order-units")).to_have_text("0 unit(s) ready, 2 owed")
    lines = view.locator(".order-lines s-table-row")
    expect(lines).to_have_count(2)
    expect(lines.first).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d \(\d{4}-\d\d-\d\d to "))
    expect(view.locator(".holds s-table-row")).to_have_count(2)
    expect(view.locator("#order-store")).to_contain_text("up to date")
    alternatives = view.locator(".order-alternatives")
    expect(alternatives).to_contain_text("Instead of Tee - Blue:")
    expect(alternatives.locator("li").first).to_contain_text(re.compile(r"Tee - Green: .+"))
    expect(view.locator(".eta-history s-table-row")).to_have_count(2)  # each line's promise
    expect(view.locator(".eta-history")).to_contain_text("promised: order #4")
    lines.first.get_by_label(re.compile("Priority of")).fill("7")
    lines.first.get_by_role("button", name="Set priority of Tee - Blue").click()
    expect(queue_page.locator("#toast")).to_contain_text("Priority saved")
    with services.db.transaction() as s:
        assert s.get(OrderLine, (SHOP, "gid://shopify/LineItem/41")).manual_priority == 7
    queue_page.go_back()
    expect(queue_page.locator("#queue")).to_be_visible()


def test_the_order_view_lists_date_changes_after_a_restock(queue_page, served_queue):
    _, services = served_queue
    services.restocks.create(SHOP, {"sku": "TEE-RED", "quantity": 5,
                                    "expected_date": "2026-12-20"})
    queue_page.goto(queue_page.url.split("#")[0] + "#order/" + "gid%3A%2F%2Fshopify%2FOrder%2F2")
    history = queue_page.locator(".eta-history s-table-row")
    expect(history).to_have_count(2)  # promised, then moved by the restock
    expect(history.last).to_contain_text("2026-12-21")
    expect(history.last).to_contain_text("Tee - Red")


def test_an_unknown_order_says_so(queue_page):
    queue_page.goto(queue_page.url.split("#")[0] + "#order/gid%3A%2F%2Fshopify%2FOrder%2F99")
    expect(queue_page.locator("#order-error")).to_contain_text("no order")


def test_waiting_at_least_leaves_out_lines_newer_than_the_days_given(queue_page, served_queue,
                                                                    clock):
    """Three days on, order #6 comes in: a minimum of 3 days shows the five older lines only."""
    base, services = served_queue
    clock.advance(days=3)
    body = json.dumps({**order_payload(6, [(61, 2, 1)]), "customer": {"id": 906},
                       "created_at": "2026-11-23T11:00:00Z",
                       "updated_at": "2026-11-23T11:00:30Z"}).encode()
    sent = requests.post(f"{base}/webhooks", data=body, timeout=10,
                         headers=webhook_headers("orders/create", body, SHOP))
    assert sent.status_code == 200, sent.text
    services.queue.drain()
    age = queue_page.get_by_label("Waiting at least (days)")
    age.fill("0")
    age.dispatch_event("change")
    expect(rows(queue_page)).to_have_count(6)
    age.fill("3")
    age.dispatch_event("change")
    expect(rows(queue_page)).to_have_count(5)
    assert "#6" not in orders_shown(queue_page)
    expect(rows(queue_page).locator(".waiting")).to_have_text(["3 d"] * 5)
    age.fill("4")
    age.dispatch_event("change")
    expect(queue_page.locator("#queue-empty")).to_be_visible()


def test_the_priority_filter_shows_raised_normal_or_lowered_lines(queue_page, served_queue):
    _, services = served_queue
    services.admin.set_priority(SHOP, "gid://shopify/LineItem/41", 20)
    services.admin.set_priority(SHOP, "gid://shopify/LineItem/21", -5)
    priority = queue_page.get_by_role("combobox", name="Priority", exact=True)
    priority.select_option("raised")
    expect(rows(queue_page)).to_have_count(1)
    expect(rows(queue_page).first.locator(".priority")).to_have_text("20")
    assert orders_shown(queue_page) == ["#4"]
    priority.select_option("lowered")
    expect(rows(queue_page).locator(".priority")).to_have_text(["-5"])
    assert orders_shown(queue_page) == ["#2"]
    priority.select_option("normal")
    expect(rows(queue_page)).to_have_count(3)
    expect(rows(queue_page).locator(".priority")).to_have_text(["0", "0", "0"])
    priority.select_option("")
    expect(rows(queue_page)).to_have_count(5)
