"""A far-future restock date is refused with 422 naming the field; a pool that already holds one
(entered before the horizon existed) still plans its orders."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.services.mirror import pool_of
from app.storage.tables import OrderLine, RestockRow, WebhookReceipt
from tests.conftest import SHOP
from tests.integration.helpers import post_webhook
from tests.integration.test_backorder_flow import V1, order_payload
from tests.integration.test_install import session_token


def restocks(services) -> int:
    with services.db.transaction() as s:
        return len(list(s.scalars(select(RestockRow.id))))


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_restock_dated_9999_12_31_is_422_naming_the_field(flow, method):
    client, services = flow
    services.onboarding.setup(SHOP)  # the catalog, so the variant is known
    auth = {"Authorization": f"Bearer {session_token()}"}
    created = client.post("/api/restocks", headers=auth, json={
        "variant_id": V1, "quantity": 2, "expected_date": "2026-12-01"})
    assert created.status_code == 201
    path = "/api/restocks" if method == "POST" else f"/api/restocks/{created.json['id']}"
    body = {"expected_date": "9999-12-31"}
    if method == "POST":
        body.update(variant_id=V1, quantity=2)
    response = client.open(path, method=method, headers=auth, json=body)
    assert response.status_code == 422 and response.json["field"] == "expected_date"
    assert restocks(services) == 1


def test_a_csv_row_dated_9999_12_31_imports_nothing(flow):
    client, services = flow
    services.onboarding.setup(SHOP)
    response = client.post(
        "/api/restocks/import", data="variant_id,quantity,expected_date\n1,2,9999-12-31\n",
        content_type="text/csv", headers={"Authorization": f"Bearer {session_token()}"})
    assert response.status_code == 422 and response.json["errors"][0]["line"] == 2
    assert "days ahead" in response.json["errors"][0]["message"]
    assert restocks(services) == 0


def test_orders_still_plan_on_a_pool_holding_a_restock_at_the_end_of_time(flow):
    client, services = flow
    with services.db.transaction() as s:
        s.add(RestockRow(id="old", shop=SHOP, pool=pool_of(V1), variant_id=V1, quantity=1,
                         expected_on=date.max, created_at=datetime(2026, 1, 1, tzinfo=UTC)))
    for number in (1, 2):
        post_webhook(client, "orders/create", order_payload(number, [(number * 10 + 1, 1, 1)]))
    services.queue.drain()
    with services.db.transaction() as s:
        assert all(r.processed_at for r in s.scalars(select(WebhookReceipt)))
        waiting = [r.eta for r in s.scalars(select(OrderLine).where(OrderLine.backordered > 0))]
    assert waiting == [date.max]  # the restock's date, held at the end of the calendar
