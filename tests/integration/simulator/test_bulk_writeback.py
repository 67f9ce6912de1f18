"""A backlog of writes goes as bulk mutations: the store ends as the paced path would leave it,
and the bucket pays only for starting the operations."""

from __future__ import annotations

from datetime import UTC, datetime

from app.services.sync import Sync

from .conftest import open_harness


def test_a_backlog_is_written_in_bulk_and_the_store_shows_it(env):
    harness = open_harness({**env, "SHOPIFY_BULK_AFTER_SECONDS": "0.05"})
    try:
        services = harness.services
        services.sync = Sync(services.db, services.gateway,
                             lambda: datetime.fromtimestamp(harness.sim_clock.now(), UTC),
                             backlog_batch=4)
        short = harness.oversell(1, available=0)
        stocked = harness.oversell(2, available=100)
        orders = [harness.sell((short, 1), (stocked, 1)) for _ in range(6)]
        harness.settle()

        operations = harness.store.shop(harness.shop).bulk_operations.values()
        kinds = sorted(op.query.split("(", 1)[0].split()[-1] for op in operations
                       if op.type == "MUTATION")
        assert kinds == ["FulfillmentOrderHold", "MetafieldsSet", "TagsAdd"]
        assert all(op.status == "COMPLETED" for op in operations)
        for order in orders:
            state = harness.order(order)
            short_line = next(li["id"] for li in state["line_items"] if li["variant_id"] == short)
            assert state["tags"] == ["backordered"]
            assert harness.held(order) == {short_line: 1}
            assert harness.metafields(order)["status"] == "partially_ready"
        assert services.shopify_gateway.counters["holds_placed"] == 6
    finally:
        harness.close()
