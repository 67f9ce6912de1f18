"""Times a plan writes are stored as every other write stores them: SQLite keeps times as text
and compares them as text, so two forms of one instant sort and compare wrongly."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.integration.helpers import post_webhook
from tests.integration.test_backorder_flow import order_payload


def test_the_time_a_line_went_short_has_the_form_of_the_orders_time(flow):
    client, services = flow
    if services.db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL keeps times as timestamps: there is no text form to differ")
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    services.queue.drain()
    with services.db.transaction() as s:
        short_at, created_at = s.execute(text(
            "SELECT l.backordered_at, o.created_at FROM order_lines l JOIN orders o "
            "ON o.shop = l.shop AND o.order_id = l.order_id")).one()
    assert short_at is not None
    assert len(short_at) == len(created_at) and short_at[10] == created_at[10]
    assert "+" not in short_at
