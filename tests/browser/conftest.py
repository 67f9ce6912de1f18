"""Browser fixtures: the app served on a local port with planned data from the in-memory platform,
and Debian's chromium driven by Playwright. Requests to the Shopify CDN are aborted so the page
runs offline, as it must without App Bridge. Each test leaves a screenshot in `screenshots/`."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.config import load_config
from tests.conftest import SHOP, unavailable
from tests.fakes import FakeGateway
from tests.integration.helpers import install, post_webhook
from tests.integration.test_backorder_flow import order_payload
from tests.integration.test_install import session_token

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
V1 = "gid://shopify/ProductVariant/1"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable(f"Debian's chromium is not installed at {CHROMIUM} "
                    "(./dev test installs it when run as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (./dev test installs it: pip install -e '.[test]')")

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def served(env, clock):
    """The app on 127.0.0.1 with one backordered line: order #1 wants 3 of a variant with 2 left."""
    platform = FakeGateway()
    platform.add_variant(V1, available=-1, sku="TEE-BLUE", product_title="Tee", title="Blue",
                         vendor="Acme", product_type="Shirts")
    yield from serve(env, clock, platform, [[(11, 1, 3)]])


@pytest.fixture
def served_queue(env, clock):
    """A busier shop: blue tees (variant 1) and red tees (variant 2) sold out, caps (variant 3)
    and green tees (variant 4, the tees' alternative) in stock. Orders #1 two blue, #2 one red, #3 one blue, #4 one blue and one red, #5 a cap."""
    platform = FakeGateway()
    platform.add_variant(V1, available=-4, sku="TEE-BLUE", product_title="Tee", title="Blue",
                         vendor="Acme", product_type="Shirts")
    platform.add_variant("gid://shopify/ProductVariant/2", available=-2, sku="TEE-RED",
                         product_title="Tee", title="Red", vendor="Acme", product_type="Shirts")
    platform.add_variant("gid://shopify/ProductVariant/3", available=9, sku="CAP-1",
                         product_title="Cap", title="Default", vendor="Acme", product_type="Hats",
                         product_id="gid://shopify/Product/2")
    platform.add_variant("gid://shopify/ProductVariant/4", available=6, sku="TEE-GREEN",
                         product_title="Tee", title="Green", vendor="Acme", product_type="Shirts")
    yield from serve(env, clock, platform, [[(11, 1, 2)], [(21, 2, 1)], [(31, 1, 1)],
                                            [(41, 1, 1), (42, 2, 1)], [(51, 3, 1)]])


# The customers of orders #1, #2, ... as the order webhook names them.
CUSTOMERS = [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing"),
             ("Katherine", "Johnson"), ("Edsger", "Dijkstra")]


def serve(env, clock, platform, orders):
    """The app on a local port, the orders (lines of (line, variant, quantity)) planned."""
    app = create_app(load_config(env), clock=clock, migrate=False, gateway=platform)
    services = app.extensions["backorders"]
    services.queue.huey.flush()
    install(services)
    client = app.test_client()
    for number, lines in enumerate(orders, start=1):
        first, last = CUSTOMERS[(number - 1) % len(CUSTOMERS)]
        post_webhook(client, "orders/create", {
            **order_payload(number, lines, minute=number),
            "customer": {"id": 900 + number, "first_name": first, "last_name": last,
                         "email": f"{first.lower()}@example.com"}})
    services.queue.drain()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", services
    server.shutdown()
    thread.join(timeout=5)
    services.queue.huey.flush()
    services.close()


@pytest.fixture
def page(browser, served, request):
    """The embedded page as Shopify opens it (shop + id_token), loaded and filled."""
    yield from open_page(browser, served, request)


@pytest.fixture
def queue_page(browser, served_queue, request):
    yield from open_page(browser, served_queue, request)


def open_page(browser, served, request, prepare=None):
    """`prepare(context)` may set the browser context up before the page opens."""
    base, _services = served
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("https://cdn.shopify.com/**", lambda route: route.abort())
    if prepare:
        prepare(context)
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    opened.goto(f"{base}/?shop={SHOP}&id_token={session_token(exp_in=600)}")
    opened.wait_for_selector("body[data-ready='1']")
    yield opened
    SCREENSHOTS.mkdir(exist_ok=True)
    opened.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
