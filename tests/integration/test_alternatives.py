"""Alternatives through the service and the planning that stores them: free units, stock reads,
reasons on the line, the order's metafields and the queue."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app.domain.alternatives import as_entry
from app.domain.queue_query import QueueQuery
from app.services import mirror
from app.services.dashboard import queue
from app.services.planning import Planning
from app.services.ports import StockReading, VariantInfo
from app.storage.tables import OrderLine
from tests.integration.helpers import post_webhook
from tests.integration.test_backorder_flow import line, order_payload, work

SHOP = "test-shop.myshopify.com"


def gid(n: int) -> str:
    return f"gid://shopify/ProductVariant/{n}"


def tee(platform, n: int, available: int, size: str) -> None:
    """A size of the same tee: its other sizes are its best alternatives."""
    platform.add_variant(gid(n), available=available, title=size, options=(("Size", size),),
                         price="50", product_title="Tee", product_type="Shirts")


def suggest_reading_stock(services, variant_id: str) -> tuple[list[dict], list[tuple]]:
    """The suggestions for one backordered unit of the variant, and the statements (with their
    parameters) that read stock levels meanwhile."""
    reads: list[tuple] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "FROM stock_levels" in statement:
            reads.append((statement, parameters))

    engine = services.db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        with services.db.transaction() as s:
            row = OrderLine(shop=SHOP, line_id="L1", order_id="O1", variant_id=variant_id,
                            pool=f"{variant_id}@all", backordered=1)
            found = services.alternatives.suggestions_for_lines(s, SHOP, [row])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return found["L1"], reads


def suggested(services, line_id: int) -> list[str]:
    return [as_entry(a)["variant_id"] for a in line(services, line_id).alternatives]


@pytest.mark.parametrize("free", [1, 2])
def test_free_units_are_offered_to_as_many_waiting_lines_as_they_can_serve(flow, platform, free):
    """Four orders wait for Small; Large has `free` units: only `free` lines are offered it."""
    client, services = flow
    tee(platform, 1, -4, "Small")
    tee(platform, 2, free, "Large")
    services.onboarding.setup(SHOP)
    for number in range(1, 5):
        post_webhook(client, "orders/create", order_payload(number, [(10 + number, 1, 1)],
                                                            minute=number))
    work(services)
    waiting = [n for n in range(11, 15) if line(services, n).backordered]
    assert len(waiting) == 4
    offered = [n for n in waiting if gid(2) in suggested(services, n)]
    assert len(offered) == free


@pytest.mark.parametrize("arrival", [(1, 2), (2, 1)])
def test_the_order_first_in_the_queue_is_offered_the_unit_whichever_reached_us_first(
        flow, platform, arrival):
    """One free unit of Large, two orders waiting for Small: the earlier order gets the offer,
    even when its webhook comes after the later order's (which is then looked at again)."""
    client, services = flow
    tee(platform, 1, -2, "Small")
    tee(platform, 2, 1, "Large")
    services.onboarding.setup(SHOP)
    for number in arrival:
        post_webhook(client, "orders/create", order_payload(number, [(10 + number, 1, 1)],
                                                            minute=number))
        work(services)
    assert line(services, 11).backordered and line(services, 12).backordered
    assert gid(2) in suggested(services, 11)
    assert gid(2) not in suggested(services, 12)


def test_lines_of_one_order_do_not_share_a_single_unit(flow, platform):
    client, services = flow
    tee(platform, 1, -1, "Small")
    tee(platform, 3, -1, "Medium")
    tee(platform, 2, 1, "Large")
    services.onboarding.setup(SHOP)
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 1), (12, 3, 1)]))
    work(services)
    assert line(services, 11).backordered and line(services, 12).backordered
    assert [gid(2) in suggested(services, n) for n in (11, 12)].count(True) == 1


def test_a_unit_freed_by_a_filled_line_is_offered_to_the_next(flow, platform):
    """The line that was offered the last unit is filled: its claim goes, the unit is offered
    to a line still waiting."""
    client, services = flow
    tee(platform, 1, -2, "Small")
    tee(platform, 2, 1, "Large")
    services.onboarding.setup(SHOP)
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 1)], minute=1))
    post_webhook(client, "orders/create", order_payload(2, [(12, 1, 1)], minute=2))
    work(services)
    holder = 11 if gid(2) in suggested(services, 11) else 12
    other = 23 - holder
    assert gid(2) not in suggested(services, other)
    post_webhook(client, "inventory_levels/update", {
        "inventory_item_id": 1, "location_id": 1, "available": -1,
        "updated_at": "2026-11-20T12:30:00Z"})
    work(services)
    assert not line(services, 11).backordered  # the first in the queue is filled
    assert line(services, 12).backordered
    assert gid(2) in suggested(services, 12)


