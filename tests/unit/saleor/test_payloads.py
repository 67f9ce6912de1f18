"""Saleor payloads into the app's types: which lines wait, what they owe, what stock they see."""

from __future__ import annotations

import pytest

from app.domain.errors import InvalidInput
from app.platforms.saleor.payloads import parse_order_event, parse_stock_event, variant_info
from tests.integration.test_saleor_flow import VARIANT, WAREHOUSE, order_event, stock_event

AT = "2026-11-20T10:00:00+00:00"


def test_an_untracked_line_owes_what_is_left_to_fulfil_and_brings_its_stock():
    order, seen = parse_order_event(order_event(7, 5, 2, AT, fulfilled=1))
    (line,) = order.lines
    assert (line.variant_id, line.open_quantity, line.shipped) == (VARIANT, 4, 1)
    assert order.name == "#7" and order.number == 7
    (info,) = seen.variants
    assert info.tracked and info.counts_orders is False and info.inventory_item_id == VARIANT
    (reading,) = seen.readings
    assert (reading.location_id, reading.available) == (WAREHOUSE, 2)


@pytest.mark.parametrize("status", ["CANCELED", "EXPIRED"])
def test_a_closed_order_owes_nothing(status):
    order, _ = parse_order_event(order_event(7, 5, 2, AT, status=status))
    assert order.lines[0].open_quantity == 0
    assert (order.cancelled_at is not None) == (status == "CANCELED")


def test_a_tracked_line_is_planned_on_what_is_left_to_sell():
    order, seen = parse_order_event(order_event(7, 5, 5, AT, track=True, allocated=5))
    assert order.lines[0].open_quantity == 5
    assert seen.variants[0].counts_orders and seen.readings[0].available == 0


def test_a_tracked_variants_stock_is_what_is_left_to_sell_below_zero_when_overcommitted():
    seen = parse_stock_event(stock_event(5, AT, track=True, allocated=2))
    assert seen.readings[0].available == 3  # an in-stock alternative for others
    assert parse_stock_event(stock_event(3, AT, track=True, allocated=4)).readings[0].available == -1
    untracked = parse_stock_event(stock_event(5, AT))
    assert untracked.readings[0].available == 5 and untracked.variants[0].counts_orders is False


def test_a_catalog_variant_brings_its_price_type_and_groups():
    node = dict(stock_event(1, AT)["productVariant"], name="Blue",
                channelListings=[{"price": {"amount": 12.5}}])
    node["product"] = dict(node["product"], productType={"id": "PT1", "name": "Mugs"},
                           category={"id": "C1", "name": "Kitchen"}, collections=[{"id": "K1"}])
    info = variant_info(node)
    assert (info.price, info.product_type, info.collections) == ("12.5", "Mugs", ("K1", "C1"))


@pytest.mark.parametrize("payload", [{}, {"order": {}}, {"order": "x"}])
def test_an_order_event_without_an_order_is_refused(payload):
    with pytest.raises(InvalidInput):
        parse_order_event(payload)


def test_a_stock_event_without_a_variant_or_time_is_refused():
    with pytest.raises(InvalidInput):
        parse_stock_event({"issuedAt": AT})
    payload = stock_event(3, AT)
    del payload["issuedAt"]
    with pytest.raises(InvalidInput):
        parse_stock_event(payload)
