"""The insights section in headless Chromium: four charts drawn by the vendored Chart.js, the
reorder suggestions following the safety stock, and their CSV export."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from tests.browser.conftest import open_page
from tests.conftest import SHOP, unavailable

try:
    from playwright.sync_api import expect
except ImportError:
    unavailable("Playwright is not installed (./dev test installs it: pip install -e '.[test]')",
                module=True)

pytestmark = pytest.mark.browser
VENDOR = Path(__file__).resolve().parents[2] / "app/admin/static/vendor/chart.js"


def chart_data(page, canvas: str) -> list:
    """The datasets Chart.js drew on the canvas (None when no chart is there)."""
    return page.evaluate(f"""(() => {{
        const chart = Chart.getChart(document.getElementById("{canvas}"));
        return chart ? chart.data.datasets.map((d) => d.data) : null;
    }})()""")


def test_four_charts_are_drawn_from_the_data(queue_page):
    expect(queue_page.locator("#reorder-rows s-table-row")).to_have_count(2)
    rate = chart_data(queue_page, "chart-rate")
    assert len(rate[0]) == 30 and rate[0][-1] == pytest.approx(83.3)  # 5 of 6 lines today
    assert chart_data(queue_page, "chart-variants")[0] == [4, 2]  # blue owes 4, red 2
    assert chart_data(queue_page, "chart-accuracy") == [[0, 0, 5]]  # all pending
    assert chart_data(queue_page, "chart-eta") == [[0] * 30, [0] * 30]
    expect(queue_page.locator("#chart-variants")).to_have_attribute(
        "aria-label", re.compile(r"Tee - Blue 4 \(oldest 0 d\), Tee - Red 2"))


def test_reorder_suggestions_follow_incoming_stock_and_the_safety_stock(queue_page,
                                                                       served_queue):
    _, services = served_queue
    services.restocks.create(SHOP, {"sku": "TEE-BLUE", "quantity": 3,
                                    "expected_date": "2026-12-01"})
    field = queue_page.get_by_label("Safety stock per variant (units)")
    field.fill("2")
    field.dispatch_event("change")
    rows = queue_page.locator("#reorder-rows s-table-row")
    expect(rows.first).to_contain_text("TEE-RED")
    expect(rows.first.locator(".suggested")).to_have_text("4")  # 2 owed + 2 kept
    expect(rows.last.locator(".suggested")).to_have_text("3")  # 4 owed - 3 coming + 2 kept


def test_a_bad_safety_stock_is_shown_beside_the_field(queue_page):
    field = queue_page.get_by_label("Safety stock per variant (units)")
    field.fill("-4")
    field.dispatch_event("change")
    expect(queue_page.locator("#safety-stock .field-error")).to_contain_text(
        "safety_stock must be a whole number")


def test_the_reorder_csv_downloads(queue_page):
    with queue_page.expect_download() as download:
        queue_page.get_by_role("button", name="Export CSV").click()
    assert download.value.suggested_filename == "reorder-suggestions.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [(r["sku"], r["suggested"]) for r in rows] == [("TEE-BLUE", "4"), ("TEE-RED", "2")]


def test_the_vendored_chart_js_is_the_pinned_release_with_its_licence():
    pinned = re.search(r"\| version \| (\S+) \|", (VENDOR / "VENDOR.md").read_text()).group(1)
    banner = (VENDOR / "chart.umd.min.js").read_text()[:200]
    assert f"Chart.js v{pinned}" in banner
    assert "MIT License" in (VENDOR / "LICENSE.md").read_text()


def test_a_big_shop_shows_its_largest_reorder_suggestions_and_says_the_csv_has_all(
        browser, served_queue, request):
    def thousands(route):  # a shop of 5,000 variants to reorder: the API sends the 50 largest
        response = route.fetch()
        data = response.json()
        data["reorder"] = [{"variant_id": f"gid://shopify/ProductVariant/{n}", "variant": f"V{n}",
                            "sku": f"S{n}", "owed": 1, "incoming": 0, "safety_stock": 0,
                            "suggested": 5000 - n} for n in range(50)]
        data["reorder_total"] = 5000
        route.fulfill(response=response, json=data)

    opened = open_page(browser, served_queue, request,
                       lambda context: context.route("**/api/insights?*", thousands))
    page = next(opened)
    expect(page.locator("#reorder-rows s-table-row")).to_have_count(50)
    expect(page.locator("#reorder-rows s-table-row").first).to_contain_text("V0")
    expect(page.locator("#reorder-more")).to_contain_text("50 largest of 5000")
    page.get_by_label("Search the queue").click(timeout=5_000)  # the page is not held
    next(opened, None)
