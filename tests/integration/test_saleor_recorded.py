"""Payloads recorded from a real Saleor (see fixtures/saleor/payloads/SOURCE.md), replayed through
the app: the suite covers the adapter on Saleor's real bodies even without the live tier."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import responses
from sqlalchemy import select

from app.storage.tables import OrderLine
from tests.saleor_edge import API, SaleorEdge, register
from tests.saleor_keys import sign

RECORDED = Path(__file__).parent.parent / "fixtures" / "saleor" / "payloads"


def replay(client, event: str):
    body = (RECORDED / f"{event}.json").read_bytes()
    answer = client.post("/saleor/webhooks", data=body, headers={
        "Saleor-Api-Url": API, "Saleor-Event": event, "Saleor-Signature": sign(body)})
    assert answer.status_code == 200 and answer.json["status"] == "accepted", answer.json


def line(services) -> tuple[int, int, int]:
    with services.db.transaction() as s:
        row = s.scalars(select(OrderLine).where(OrderLine.shop == API)).one()
        return row.open_quantity, row.covered, row.backordered


def test_recorded_order_is_backordered_then_filled_by_the_recorded_stock_update(client, services,
                                                                              clock):
    issued = [json.loads(path.read_text())["issuedAt"] for path in RECORDED.glob("*.json")]
    clock.now = max(datetime.fromisoformat(i) for i in issued) + timedelta(seconds=10)
    order = json.loads((RECORDED / "order_created.json").read_text())["order"]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        edge = SaleorEdge(rsps)
        register(client)
        replay(client, "order_created")
        replay(client, "order_confirmed")
        services.queue.drain()
        assert line(services) == (3, 1, 2)  # one unit on the shelf, two sold past zero
        assert edge.metadata[order["id"]]["backorders.status"] == "partially_ready"
        stock = json.loads((RECORDED / "product_variant_stock_updated.json").read_text())
        edge.variants[stock["productVariant"]["id"]] = stock["productVariant"]
        # The stock set to 4, in the second of the order's own reading of 1: which came last is
        # read from Saleor.
        replay(client, "product_variant_stock_updated")
        services.queue.drain()
        assert line(services) == (3, 3, 0)
        assert edge.metadata[order["id"]]["backorders.status"] == "ready"