def test_a_unit_given_up_is_offered_to_a_line_behind_that_waits_for_another_variant(flow,
                                                                                    platform):
    """Small's line holds the only Large unit; Medium's line behind it was offered none. Small
    is filled: the pass over the shop offers Large to Medium's line."""
    client, services = flow
    tee(platform, 1, -1, "Small")
    tee(platform, 3, -1, "Medium")
    tee(platform, 2, 1, "Large")
    services.onboarding.setup(SHOP)
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 1)], minute=1))
    post_webhook(client, "orders/create", order_payload(2, [(12, 3, 1)], minute=2))
    work(services)
    assert gid(2) in suggested(services, 11) and gid(2) not in suggested(services, 12)
    post_webhook(client, "inventory_levels/update", {
        "inventory_item_id": 1, "location_id": 1, "available": 0,
        "updated_at": "2026-11-20T12:30:00Z"})
    work(services)
    assert not line(services, 11).backordered
    assert gid(2) in suggested(services, 12)


def test_a_suggestion_reads_the_stock_of_related_variants_only(flow, platform):
    """A shop of many unrelated products: their stock is never read for a tee's suggestions."""
    _, services = flow
    tee(platform, 1, -1, "Small")
    tee(platform, 2, 5, "Large")
    for n in range(100, 400):
        platform.add_variant(gid(n), available=3, product_id=f"gid://shopify/Product/{n}",
                             product_title=f"Rug {n}", product_type="Rugs", price="50")
    services.onboarding.setup(SHOP)
    found, reads = suggest_reading_stock(services, gid(1))
    assert [entry["variant_id"] for entry in found] == [gid(2)]
    assert found[0]["reason"].startswith("same product, size Large")
    assert 0 < sum(len(parameters) - 1 for _, parameters in reads) <= 2  # the shop, then items


def test_in_a_mostly_sold_out_shop_a_lookup_reads_which_products_have_stock_once(flow, platform):
    """Hundreds of shirts, all sold out but one: the lookup stops reading shirt by shirt, asks
    the shop's stock which products have any, and finds the one."""
    _, services = flow
    tee(platform, 1, -1, "Small")
    for n in range(100, 400):
        platform.add_variant(gid(n), available=0 if n != 399 else 2,
                             product_id=f"gid://shopify/Product/{n}",
                             product_title=f"Shirt {n}", product_type="Shirts", price="50")
    services.onboarding.setup(SHOP)
    found, reads = suggest_reading_stock(services, gid(1))
    assert [entry["variant_id"] for entry in found] == [gid(399)]
    assert sum("available > " in statement for statement, _ in reads) == 1
    assert len(reads) < 10  # batches of 4, 8, 16, 32, then the one question


def test_reasons_reach_the_line_the_queue_and_the_order_metafields(flow, platform, clock):
    client, services = flow
    tee(platform, 1, -1, "Small")
    tee(platform, 2, 5, "Large")
    services.onboarding.setup(SHOP)
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    reason = "same product, size Large, same price"
    assert line(services, 11).alternatives == [
        {"variant_id": gid(2), "reason": reason, "weak": False}]
    with services.db.transaction() as s:
        (shown,) = queue(s, SHOP, clock(), QueueQuery())["lines"]
    assert shown["alternatives"] == [
        {"variant_id": gid(2), "title": "Tee - Large", "reason": reason, "weak": False}]
    metafields = platform.orders["gid://shopify/Order/1"].metafields
    assert json.loads(metafields["alternatives"]) == [gid(2)]
    assert json.loads(metafields["alternative_reasons"]) == [
        {"line_id": "gid://shopify/LineItem/11", "variant_id": gid(2), "reason": reason,
         "weak": False}]


def test_a_weak_match_reaches_the_store_marked_weak(flow, platform):
    """Earrings out, nothing of the type in stock: one necklace is offered, and says it is weak."""
    client, services = flow
    jewel = {"price": "40", "tags": ("silver",), "collections": ("silver",)}
    platform.add_variant(gid(1), available=-1, product_title="Silver Hoop",
                         product_type="Earrings", **jewel)
    for n, kind in ((5, "Necklace"), (6, "Bracelet"), (7, "Anklet")):
        platform.add_variant(gid(n), available=3, product_id=f"gid://shopify/Product/{n}",
                             product_title=f"Silver Hoop {kind}", product_type=kind, **jewel)
    services.onboarding.setup(SHOP)
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    (entry,) = line(services, 11).alternatives
    assert entry["weak"] and entry["reason"].startswith("weak match")
    metafields = platform.orders["gid://shopify/Order/1"].metafields
    (shown,) = json.loads(metafields["alternative_reasons"])
    assert shown["weak"] and shown["reason"] == entry["reason"]


def test_suggestions_stored_as_bare_ids_still_claim_their_units(flow, platform, clock):
    """Lines suggested before reasons were stored hold variant ids: they claim units too."""
    _, services = flow
    tee(platform, 1, -1, "Small")
    tee(platform, 2, 1, "Large")
    services.onboarding.setup(SHOP)
    with services.db.transaction() as s:
        s.add(OrderLine(shop=SHOP, line_id="old", order_id="O0", variant_id=gid(1),
                        pool=f"{gid(1)}@all", open_quantity=1, ordered_at=clock(),
                        backordered=1, alternatives=[gid(2)]))
    with services.db.transaction() as s:
        row = OrderLine(shop=SHOP, line_id="new", order_id="O1", variant_id=gid(1),
                        pool=f"{gid(1)}@all", backordered=1,
                        ordered_at=clock() + timedelta(seconds=1))
        assert services.alternatives.for_lines(s, SHOP, [row]) == {"new": []}
        stored = s.scalars(select(OrderLine.alternatives).where(OrderLine.line_id == "old")).one()
        assert stored == [gid(2)]


