"""The demo's printed URL: the app framed in the simulator's local admin, as a merchant meets it,
calling its API with session tokens it asks for, not the one it was opened with (that one
expires after a minute)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from app.config import load_config
from app.demo import Demo
from tests.browser.conftest import SCREENSHOTS


def test_the_framed_app_asks_the_local_admin_for_fresh_tokens(browser, env):
    demo = Demo(load_config({**env, "APP_ENV": "production"}), orders=12, seed=7,
                echo=lambda *_: None)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        demo.run()
        sent: list[str] = []
        context.on("request", lambda r: sent.append(r.headers.get("authorization", ""))
                   if "/api/" in r.url else None)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(demo.admin_url())
        app = page.frame_locator("#app")
        app.locator("body[data-ready='1']").wait_for()
        app.get_by_label("Status").select_option("all")  # the arrival may have filled them all
        expect(app.locator("#queue-rows s-table-row").first).to_be_visible()
        launch = parse_qs(urlsplit(page.locator("#app").get_attribute("src")).query)["id_token"][0]
        assert sent and all(value.startswith("Bearer ") for value in sent)
        assert f"Bearer {launch}" not in sent  # every call asked shopify.idToken() first
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "local_admin.png"), full_page=True)
    finally:
        context.close()
        demo.close()
