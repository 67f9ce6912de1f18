"""An automated accessibility check (axe-core, vendored in `vendor/axe-core`) of every part of
the admin page as a merchant reaches it, offline as in the other browser tests, of the demo's
local admin framing it, and of the customer's page in the shop: no serious or critical
violation."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import load_config
from app.demo import Demo
from tests.browser.test_storefront_page import shopper, storefront  # noqa: F401 (fixtures)
from tests.conftest import unavailable

try:
    from playwright.sync_api import expect
except ImportError:
    unavailable("Playwright is not installed (./dev test installs it: pip install -e '.[test]')",
                module=True)

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def serious_violations(page) -> list[str]:
    """Each serious or critical violation axe-core finds, with the elements at fault."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [f"{v['impact']} {v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_the_queue_restocks_settings_and_insights(queue_page):
    expect(queue_page.locator("#reorder-rows s-table-row")).to_have_count(2)
    assert serious_violations(queue_page) == []


def test_the_queue_with_lines_selected_and_the_save_bar_shown(queue_page):
    queue_page.get_by_role("checkbox", name="Select #1 Tee - Blue").check()
    queue_page.get_by_label("Processing days").fill("2")
    expect(queue_page.locator("#settings-save-bar")).to_be_visible()
    assert serious_violations(queue_page) == []


def test_the_order_view(queue_page):
    queue_page.get_by_role("link", name="#4").first.click()
    expect(queue_page.locator("#order-units")).to_be_visible()
    assert serious_violations(queue_page) == []


def test_the_local_admin_and_the_app_framed_in_it(browser, env):
    """The page `./dev demo` prints, and the app inside its frame."""
    demo = Demo(load_config({**env, "APP_ENV": "production"}), orders=12, seed=7,
                echo=lambda *_: None)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("https://cdn.shopify.com/**", lambda route: route.abort())
    try:
        demo.run()
        page = context.new_page()
        page.goto(demo.admin_url())
        page.frame_locator("#app").locator("body[data-ready='1']").wait_for()
        assert serious_violations(page) == []
        framed = page.frames[1]
        assert framed.url.startswith(demo.app_url)
        assert serious_violations(framed) == []
    finally:
        context.close()
        demo.close()


def test_the_customers_page_in_the_shop(storefront, shopper):
    open_for, _services = storefront
    shopper.goto(open_for("901"))
    expect(shopper.locator("h1")).to_have_text("Your backorders")
    assert serious_violations(shopper) == []
