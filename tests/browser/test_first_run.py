"""A new shop's first visit: the setup guide (install, order fields pinned, first restock) and the
empty states of the queue and the restocks, each with the action that fills it."""

from __future__ import annotations

import pytest

from app.storage.tables import Shop
from tests.browser.conftest import V1, open_page, serve
from tests.conftest import SHOP, unavailable
from tests.fakes import FakeGateway

try:
    from playwright.sync_api import expect
except ImportError:
    unavailable("Playwright is not installed (./dev test installs it: pip install -e '.[test]')",
                module=True)

pytestmark = pytest.mark.browser


@pytest.fixture
def served_new(env, clock):
    """A shop just installed: a variant in stock, no order yet."""
    platform = FakeGateway()
    platform.add_variant(V1, available=5, sku="TEE-BLUE", product_title="Tee", title="Blue",
                         vendor="Acme", product_type="Shirts")
    yield from serve(env, clock, platform, [])


@pytest.fixture
def new_page(browser, served_new, request):
    yield from open_page(browser, served_new, request)


def marks(services) -> dict:
    with services.db.transaction() as s:
        return dict(s.get(Shop, SHOP).setup or {})


def test_the_guide_takes_a_new_shop_through_its_first_run(new_page, served_new):
    page, (_, services) = new_page, served_new
    guide = page.locator("#setup-guide")
    expect(guide).to_be_visible()
    expect(page.locator("#setup-progress")).to_have_text("1 of 3 steps done")
    expect(page.get_by_role("checkbox", name="Install the app")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Install the app")).to_be_disabled()
    # The empty states say what each part is for and offer the action that fills it.
    expect(page.locator("#queue-first")).to_contain_text("No backorders yet")
    expect(page.locator("#queue-table")).to_be_hidden()
    expect(page.locator("#queue-empty")).to_be_hidden()
    expect(page.locator("#restocks-empty")).to_contain_text("No restock expected")
    # The merchant pins the order fields in the store admin and marks the step.
    pinned = page.get_by_role("checkbox", name="Pin the backorder fields on the order page")
    pinned.check()
    expect(page.locator("#setup-progress")).to_have_text("2 of 3 steps done")
    assert marks(services) == {"metafields_pinned": True}
    # The restocks' empty state leads to the form; the first restock completes the guide.
    page.locator("#restocks-empty").get_by_role("button", name="Add a restock").click()
    form = page.locator("#restock-form")
    expect(form.locator("[name=variant]")).to_be_focused()
    form.locator("[name=variant]").fill("TEE-BLUE")
    form.locator("[name=quantity]").fill("5")
    form.locator("[name=expected_date]").fill("2026-11-24")
    form.get_by_role("button", name="Add restock").click()
    expect(page.locator("#setup-progress")).to_have_text("All steps done.")
    expect(page.locator("#restocks-empty")).to_be_hidden()
    expect(page.get_by_role("checkbox", name="Enter your first restock")).to_be_checked()
    # Dismissed, the guide stays away.
    page.get_by_role("button", name="Dismiss the guide").click()
    expect(guide).to_be_hidden()
    assert marks(services)["dismissed"] is True
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(guide).to_be_hidden()


def test_a_search_that_finds_nothing_is_not_the_empty_state(page):
    expect(page.locator("#queue-first")).to_be_hidden()
    expect(page.locator("#setup-progress")).to_have_text("1 of 3 steps done")
    page.get_by_label("Search the queue").fill("nothing like it")
    expect(page.locator("#queue-empty")).to_be_visible()
    expect(page.locator("#queue-first")).to_be_hidden()
    expect(page.locator("#queue-table")).to_be_visible()


def test_the_guide_empty_states_and_an_import_preview_pass_the_accessibility_check(new_page):
    from tests.browser.test_accessibility import serious_violations

    expect(new_page.locator("#queue-first")).to_be_visible()
    assert serious_violations(new_page) == []
    new_page.get_by_label("CSV file").set_input_files(
        {"name": "r.csv", "mimeType": "text/csv",
         "buffer": b"sku,quantity,expected_date\nTEE-BLUE,4,2026-11-24\n"})
    new_page.get_by_role("button", name="Preview import").click()
    expect(new_page.locator("#import-review")).to_be_visible()
    assert serious_violations(new_page) == []


def test_the_empty_states_stand_alone(new_page):
    """An empty queue shows no table, pages or bulk bar; no restock shows no table."""
    expect(new_page.locator("#queue-first")).to_be_visible()
    for hidden in ("#queue-table", "#bulk-bar", ".native-pagination", "#restock-table"):
        expect(new_page.locator(hidden)).to_be_hidden()
