"""The journey a newcomer takes after `./dev demo`, through the printed URL: the app framed in the
simulator's local admin, with the demo's data. From a late order found by its customer's name,
to why it waits and when it ships, moving it up the queue, a restock CSV previewed and imported,
and the reorder suggestions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.config import load_config
from app.demo import Demo
from app.storage.tables import Order
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import unavailable

try:
    from playwright.sync_api import expect
except ImportError:
    unavailable("Playwright is not installed (./dev test installs it: pip install -e '.[test]')",
                module=True)

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(env):
    """The demo's set-up, in this process and smaller (40 orders): it ends with lines late."""
    run = Demo(load_config({**env, "APP_ENV": "production"}), orders=40, seed=7,
               echo=lambda *_: None)
    try:
        run.run()
        yield run
    finally:
        run.close()


def latest_in_queue(demo) -> dict:
    """The late line furthest back in its queue, so raising its priority can move it up."""
    lines = demo.api("get", "/api/queue", params={"status": "late", "limit": 200})["lines"]
    assert lines, "the demo left no line later than promised"
    return max(lines, key=lambda line: line["queue_position"])


def customer_of(demo, order_id: str) -> str:
    with demo.services.db.read() as s:
        return s.scalar(select(Order.customer_name).where(Order.order_id == order_id))


def test_a_newcomer_finds_a_late_order_moves_it_up_imports_restocks_and_reads_reorders(
        browser, demo, request):
    late = latest_in_queue(demo)
    name = customer_of(demo, late["order_id"])
    assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", name) and late["queue_position"] > 1
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("https://cdn.shopify.com/**", lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(demo.admin_url())
        app = page.frame_locator("#app")
        app.locator("body[data-ready='1']").wait_for()
        rows = app.locator("#queue-rows s-table-row")

        # Find it: the late ones, then the customer's name.
        app.get_by_label("Status").select_option("late")
        expect(rows.first.locator(".status")).to_have_text("Later than promised")
        app.get_by_label("Search the queue").fill(name)
        found = demo.api("get", "/api/queue", params={"status": "late", "q": name,
                                                      "limit": 50})["lines"]  # a page
        expect(rows).to_have_count(len(found))  # the page shows the search's answer, no other
        expect(rows.locator(".order")).to_contain_text([late["order_name"]])
        expect(rows.locator(".status")).to_have_text(["Later than promised"] * len(found))

        # Why it waits and when it ships: its restock was moved, so its date is later.
        rows.filter(has_text=late["order_name"]).get_by_role(
            "link", name=late["order_name"]).click()
        view = app.locator("#order-view")
        expect(view).to_contain_text(f"Order {late['order_name']}")
        expect(view).to_contain_text(f"Expected to ship {late['eta']['date']}")
        line = view.locator(".order-lines s-table-row").first
        expect(line).to_contain_text("from a restock")
        history = view.locator(".eta-history s-table-row")
        expect(history.last).to_contain_text(
            f"{late['first_eta']}{late['eta']['date']}later: restock changed")

        # Move it up: a raised priority puts it first in its queue, or, ahead of the lines the
        # stock in hand covers, ready to ship with their units.
        cells = line.locator("s-table-cell")
        expect(cells.nth(3)).to_have_text(str(late["queue_position"]))
        line.get_by_label(re.compile("Priority of")).fill("50")
        line.get_by_role("button", name=re.compile("Set priority of")).click()
        expect(app.locator("#toast")).to_contain_text("Priority saved")
        expect(cells.nth(3)).not_to_have_text(str(late["queue_position"]))
        owed, position = cells.nth(2).inner_text(), cells.nth(3).inner_text()
        assert (owed, position) in ((str(late["backordered"]), "1"), ("0", "")), (owed, position)

        # Restocks from a CSV: previewed (nothing written), then committed.
        app.get_by_role("link", name="Back to the queue").click()
        expected = app.locator("#reorder-rows s-table-row", has_text=late["sku"]).locator(
            "s-table-cell").nth(3)
        before = int(expected.inner_text())
        app.get_by_role("link", name="Restocks").first.click()
        app.get_by_label("CSV file").set_input_files({
            "name": "restocks.csv", "mimeType": "text/csv",
            "buffer": f"sku,quantity,expected_date,reference\n{late['sku']},30,"
                      f"{late['first_eta']},PO-2001\n".encode()})
        app.get_by_role("button", name="Preview import").click()
        expect(app.locator("#import-summary")).to_contain_text("1 restock(s), 30 unit(s).")
        expect(app.locator("#restock-rows")).not_to_contain_text("PO-2001")
        app.get_by_role("button", name="Commit import").click()
        expect(app.locator("#import-notice")).to_have_text("1 restock(s) imported.")
        expect(app.locator("#restock-rows")).to_contain_text("PO-2001")

        # The reorder suggestions: owed, less incoming, plus the safety stock kept.
        app.get_by_role("link", name="Insights").first.click()
        reorder = app.locator("#reorder-rows s-table-row")
        expect(expected).to_have_text(str(before + 30))  # the import's units are counted
        for row in reorder.all():
            owed, incoming, safety, suggested = (
                int(row.locator("s-table-cell").nth(n).inner_text()) for n in (2, 3, 4, 5))
            assert suggested == max(0, owed - incoming + safety)
    finally:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
        context.close()
