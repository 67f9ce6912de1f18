"""The embedded admin in headless Chromium, offline: what a merchant sees and does on the page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.services.mirror import pool_of
from app.storage.tables import OrderLine, RestockRow
from tests.conftest import SHOP, unavailable

try:
    from playwright.sync_api import expect
except ImportError:
    unavailable("Playwright is not installed (./dev test installs it: pip install -e '.[test]')",
                module=True)

pytestmark = pytest.mark.browser
LINE = "gid://shopify/LineItem/11"


def stored_eta(services) -> str:
    with services.db.transaction() as s:
        return s.get(OrderLine, (SHOP, LINE)).eta.isoformat()


def queue_row(page):
    return page.locator("#queue-rows s-table-row", has_text="#1")


def eta_cell(page):
    return queue_row(page).locator(".eta")


def test_queue_shows_the_backordered_line_with_its_eta(page, served):
    _, services = served
    row = queue_row(page)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Variant 1 (TEE-BLUE)")
    expect(row.locator(".eta")).to_contain_text(f"{stored_eta(services)} (")
    expect(row.locator(".eta")).to_contain_text("from lead time, low confidence")
    expect(row.locator(".first-eta")).to_have_text(stored_eta(services))
    expect(page.locator("#numbers-list")).to_contain_text("1 unit(s) on 1 line(s)")


def test_adding_a_restock_through_the_form_moves_the_eta(page, served):
    _, services = served
    before = stored_eta(services)
    expect(eta_cell(page)).to_contain_text(before)
    form = page.locator("#restock-form")
    form.locator("[name=variant]").fill("TEE-BLUE")
    form.locator("[name=quantity]").fill("5")
    form.locator("[name=expected_date]").fill("2026-11-24")
    form.locator("[name=reference]").fill("PO-12")
    form.get_by_role("button", name="Add restock").click()
    expect(eta_cell(page)).to_contain_text("2026-11-25 (")
    expect(eta_cell(page)).to_contain_text("from a restock, high confidence")
    expect(eta_cell(page)).not_to_contain_text(before)
    expect(page.locator("#restock-rows")).to_contain_text("PO-12")
    assert stored_eta(services) == "2026-11-25"


def test_a_restock_is_edited_then_deleted_from_its_row(page, served):
    """Edit fills the form with the restock and saves the change to that restock (no second
    one); Delete removes it, and the line's date goes back to the lead time's."""
    _, services = served
    form = page.locator("#restock-form")
    form.locator("[name=variant]").fill("TEE-BLUE")
    form.locator("[name=quantity]").fill("5")
    form.locator("[name=expected_date]").fill("2026-11-24")
    form.get_by_role("button", name="Add restock").click()
    expect(eta_cell(page)).to_contain_text("2026-11-25 (")

    page.get_by_role("button", name="Edit the restock of Tee - Blue expected 2026-11-24").click()
    expect(page.locator("#restock-form-title")).to_have_text("Edit the restock")
    expect(form.locator("[name=quantity]")).to_have_value("5")
    form.locator("[name=expected_date]").fill("2026-12-01")
    form.get_by_role("button", name="Save restock").click()
    expect(page.locator("#restock-rows tr")).to_have_count(1)
    expect(page.locator("#restock-rows")).to_contain_text("2026-12-01")
    expect(eta_cell(page)).to_contain_text("2026-12-02 (")
    with services.db.transaction() as s:
        assert [r.expected_on.isoformat() for r in s.query(RestockRow)] == ["2026-12-01"]

    page.get_by_role("button", name="Delete the restock of Tee - Blue expected 2026-12-01").click()
    expect(page.locator("#restocks-empty")).to_be_visible()
    expect(page.locator("#restock-notice")).to_have_text("Restock deleted.")
    expect(eta_cell(page)).to_contain_text("from lead time")
    with services.db.transaction() as s:
        assert s.query(RestockRow).count() == 0


def test_a_restock_in_the_past_shows_the_field_error(page):
    form = page.locator("#restock-form")
    form.locator("[name=variant]").fill("TEE-BLUE")
    form.locator("[name=quantity]").fill("5")
    form.locator("[name=expected_date]").fill("2026-11-01")
    form.get_by_role("button", name="Add restock").click()
    expect(form.locator("[data-for=expected_date]")).to_contain_text("is in the past")
    expect(page.locator("#restocks-empty")).to_be_visible()


def test_a_bad_csv_shows_every_bad_line(page, served):
    _, services = served
    before = stored_eta(services)
    text = ("sku,quantity,expected_date\n"
            "TEE-BLUE,4,2026-11-24\n"
            "TEE-BLUE,lots,2026-11-24\n"
            "GHOST,1,2026-11-24\n")
    choose_csv(page, text)
    page.get_by_role("button", name="Preview import").click()
    error = page.locator("#import-error")
    expect(error).to_contain_text("2 row(s) are invalid; nothing was imported")
    expect(error.locator("li")).to_have_text([
        "Line 3: quantity must be a whole number from 1 to 1000000, got 'lots'",
        "Line 4: unknown SKU 'GHOST'",
    ])
    expect(page.locator("#restocks-empty")).to_be_visible()
    assert stored_eta(services) == before


def test_an_import_is_previewed_then_committed_as_previewed(page, served):
    """The preview lists the rows and what they would change, and writes nothing; "Commit
    import" writes those rows and the queue shows the date the preview announced."""
    _, services = served
    before = stored_eta(services)
    choose_csv(page, "sku,quantity,expected_date,reference\n"
                     "TEE-BLUE,4,2026-11-24,PO-9\n"
                     "TEE-BLUE,2,2026-12-01,PO-10\n")
    page.get_by_role("button", name="Preview import").click()
    review = page.locator("#import-review")
    expect(review).to_be_visible()
    expect(page.locator("#import-summary")).to_contain_text(
        "2 restock(s), 6 unit(s). 1 line(s) wait for these variants (1 unit(s) owed); "
        "1 would be filled when the stock arrives; 1 date(s) would move earlier")
    effects = review.locator(".import-effects-table [role=row]", has_text="Tee - Blue")
    expect(effects.locator("[role=cell]")).to_have_text(
        ["Tee - Blue", "6", "1", "1", "1", "1", "0"])
    rows = review.locator(".import-rows-table s-table-body [role=row]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("PO-9")
    # Nothing is written by the preview.
    expect(page.locator("#restocks-empty")).to_be_visible()
    assert stored_eta(services) == before
    page.get_by_role("button", name="Commit import").click()
    expect(page.locator("#import-notice")).to_have_text("2 restock(s) imported.")
    expect(review).to_be_hidden()
    expect(page.locator("#restock-rows tr")).to_have_count(2)
    expect(eta_cell(page)).to_contain_text("2026-11-25 (")
    assert stored_eta(services) == "2026-11-25"


def test_a_discarded_preview_imports_nothing(page, served):
    _, services = served
    before = stored_eta(services)
    choose_csv(page, "sku,quantity,expected_date\nTEE-BLUE,4,2026-11-24\n")
    page.get_by_role("button", name="Preview import").click()
    expect(page.locator("#import-review")).to_be_visible()
    page.get_by_role("button", name="Discard").click()
    expect(page.locator("#import-review")).to_be_hidden()
    expect(page.locator("#import-notice")).to_have_text("Nothing was imported.")
    expect(page.locator("#restocks-empty")).to_be_visible()
    assert stored_eta(services) == before


def choose_csv(page, text: str) -> None:
    page.get_by_label("CSV file").set_input_files(
        {"name": "restocks.csv", "mimeType": "text/csv", "buffer": text.encode()})


def processing_days(page):
    return page.get_by_label("Processing days")


def test_saving_settings_with_an_invalid_value_shows_the_field_error(page):
    expect(page.locator("#settings-save-bar")).to_be_hidden()
    expect(processing_days(page)).to_have_value("1")
    processing_days(page).fill("99")
    bar = page.locator("#settings-save-bar")
    expect(bar).to_be_visible()  # the save bar comes with the first change
    bar.get_by_role("button", name="Save").click()
    message = "processing_days must be an integer from 0 to 60"
    expect(page.locator("s-number-field[name=processing_days] .field-error")).to_have_text(message)
    expect(page.locator("#settings-error")).to_have_text(message)
    expect(bar).to_be_visible()  # still unsaved
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(processing_days(page)).to_have_value("1")


def test_saving_valid_settings_replans_the_queue(page, served):
    _, services = served
    before = stored_eta(services)
    processing_days(page).fill("4")
    page.locator("#settings-save-bar").get_by_role("button", name="Save").click()
    expect(page.locator("#settings-notice")).to_contain_text("Settings saved")
    expect(page.locator("#settings-save-bar")).to_be_hidden()
    assert services.queue.drain() >= 1  # the worker plans the shop again
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(processing_days(page)).to_have_value("4")
    expect(eta_cell(page)).not_to_contain_text(before)
    assert stored_eta(services) > before


def test_discard_puts_the_saved_settings_back(page, served):
    _, services = served
    processing_days(page).fill("7")
    page.get_by_label("Sat").uncheck()
    page.get_by_label("Same product type only").check()
    page.locator("#settings-save-bar").get_by_role("button", name="Discard").click()
    expect(page.locator("#settings-save-bar")).to_be_hidden()
    expect(processing_days(page)).to_have_value("1")
    expect(page.get_by_label("Sat")).to_be_checked()
    expect(page.get_by_label("Same product type only")).not_to_be_checked()
    assert services.admin.settings(SHOP)["policy"]["processing_days"] == 1


def test_inside_the_admin_the_save_bar_is_app_bridges(browser, served, request):
    """With App Bridge on the page (a stand-in here recording the calls), the page asks
    `shopify.saveBar` to show and hide its `ui-save-bar`, and confirms with `shopify.toast`."""
    from tests.browser.conftest import open_page

    def with_app_bridge(context):
        context.add_init_script("""
          window.calls = [];
          window.shopify = {
            saveBar: { show: async (id) => calls.push(["show", id]),
                       hide: async (id) => calls.push(["hide", id]) },
            toast: { show: (message) => calls.push(["toast", message]) },
          };""")

    pages = open_page(browser, served, request, prepare=with_app_bridge)
    opened = next(pages)
    processing_days(opened).fill("2")
    expect(opened.locator("#settings-save-bar")).to_be_hidden()  # App Bridge shows it, not the page
    opened.locator("#settings-save").dispatch_event("click")  # App Bridge's Save, in the admin
    expect(opened.locator("#settings-notice")).to_contain_text("Settings saved")
    calls = opened.evaluate("calls")
    assert ["show", "settings-save-bar"] in calls
    assert calls[-1] == ["toast", "Settings saved"]
    assert ["hide", "settings-save-bar"] in calls[calls.index(["show", "settings-save-bar"]):]
    next(pages, None)


def test_the_merchant_lets_customers_cancel_and_swap_from_the_settings(page, served):
    _, services = served
    page.get_by_label("Customers may cancel units still owed from their backorders page").check()
    page.get_by_label("Customers may swap units still owed for an offered alternative "
                      "costing no more").check()
    page.locator("#settings-save-bar").get_by_role("button", name="Save").click()
    expect(page.locator("#settings-notice")).to_contain_text("Settings saved")
    policy = services.admin.settings(SHOP)["policy"]
    assert (policy["customers_may_cancel"], policy["customers_may_swap"]) == (True, True)
    assert services.customer_actions.allowed(SHOP) == {"cancel_owed", "swap_owed"}


def test_the_merchant_turns_goodwill_and_refunds_on_and_sees_what_was_spent(page, served):
    _, services = served
    expect(page.locator("#goodwill-spent")).to_contain_text("0 code(s) given, 0.00 of 100.00 spent")
    page.get_by_label("Give a one-time code to customers whose order waited the waiting-long "
                      "days").check()
    page.get_by_label("Refund the units customers cancel (otherwise the refund is left to "
                      "staff)").check()
    page.get_by_label("Code gives").select_option("fixed_amount")
    page.get_by_label("Amount", exact=True).fill("7.5")
    page.get_by_label("Budget per month").fill("-1")
    page.locator("#settings-save-bar").get_by_role("button", name="Save").click()
    expect(page.locator("#settings-error")).to_contain_text("goodwill.budget_per_month")
    assert services.admin.settings(SHOP)["policy"]["goodwill"]["enabled"] is False

    page.get_by_label("Budget per month").fill("40")
    page.locator("#settings-save-bar").get_by_role("button", name="Save").click()
    expect(page.locator("#settings-notice")).to_contain_text("Settings saved")
    policy = services.admin.settings(SHOP)["policy"]
    assert policy["goodwill"] == {"enabled": True, "kind": "fixed_amount", "amount": "7.50",
                                  "cap_per_customer": 1, "budget_per_month": "40.00"}
    assert policy["refund_cancelled_units"] is True


def test_a_shop_expecting_many_restocks_sees_the_soonest_and_can_show_more(page, served, clock):
    _, services = served
    with services.db.transaction() as s:
        for n in range(130):
            s.add(RestockRow(id=f"r{n:03}", shop=SHOP, pool=pool_of("gid://shopify/ProductVariant/1"),
                             variant_id="gid://shopify/ProductVariant/1", quantity=1,
                             expected_on=clock().date() + timedelta(days=10 + n),
                             created_at=clock()))
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    rows = page.locator("#restock-rows tr")
    expect(rows).to_have_count(100)
    expect(page.locator("#restocks-shown")).to_have_text(
        "The 100 soonest of 130 expected restocks are shown.")
    page.get_by_role("button", name="Show more restocks").click()
    expect(rows).to_have_count(130)
    expect(page.locator("#restocks-more")).to_be_hidden()