def three_waiting_for_small(flow, platform) -> tuple:
    """Three orders of two Smalls wait; Large has 5: the first two are offered it (4 claimed),
    the third is not (1 left)."""
    client, services = flow
    tee(platform, 1, -6, "Small")
    tee(platform, 2, 5, "Large")
    services.onboarding.setup(SHOP)
    for number in range(1, 4):
        post_webhook(client, "orders/create", order_payload(number, [(10 + number, 1, 2)],
                                                            minute=number))
    work(services)
    assert [gid(2) in suggested(services, n) for n in (11, 12, 13)] == [True, True, False]
    return client, services


def large_stock(client, services, available: int, minute: int) -> None:
    post_webhook(client, "inventory_levels/update", {
        "inventory_item_id": 2, "location_id": 1, "available": available,
        "updated_at": f"2026-11-20T12:{minute:02d}:00Z"})
    work(services)


def test_a_variant_is_overclaimed_only_once_its_stock_is_below_what_suggestions_claim(
        flow, platform):
    client, services = three_waiting_for_small(flow, platform)
    large_stock(client, services, 4, 30)  # exactly the 4 claimed: both offers stand
    with services.db.transaction() as s:
        assert services.alternatives.overclaimed(s, SHOP, {gid(2)}) == set()
    assert [gid(2) in suggested(services, n) for n in (11, 12, 13)] == [True, True, False]
    large_stock(client, services, 3, 31)  # one short: the later offer goes
    assert [gid(2) in suggested(services, n) for n in (11, 12, 13)] == [True, False, False]
    with services.db.transaction() as s:
        assert services.alternatives.overclaimed(s, SHOP, {gid(2)}) == set()  # 2 claimed now


def test_a_stock_change_that_leaves_every_claim_covered_looks_at_no_suggesting_order(
        flow, platform, clock):
    _, services = three_waiting_for_small(flow, platform)
    looked: list[list[str]] = []

    def suggest(s, shop, lines):
        looked.append(sorted(r.line_id for r in lines))
        return services.alternatives.suggestions_for_lines(s, shop, lines)

    def planning(overclaimed) -> Planning:
        return Planning(clock, suggest, overclaimed)

    with services.db.transaction() as s:
        covered = planning(services.alternatives.overclaimed)
        assert covered.refresh_suggesting(s, SHOP, {f"{gid(2)}@*"}) == set()
        assert looked == []
        planning(lambda s, shop, variants: variants).refresh_suggesting(
            s, SHOP, {f"{gid(2)}@*"})
        assert looked  # the two orders suggesting Large, when counted as overclaimed


def test_a_deleted_variant_counts_as_overclaimed_whatever_its_stock(flow, platform):
    client, services = three_waiting_for_small(flow, platform)
    post_webhook(client, "products/delete", {"id": 1})  # the tee, Large among its variants
    work(services)
    with services.db.transaction() as s:
        assert services.alternatives.overclaimed(s, SHOP, {gid(2)}) == {gid(2)}


def test_an_index_built_on_a_catalog_change_rolled_back_is_not_kept(flow, platform, clock):
    """A transaction that changed the catalog raised the version and may have built an index on
    its change; rolled back, a change another transaction commits raises the version to the same
    number. The index must show the committed change, not the one rolled back."""
    _, services = flow
    tee(platform, 1, -1, "Small")
    services.onboarding.setup(SHOP)

    def size(n: int, name: str) -> tuple[VariantInfo, StockReading]:
        item = f"gid://shopify/InventoryItem/{n}"
        return (VariantInfo(gid(n), "gid://shopify/Product/1", item, "Tee", name, price="50",
                            product_type="Shirts", options=(("Size", name),)),
                StockReading(gid(n), item, "gid://shopify/Location/1", 5))

    def add(s, n: int, name: str) -> None:
        info, reading = size(n, name)
        mirror.upsert_variants(s, SHOP, [info], None)
        mirror.apply_stock(s, SHOP, reading, mirror.Stamp(clock()))

    def offered(s) -> list[str]:
        row = OrderLine(shop=SHOP, line_id="L1", order_id="O1", variant_id=gid(1),
                        pool=f"{gid(1)}@*", backordered=1)
        return services.alternatives.for_lines(s, SHOP, [row])["L1"]

    with pytest.raises(RuntimeError), services.db.transaction() as s:
        add(s, 2, "Large")
        assert offered(s) == [gid(2)]
        raise RuntimeError("rolled back")
    with services.db.transaction() as s:
        add(s, 3, "Medium")
    with services.db.transaction() as s:
        assert offered(s) == [gid(3)]
