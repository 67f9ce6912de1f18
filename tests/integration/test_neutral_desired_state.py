"""Stored sync state moves to the neutral field names and back: an order synced before keeps
what it was shown, so the next sync sends nothing that did not change."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData, Table, insert, select

from app.domain.writeback import DesiredState
from app.services.sync import needs_read
from app.storage.db import make_engine
from app.storage.migrate import downgrade, upgrade

OLD = {"tags": ["backordered"], "holds": {"L1": 2}, "hold_note": "Backordered",
       "metafields": {"status": ["single_line_text_field", "waiting"],
                      "eta": ["date", "2026-12-01"]}}


def test_stored_metafields_become_fields_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url, "0008")
    engine = make_engine(url)
    table = Table("order_sync", MetaData(), autoload_with=engine)  # as it was at 0008
    with engine.begin() as conn:
        conn.execute(insert(table).values(
            shop="s.myshopify.com", order_id="O1", desired=OLD, applied=OLD, pending=False,
            version=1, attempts=0, updated_at=datetime(2026, 11, 20, tzinfo=UTC),
            awaiting_fulfillment_orders=False))
    upgrade(url)
    with engine.begin() as conn:
        desired, applied = conn.execute(select(table.c.desired, table.c.applied)).one()
    state = DesiredState.from_dict(desired)
    assert state.fields == {"status": "waiting", "eta": "2026-12-01"}
    assert state.tags == ("backordered",) and state.held() == {"L1": 2}
    assert not needs_read(state, applied)  # nothing moved: no read, and no field resent
    downgrade(url, "0008")
    with engine.begin() as conn:
        assert conn.execute(select(table.c.desired)).scalar_one() == OLD
    engine.dispose()
