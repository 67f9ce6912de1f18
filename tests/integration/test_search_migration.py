"""Migration 0020 indexes the orders and lines already stored for the queue's search (on SQLite
its trigram tables are built from them), and goes back down and up again."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData, Table, insert
from sqlalchemy.orm import Session

from app.storage import insights
from app.storage.db import make_engine
from app.storage.migrate import downgrade, upgrade

SHOP = "s.myshopify.com"
AT = datetime(2026, 11, 20, 12, tzinfo=UTC)


def search(engine, term: str) -> list[str]:
    with Session(engine) as s:
        _, rows = insights.queue_page(s, SHOP, status="waiting", search=term, variant_id="",
                                      short_by=None, priority="", keys=("line_id",),
                                      descending=False, limit=10)
    return [row[0].line_id for row in rows]


def test_orders_stored_before_the_search_index_are_found(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url, "0019")
    engine = make_engine(url)
    orders = Table("orders", MetaData(), autoload_with=engine)  # as they were at 0019
    lines = Table("order_lines", MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        conn.execute(insert(orders).values(
            shop=SHOP, order_id="o1", name="#1001", number=1001, created_at=AT, updated_at=AT,
            customer_id="77", customer_tags=[], customer_name="Ada Lovelace",
            customer_email="ada@example.com"))
        conn.execute(insert(lines).values(
            shop=SHOP, line_id="l1", order_id="o1", variant_id="v1", pool="v1@*",
            title="Analytical Engine", open_quantity=1, ordered_at=AT, manual_priority=0,
            covered=0, backordered=1, alternatives=[], eta_slipped=False, told_ready=0,
            told_quantity=0))
    upgrade(url)
    assert search(engine, "lovelace") == ["l1"]
    assert search(engine, "ical eng") == ["l1"]
    assert search(engine, "babbage") == []
    downgrade(url, "0019")
    upgrade(url)
    assert search(engine, "ada@exa") == ["l1"]
    engine.dispose()
