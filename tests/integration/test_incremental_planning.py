"""Planning takes shortcuts (an order appended at the queue's tail, a stock reading that moves
nothing, tickets against an offset); after every event the stored plans must be what planning
every pool from scratch gives."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.storage.tables import OrderLine, OrderSync, Pool, RestockRow
from tests.conftest import SHOP
from tests.integration.helpers import post_webhook, queue_position

START = datetime(2026, 11, 20, 12, 0, 10, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def order(number: int, lines: list[tuple[int, int]], at: datetime, cancelled: bool = False,
          tags: bool = False) -> dict:
    return {
        "id": number, "admin_graphql_api_id": f"gid://shopify/Order/{number}",
        "name": f"#{number}", "order_number": number, "created_at": stamp(at),
        "updated_at": stamp(at + timedelta(seconds=5 if cancelled else 0)),
        "cancelled_at": stamp(at + timedelta(seconds=5)) if cancelled else None,
        "customer": {"id": 900 + number},
        "line_items": [{"id": number * 10 + k,
                        "admin_graphql_api_id": f"gid://shopify/LineItem/{number * 10 + k}",
                        "variant_id": variant, "quantity": qty, "current_quantity": qty,
                        "fulfillable_quantity": qty, "requires_shipping": True,
                        "variant_inventory_management": "shopify", "name": f"Variant {variant}"}
                       for k, (variant, qty) in enumerate(lines)],
    }


def snapshot(services) -> dict:
    with services.db.transaction() as s:
        lines = {r.line_id: (r.open_quantity, r.covered, r.backordered, queue_position(s, r), r.eta,
                             r.eta_earliest, r.eta_latest, r.eta_restock_id)
                 for r in s.scalars(select(OrderLine))}
        pools = {p.pool: (p.supply, p.units_owed, p.units_covered, p.lines_waiting, p.open_units,
                          p.short_since)
                 for p in s.scalars(select(Pool)) if p.open_units is not None}
        desired = {r.order_id: r.desired for r in s.scalars(select(OrderSync))}
    return {"lines": lines, "pools": pools, "desired": desired}


def planned_from_scratch(services) -> tuple[set[str], dict]:
    with services.db.transaction() as s:
        pools = set(s.scalars(select(OrderLine.pool).distinct()))
        touched = services.planning.replan(s, SHOP, pools, "check")
    return touched, snapshot(services)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_every_shortcut_ends_where_a_plan_from_scratch_does(flow, platform, clock, seed):
    client, services = flow
    rng = random.Random(seed)
    available = {1: rng.randint(0, 4), 2: rng.randint(0, 2)}
    for variant, count in available.items():
        platform.add_variant(f"gid://shopify/ProductVariant/{variant}", available=count)
    with services.db.transaction() as s:
        s.add(RestockRow(id="r1", shop=SHOP, pool="gid://shopify/ProductVariant/1@*",
                         variant_id="gid://shopify/ProductVariant/1", quantity=6,
                         expected_on=clock().date() + timedelta(days=6), created_at=clock()))
    placed: dict[int, tuple[list, datetime]] = {}
    moment = START
    for step in range(45):
        moment += timedelta(seconds=10)
        clock.now = moment
        roll = rng.random()
        if roll < 0.55 or not placed:
            lines = [(1, rng.randint(1, 3))] + ([(2, rng.randint(1, 2))] if rng.random() < 0.3 else [])
            late = rng.random() < 0.15 and step > 3  # delivered after orders placed later
            at = moment - timedelta(seconds=35) if late else moment
            number = 100 + step
            placed[number] = (lines, at)
            for variant, qty in lines:
                available[variant] -= qty
            post_webhook(client, "orders/create", order(number, lines, at))
        elif roll < 0.85:
            variant = rng.choice([1, 2])
            if rng.random() < 0.5:
                available[variant] += rng.randint(1, 6)  # stock arrives
            post_webhook(client, "inventory_levels/update", {
                "inventory_item_id": variant, "location_id": 1,
                "available": available[variant], "updated_at": stamp(moment)})
        else:
            number = rng.choice(sorted(placed))
            lines, at = placed.pop(number)
            post_webhook(client, "orders/cancelled", order(number, lines, at, cancelled=True))
        services.queue.drain()
        before = snapshot(services)
        touched, after = planned_from_scratch(services)
        assert touched == set(), f"step {step}: the stored plan was not the plan from scratch"
        assert after == before, f"step {step}"


def test_stock_arriving_in_a_long_queue_fills_its_head_and_moves_the_rest_up(flow, platform,
                                                                             clock):
    """Single units, so every queue position meets a restock boundary: the lines filled, the
    line the last unit partly covers and the ETAs around each boundary are what planning from
    scratch gives."""
    client, services = flow
    platform.add_variant("gid://shopify/ProductVariant/1", available=0)
    with services.db.transaction() as s:
        s.add(RestockRow(id="r1", shop=SHOP, pool="gid://shopify/ProductVariant/1@*",
                         variant_id="gid://shopify/ProductVariant/1", quantity=8,
                         expected_on=clock().date() + timedelta(days=6), created_at=clock()))
    moment, available = START, 0
    for number in range(100, 116):
        moment += timedelta(seconds=10)
        clock.now = moment
        quantity = 2 if number % 4 == 0 else 1
        available -= quantity
        post_webhook(client, "orders/create", order(number, [(1, quantity)], moment))
    for arrived in (3, 2, 4):
        moment += timedelta(seconds=10)
        clock.now = moment
        available += arrived
        post_webhook(client, "inventory_levels/update", {
            "inventory_item_id": 1, "location_id": 1, "available": available,
            "updated_at": stamp(moment)})
        services.queue.drain()
        before = snapshot(services)
        touched, after = planned_from_scratch(services)
        assert touched == set() and after == before
    assert sum(1 for line in before["lines"].values() if line[2] == 0) >= 5  # the head filled
