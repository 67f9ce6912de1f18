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


def test_while_the_platform_is_busy_holds_go_and_the_rest_waits(services, clock):
    """A burst keeps the platform's rate limit for holds: the sync places them at once, and
    looks again every half second (for new holds first) before it sends what only describes."""
    platform = BatchRecorder()
    platform.route("gid://shopify/Order/held", {"L1": 2})
    pending_field_writes(services, clock, 2)
    with services.db.transaction() as s:
        s.add(OrderSync(shop=SHOP, order_id="gid://shopify/Order/held", pending=True,
                        holds_due=True, version=1, updated_at=clock(), applied={},
                        desired={"tags": ["backordered"], "fields": {"status": "waiting"},
                                 "holds": {"L1": 2}, "hold_note": "Backordered"}))
    platform.busy = [3.0, 0.2]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        platform.calls.append("slept")

    Sync(services.db, platform, clock, batch=5, sleep=sleep).run(SHOP)

    assert platform.held("gid://shopify/Order/held") == {"L1": 2}
    calls = [c for c in platform.calls if c in ("apply", "busy_for", "slept")]
    assert calls[:6] == ["apply", "busy_for", "slept", "busy_for", "slept", "busy_for"]
    assert calls[6:] == ["apply"]  # the fields and the tag, once nothing waits for the points
    assert slept == [0.5, 0.2]


def test_writes_that_can_wait_keep_room_for_the_holds_still_settling(services, clock):
    """An order whose plan is still settling will need the platform's rate limit for its holds
    in a moment: the sync says so when it asks whether the rest may go."""
    platform = BatchRecorder()
    pending_field_writes(services, clock, 1)
    clock.advance(seconds=2)
    with services.db.transaction() as s:
        s.add(OrderSync(shop=SHOP, order_id="gid://shopify/Order/settling", pending=True,
                        holds_due=True, version=1, updated_at=clock(), applied={},
                        desired={"tags": ["backordered"], "fields": {"status": "waiting"},
                                 "holds": {"L1": 2}, "hold_note": "Backordered"}))

    Sync(services.db, platform, clock, settle_s=2.0).run(SHOP)

    assert platform.holds_coming == [1]
    assert platform.batches == [1]  # the field write went; the settling order waits its turn
