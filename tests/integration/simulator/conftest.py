"""The app against the store simulator: the real Admin GraphQL client and Shopify gateway over
HTTP, webhooks delivered by the simulator to the app, jobs run in-process with `Queue.drain()`.

The simulator and the app share one manual clock, so token expiry and timestamps agree."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app import create_app
from app.config import load_config
from devstore import DevStore, ManualClock
from devstore.clock import SystemClock
from devstore.webhooks import wsgi_transport
from tests.conftest import API_KEY, API_SECRET

SHOP = "sim-shop.myshopify.com"
EXTENSIONS = Path(__file__).parents[3] / "extensions"  # the app's trigger extensions


class Harness:
    """One shop in the simulator with the app installed in it, and the ways tests drive both."""

    def __init__(self, store: DevStore, flask_app, sim_clock: ManualClock, shop: str):
        self.shop = shop
        self.store = store
        self.app = flask_app
        self.services = flask_app.extensions["backorders"]
        self.sim_clock = sim_clock
        self.web = flask_app.test_client()
        self.variants = sorted(store.shop(shop).variants)
        self._send = store.webhooks.transport
        store.webhooks.transport = self._transport
        self._holding: set[str] = set()
        self._late: list[tuple[str, dict, bytes]] = []

    def _transport(self, url: str, headers: dict, body: bytes) -> int:
        """Delivers, or keeps the delivery back, late, when its topic is being held. Shopify
        delivers each webhook on its own: one may come long after the next."""
        if headers.get("X-Shopify-Topic") in self._holding:
            self._late.append((url, headers, body))
            return 200
        return self._send(url, headers, body)

    def install(self) -> None:
        self.store.install(self.shop)
        response = self.web.get("/", query_string={
            "shop": self.shop, "host": "c2ltLXNob3A", "embedded": "1",
            "id_token": self.store.session_token(self.shop)})
        assert response.status_code == 200, response.get_data(as_text=True)
        self.settle()

    def enable_workflows(self) -> None:
        """The merchant turns on a Flow workflow for each of the app's triggers: Flow tells the
        app, which from then on fires them."""
        for handle in self.store.core.flow_triggers:
            assert self.store.set_workflow(self.shop, handle), handle

    def oversell(self, index: int, available: int) -> int:
        """A variant that keeps selling past zero, with `available` units in stock."""
        variant = self.variants[index]
        self.store.set_inventory_policy(self.shop, variant, "CONTINUE")
        self.store.set_stock(self.shop, variant, available)
        return variant

    def sell(self, *lines: tuple[int, int]) -> int:
        self.tick()
        return self.store.place_order(self.shop, list(lines))["id"]

    def receive(self, variant: int, quantity: int) -> None:
        self.tick()
        self.store.receive_stock(self.shop, variant, quantity)

    def cancel(self, order_id: int) -> None:
        self.tick()
        self.store.cancel_order(self.shop, order_id)

    def tick(self, seconds: float = 2) -> None:
        """Time passes between events, as it does in a store (timestamps have whole seconds).
        On the wall clock, time passes by itself."""
        if isinstance(self.sim_clock, ManualClock):
            self.sim_clock.advance(seconds)

    def settle(self, rounds: int = 50, hold: Iterable[str] = ()) -> None:
        """Deliver every webhook and run every ready job until nothing is left to do. Deliveries
        of the topics in `hold` are kept back, late; a later `settle` that does not hold their
        topic delivers them first, in the order they were made."""
        self._holding = set(hold)
        late, self._late = self._late, []
        for url, headers, body in late:
            status = self._transport(url, headers, body)
            assert 200 <= status < 300, (headers["X-Shopify-Topic"], status)
        try:
            for _ in range(rounds):
                self.store.drain_webhooks()
                if not self.services.queue.drain() and not self.store.webhooks.pending():
                    return
            raise AssertionError("the app did not settle")
        finally:
            self._holding = set()

    def sync(self):
        return self.services.sync.run(self.shop)

    def order(self, order_id: int) -> dict:
        return self.store.order_state(self.shop, order_id)

    def held(self, order_id: int) -> dict[int, int]:
        """Units held by the app's holds, by order line item id."""
        held: dict[int, int] = {}
        for fo in self.order(order_id)["fulfillment_orders"]:
            if any(h["by_app"] for h in fo["holds"]):
                for line in fo["lines"]:
                    if line["remaining"]:
                        held[line["line_item_id"]] = held.get(line["line_item_id"], 0) + line["remaining"]
        return held

    def metafields(self, order_id: int) -> dict[str, str]:
        return {m["key"]: m["value"] for m in self.order(order_id)["metafields"]}

    def platform_view(self) -> list[dict]:
        """What the store shows for every order, in a form two runs can be compared by: tags,
        our metafields, the units held per line, and how many of our holds each held
        fulfillment order carries. How fulfillment orders were split is left out: a hold that
        was placed and released again leaves its split behind (the platform never merges). Nor
        is the detail of an order that owes nothing: one run may have shown it waiting for a
        moment (deliveries arrive in another order), and then it says "ready" with details."""
        view = []
        for order in self.store.state(self.shop)["orders"]:
            held = [sum(h["by_app"] for h in fo["holds"]) for fo in order["fulfillment_orders"]
                    if fo["holds"]]
            metafields = self.metafields(order["id"])
            if not order["tags"] and not held:  # nothing owed: only "not waiting" must hold
                metafields = {"status": metafields.get("status", "ready")}
            view.append({"name": order["name"], "tags": sorted(order["tags"]),
                         "metafields": metafields,
                         "held": self.held(order["id"]), "holds_per_held_fo": held})
        return view


def open_harness(env: dict, shop: str = SHOP, real_clock: bool = False,
                 locations: tuple[str, ...] = ("Warehouse",)) -> Harness:
    """A fresh simulator with `shop` seeded, served over HTTP, and the app installed in it. With
    `real_clock`, both run on the wall clock: events share seconds, as in a real store."""
    sim_clock = SystemClock() if real_clock else ManualClock(
        start=datetime.now(UTC).replace(microsecond=0))
    store = DevStore(app_url="https://backorders.test", api_key=API_KEY, api_secret=API_SECRET,
                     clock=sim_clock, threaded_webhooks=False)
    store.register_flow_triggers(EXTENSIONS)  # as a deploy of the app would
    store.create_shop(shop, name="Simulated Shop", locations=list(locations))
    store.seed_catalog(shop, "apparel")
    url, stop_store = store.serve()
    config = load_config({**env, "SHOPIFY_ADMIN_ORIGIN": store.admin_origin(url)})
    flask_app = create_app(config, clock=lambda: datetime.fromtimestamp(sim_clock.now(), UTC),
                           migrate=False)
    services = flask_app.extensions["backorders"]
    services.queue.huey.flush()
    store.webhooks.transport = wsgi_transport(flask_app.test_client())
    harness = Harness(store, flask_app, sim_clock, shop)

    def close() -> None:
        services.queue.huey.flush()
        services.close()
        stop_store()

    harness.close = close
    harness.install()
    return harness


@pytest.fixture
def harnesses(env):
    """Opens harnesses on demand (one shop each, so they share the test database); closes them."""
    opened: list[Harness] = []

    def open_one(shop: str = SHOP, **options) -> Harness:
        opened.append(open_harness(env, shop, **options))
        return opened[-1]

    yield open_one
    for harness in opened:
        harness.close()


@pytest.fixture
def harness(harnesses) -> Harness:
    return harnesses()
