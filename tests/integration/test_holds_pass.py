"""The holds pass and an order re-planned while its holds are written: in a busy pool an order's
desired state is rewritten again and again (its alternatives, its ETA) while its holds stay."""

from __future__ import annotations

import pytest

from app.services.sync import Sync
from app.storage import plans as plan_store
from app.storage.tables import OrderSync
from tests.conftest import SHOP
from tests.fakes import FakeGateway

ORDER = "gid://shopify/Order/1"


def waiting(holds: dict[str, int], eta: str) -> dict:
    return {"tags": ["backordered"], "fields": {"status": "waiting", "eta": eta},
            "holds": holds, "hold_note": "Backordered"}


@pytest.mark.parametrize(("replanned", "reads"), [({"L1": 2}, 1), ({"L1": 3}, 2)])
def test_a_newer_state_holding_the_same_units_is_not_read_again(services, clock,
                                                                 replanned, reads):
    """Placed for the version read, the holds are placed for a newer one asking the same units;
    a newer one asking others keeps its holds due, and they are placed."""
    platform = FakeGateway()
    platform.route(ORDER, {"L1": 3})
    with services.db.transaction() as s:
        s.add(OrderSync(shop=SHOP, order_id=ORDER, pending=True, holds_due=True, version=1,
                        updated_at=clock(), applied={}, desired=waiting({"L1": 2}, "2026-12-20")))

    def replan(changes) -> None:
        platform.after_apply = None
        with services.db.transaction() as s:
            plan_store.set_desired(s, SHOP, {ORDER: waiting(replanned, "2026-12-22")},
                                   plan_store.lock_syncs(s, SHOP, [ORDER]),
                                   {ORDER} if replanned != {"L1": 2} else set(), clock())

    platform.after_apply = replan
    Sync(services.db, platform, clock).run(SHOP)

    assert platform.held(ORDER) == replanned
    assert platform.calls.count("order_states") == reads


def test_holds_back_to_those_the_store_shows_are_not_read(services, clock):
    """A unit taken from the order and given back within moments leaves its holds due, as they
    were before: the store already shows them, so there is nothing to read or place."""
    platform = FakeGateway()
    platform.route(ORDER, {"L1": 3})
    shown = waiting({"L1": 2}, "2026-12-20")
    with services.db.transaction() as s:
        s.add(OrderSync(shop=SHOP, order_id=ORDER, pending=True, holds_due=True, version=3,
                        updated_at=clock(), applied=shown,
                        desired=waiting({"L1": 2}, "2026-12-22")))

    Sync(services.db, platform, clock).run(SHOP)

    assert "order_states" not in platform.calls
    with services.db.transaction() as s:
        row = s.get(OrderSync, (SHOP, ORDER))
        assert not row.holds_due and not row.pending
        assert row.applied["fields"]["eta"] == "2026-12-22"
