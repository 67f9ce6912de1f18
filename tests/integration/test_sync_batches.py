"""How many orders one pass of the sync writes together: a few at a time, so the first writes
are not held back by the reads of the rest; a backlog all together, so that it can go in bulk."""

from __future__ import annotations

from app.services.sync import Sync
from app.storage.tables import OrderSync
from tests.conftest import SHOP
from tests.fakes import FakeGateway


class BatchRecorder(FakeGateway):
    def __init__(self):
        super().__init__()
        self.batches: list[int] = []

    def apply(self, shop, changes):
        self.batches.append(len(changes))
        return super().apply(shop, changes)


def pending_field_writes(services, clock, count: int) -> None:
    """Orders whose status field changed and nothing else: written without a read."""
    with services.db.transaction() as s:
        for n in range(count):
            s.add(OrderSync(shop=SHOP, order_id=f"gid://shopify/Order/{n}", pending=True,
                            desired={"tags": [], "fields": {"status": "ready"}, "holds": {}},
                            applied={"tags": [], "fields": {}, "holds": {}}, version=1,
                            updated_at=clock()))


def test_a_few_pending_orders_go_a_small_batch_at_a_time(services, clock):
    platform = BatchRecorder()
    pending_field_writes(services, clock, 4)

    Sync(services.db, platform, clock, batch=2, backlog_batch=5).run(SHOP)

    assert platform.batches == [2, 2]


def test_a_backlog_goes_together(services, clock):
    platform = BatchRecorder()
    pending_field_writes(services, clock, 7)

    Sync(services.db, platform, clock, batch=2, backlog_batch=5).run(SHOP)

    assert platform.batches == [5, 2]
