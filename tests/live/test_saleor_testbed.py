"""The Saleor test bed itself, and the Saleor behaviour the backorder app relies on.

Each test would fail if the test bed were broken: no staff token, a channel where staff orders
cannot be completed, variants that do not sell past zero, a stock update that does not land, an
app that cannot be installed or receives no webhooks."""

from __future__ import annotations

import uuid

import pytest

from testbed.saleor import AppInstallError, GraphQLError
from testbed.stub_app import StubApp

pytestmark = pytest.mark.live

STOCK_EVENTS = ["PRODUCT_VARIANT_STOCK_UPDATED", "PRODUCT_VARIANT_BACK_IN_STOCK",
                "PRODUCT_VARIANT_OUT_OF_STOCK"]


def sku(prefix: str = "SKU") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_staff_token_works(saleor):
    me = saleor.graphql("{ me { email isStaff } }")["me"]
    assert me == {"email": "admin@example.com", "isStaff": True}
    assert saleor.graphql("{ me { email } }", token="")["me"] is None


def test_graphql_raises_on_errors(saleor):
    with pytest.raises(GraphQLError, match="Cannot query field"):
        saleor.graphql("{ noSuchField }")
    with pytest.raises(GraphQLError, match="productVariantStocksUpdate"):  # a mutation's errors
        saleor.set_stock("UHJvZHVjdFZhcmlhbnQ6OTk5OTk5", "V2FyZWhvdXNlOjE=", 1)


def test_untracked_variant_sells_past_zero_without_allocations(saleor, saleor_store):
    product = saleor.create_product(saleor_store, "Untracked", {(code := sku()): 1})
    variant = product.variants[code]

    order = saleor.order(saleor.place_order(saleor_store, [(variant, 3)]))

    assert order["status"] == "UNFULFILLED"  # the channel confirms staff orders at once
    [line] = order["lines"]
    assert line["quantity"] == 3
    assert line["variant"]["trackInventory"] is False
    assert line["allocations"] == []
    stock = saleor.stocks(variant)[saleor_store.warehouse_id]
    assert (stock["quantity"], stock["quantityAllocated"]) == (1, 0)  # the app's to compare


def test_tracked_variant_refuses_to_oversell(saleor, saleor_store):
    product = saleor.create_product(saleor_store, "Tracked", {(code := sku()): 1},
                                    track_inventory=True)
    variant = product.variants[code]

    with pytest.raises(GraphQLError, match="INSUFFICIENT_STOCK"):
        saleor.place_order(saleor_store, [(variant, 3)])

    order = saleor.order(saleor.place_order(saleor_store, [(variant, 1)]))
    assert order["lines"][0]["allocations"][0]["quantity"] == 1
    assert saleor.stocks(variant)[saleor_store.warehouse_id]["quantityAllocated"] == 1


def test_stock_update_changes_stock_quantity(saleor, saleor_store):
    product = saleor.create_product(saleor_store, "Restocked", {(code := sku()): 1})
    variant = product.variants[code]

    saleor.set_stock(variant, saleor_store.warehouse_id, 7)

    assert saleor.stocks(variant)[saleor_store.warehouse_id]["quantity"] == 7


def test_fulfilling_changes_stock_only_of_tracked_variants(saleor, saleor_store):
    untracked = saleor.create_product(saleor_store, "Untracked shipped", {(u := sku()): 5})
    tracked = saleor.create_product(saleor_store, "Tracked shipped", {(t := sku()): 5},
                                    track_inventory=True)
    order_id = saleor.place_order(saleor_store, [(untracked.variants[u], 2),
                                                 (tracked.variants[t], 2)])

    assert saleor.fulfill_order(order_id, saleor_store.warehouse_id)

    assert saleor.order(order_id)["status"] == "FULFILLED"
    wh = saleor_store.warehouse_id
    assert saleor.stocks(untracked.variants[u])[wh]["quantity"] == 5  # untouched
    after = saleor.stocks(tracked.variants[t])[wh]
    assert (after["quantity"], after["quantityAllocated"]) == (3, 0)


def test_install_app_and_its_webhooks(saleor, saleor_store):
    with StubApp(events=[*STOCK_EVENTS, "ORDER_CREATED"],
                 identifier=f"com.example.stub-{uuid.uuid4().hex[:6]}") as app:
        installed = saleor.install_app(app.manifest_url, ["MANAGE_PRODUCTS", "MANAGE_ORDERS"],
                                       app_name="Test bed stub")

        assert installed["status"] == "SUCCESS"
        assert installed["app_id"] == app.app_id  # the register endpoint got a working token
        assert app.api_url == saleor.api_url
        assert saleor.graphql("{ app { id } }", token=app.token)["app"]["id"] == app.app_id

        product = saleor.create_product(saleor_store, "Watched", {(code := sku()): 0})
        variant = product.variants[code]
        app.clear()

        # Stock changes of an untracked variant fire the stock events all the same.
        saleor.set_stock(variant, saleor_store.warehouse_id, 4)
        [updated] = app.wait_for("PRODUCT_VARIANT_STOCK_UPDATED")
        assert updated.payload["productVariant"]["id"] == variant
        assert updated.payload["productVariant"]["trackInventory"] is False
        assert updated.payload["productVariant"]["stocks"][0]["quantity"] == 4
        assert updated.headers.get("Saleor-Signature")  # JWS, the app has no secret key
        assert len(app.wait_for("PRODUCT_VARIANT_BACK_IN_STOCK")) == 1
        saleor.set_stock(variant, saleor_store.warehouse_id, 0)
        assert len(app.wait_for("PRODUCT_VARIANT_OUT_OF_STOCK")) == 1

        # An order of an untracked variant: ORDER_CREATED, a line without allocations, and no
        # stock event (nothing was allocated).
        app.clear()
        order_id = saleor.place_order(saleor_store, [(variant, 2)])
        [created] = app.wait_for("ORDER_CREATED")
        assert created.payload["order"]["id"] == order_id
        assert created.payload["order"]["lines"][0]["allocations"] == []
        assert not any(app.deliveries_of(event) for event in STOCK_EVENTS)


def test_install_app_surfaces_saleor_message(saleor):
    with StubApp(events=[]) as app:
        manifest_url = f"{app.url}/no-such-manifest"
        with pytest.raises(AppInstallError, match=r"\(404\)"):
            saleor.install_app(manifest_url, ["MANAGE_PRODUCTS"], app_name="Broken")
