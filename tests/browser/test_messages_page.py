"""The customer's messages on the admin page, in headless Chromium offline: the settings of each
message, the preview of what it sends to Flow, and the count of messages sent on the insights."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import SHOP, unavailable
from tests.fakes import FakeGateway
from tests.integration.helpers import post_webhook
from tests.integration.test_backorder_flow import stock_payload

try:
    from playwright.sync_api import expect
except ImportError:
    unavailable("Playwright is not installed (./dev test installs it: pip install -e '.[test]')",
                module=True)

pytestmark = pytest.mark.browser


def field(page, key: str):
    return page.locator(f"#preview-rows s-table-row[data-key='{key}'] .preview-value")


def kind_select(page):
    return page.locator("#preview-kind select")


def sent(page, kind: str):
    return page.locator(f"#messages-sent-rows s-table-row[data-kind='{kind}'] .sent")


class Web:
    """The served app's webhooks, over HTTP."""

    def __init__(self, base: str):
        self.base = base

    def post(self, path: str, **kwargs):
        return requests.post(self.base + path, timeout=10, **kwargs)


def test_the_preview_shows_each_message_as_flow_gets_it_for_the_waiting_order(page):
    summary = page.locator("#preview-summary")
    expect(summary).to_contain_text("Backorder created for order #1: Flow trigger "
                                    "backorder-created")
    expect(summary).to_contain_text("of 50,000 bytes")
    expect(field(page, "Backordered units")).to_have_text("1")  # 3 ordered, 2 in stock
    expect(field(page, "order_id")).to_have_text("1")
    expect(field(page, "Store note")).to_have_text("(empty)")
    kind_select(page).select_option("eta_changed")
    expect(summary).to_contain_text("Flow trigger backorder-eta-changed")
    expect(field(page, "Days moved")).to_have_text("2")  # the threshold set
    kind_select(page).select_option("delivered")
    expect(field(page, "Backorders")).to_have_text("1")


def test_a_message_switched_off_and_a_threshold_saved_show_in_the_preview(page, served):
    _, services = served
    page.get_by_role("checkbox", name="Ready to ship").uncheck()
    page.get_by_label("Tell a date change of at least (days)").fill("5")
    page.get_by_label("Note: ship date changed").fill("Sorry for the wait")
    page.locator("#settings-save-bar").get_by_role("button", name="Save").click()
    expect(page.locator("#settings-notice")).to_contain_text("Settings saved")
    notices = services.admin.settings(SHOP)["policy"]["notices"]
    assert notices["enabled"]["ready"] is False and notices["eta_change_days"] == 5
    kind_select(page).select_option("ready")
    expect(page.locator("#preview-summary")).to_contain_text("Switched off: not sent.")
    kind_select(page).select_option("eta_changed")
    expect(field(page, "Days moved")).to_have_text("5")
    expect(field(page, "Store note")).to_have_text("Sorry for the wait")
    assert services.admin.settings(SHOP)["policy"]["notices"]["notes"]["eta_changed"] == \
        "Sorry for the wait"


def test_the_preview_says_when_no_enabled_workflow_starts_with_the_trigger(page, served,
                                                                            monkeypatch):
    """On Shopify, Flow names the triggers the shop's workflows use; the others are not sent."""
    _, services = served
    monkeypatch.setattr(FakeGateway, "names_listeners", lambda self, shop: True)
    services.listeners.said(SHOP, "ready", True, services.clock())
    summary = page.locator("#preview-summary")
    kind_select(page).select_option("ready")
    expect(summary).to_contain_text("Flow trigger backorder-ready")
    expect(summary).not_to_contain_text("not sent")
    kind_select(page).select_option("created")
    expect(summary).to_contain_text("Flow trigger backorder-created")
    expect(summary).to_contain_text(
        "No enabled Flow workflow starts with this trigger: not sent.")


def test_a_bad_threshold_shows_the_field_error(page):
    page.get_by_label("Waiting long after (days)").fill("0")
    page.locator("#settings-save-bar").get_by_role("button", name="Save").click()
    message = "notices.waiting_long_days must be an integer from 1 to 365"
    expect(page.locator("s-number-field[name=waiting_long_days] .field-error")).to_have_text(message)


def test_the_insights_count_the_messages_sent_per_kind(page, served):
    base, services = served
    expect(sent(page, "created")).to_have_text("1")
    expect(sent(page, "ready")).to_have_text("0")
    expect(page.locator("#messages-sent-summary")).to_contain_text("1 message(s) sent")
    post_webhook(Web(base), "inventory_levels/update", stock_payload(3, 1))
    services.queue.drain()
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(sent(page, "ready")).to_have_text("1")
    expect(sent(page, "created")).to_have_text("1")
    expect(page.locator("#messages-sent-summary")).to_contain_text("2 message(s) sent")
