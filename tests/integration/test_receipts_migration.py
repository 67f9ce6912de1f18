"""Receipts recorded before intake stopped queueing jobs itself already had their job queued:
the migration marks them taken, so no worker queues them a second time."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData, Table, insert, select

from app.storage.db import make_engine
from app.storage.migrate import downgrade, upgrade


def test_receipts_of_before_count_as_taken(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url, "0011")
    engine = make_engine(url)
    table = Table("webhook_receipts", MetaData(), autoload_with=engine)  # as it was at 0011
    with engine.begin() as conn:
        conn.execute(insert(table).values(
            webhook_id="w1", event_id="e1", topic="orders/create", shop="s.myshopify.com",
            received_at=datetime(2026, 11, 20, 12, tzinfo=UTC), payload="{}"))
    upgrade(url)
    table = Table("webhook_receipts", MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        queued_at, received_at = conn.execute(select(table.c.queued_at, table.c.received_at)).one()
    assert queued_at is not None and queued_at == received_at
    downgrade(url, "0011")
    engine.dispose()
