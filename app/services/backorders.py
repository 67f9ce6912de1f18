"""The webhook handlers of the backorder mission: mirror the change, re-plan the pools it
touches, and ask for a sync when an order's desired platform state moved.

The platform adapters register the worker's handlers: each parses its payload into the types of
`ports` and calls one method here (`order_seen`, `stock_seen`, `variants_seen`...). `prepare_*`
runs before the handler's transaction and may read the platform (a variant or its stock the
mirror has not seen yet); the handlers themselves never call the platform."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

from app.domain.arrivals import match_arrival
from app.services import mirror, object_sync
from app.services.caps import follow_ups
from app.services.events import Outcome
from app.services.messages import FollowUp, SettleStock, SyncShop, once
from app.services.planning import ANYTHING, Change, Planning, shop_policy
from app.services.ports import (
    CatalogSeen,
    ParsedOrder,
    PlatformGateway,
    StockReading,
    VariantInfo,
)
from app.storage import orders as order_store
from app.storage import restocks as restock_store
from app.storage.db import Database, Tx
from app.storage.tables import RestockRow

STEP_S = 0.05  # how long one transaction of a long job may hold the write lock, about
STEP_ITEMS = 5  # pools or orders between two looks at the time


class BackorderHandlers:
    def __init__(self, db: Database, planning: Planning, gateway: PlatformGateway,
                 clock: Callable[[], datetime]):
        self._db = db
        self._planning = planning
        self._gateway = gateway
        self._clock = clock

    # A new or changed order
    def prepare_order(self, shop: str, order: ParsedOrder,
                      customer: str | None = None) -> dict | None:
        """Variants the order's lines name that the mirror lacks are read, and the customer's
        tags when the queue needs them. `customer`: the customer as the platform's reads name
        it, when that is not `order.customer_id`. What is returned reaches the handler."""
        self.learn_variants(shop, {line.variant_id for line in order.lines})
        tags = self._customer_tags(shop, order, customer or order.customer_id)
        return {"customer_tags": list(tags)} if tags is not None else None

    def _customer_tags(self, shop: str, order: ParsedOrder,
                       customer: str | None) -> tuple[str, ...] | None:
        """Order webhooks stopped carrying the customer's tags in 2025-01; they are read from the
        platform, once per order, and only when the shop ranks its queue by them."""
        if order.customer_id is None or customer is None:
            return None
        with self._db.read() as s:
            if not shop_policy(s, shop).priority_tags:
                return None
            row = order_store.order(s, shop, order.order_id)
            if row is not None and row.customer_id == order.customer_id:
                return None
        return tuple(self._gateway.customer_tags(shop, [customer]).get(customer, ()))

    def order_seen(self, s: Tx, shop: str, order: ParsedOrder,
                   seen: CatalogSeen | None = None) -> Outcome:
        """An order as the platform shows it now; `seen`: the variants and stock the platform's
        payload carried along (mirrored first, under the same pool locks)."""
        self._planning.lock_pools(s, shop, mirror.order_pools(s, shop, order))
        if seen is not None:
            self._mirror_seen(s, shop, seen)
        new = order_store.order(s, shop, order.order_id) is None
        pools = mirror.apply_order(s, shop, order)
        if pools is None:
            return Outcome(f"stale: {order.order_id} has a newer update")
        return self._replanned(s, shop, pools, f"order {order.name or order.order_id}",
                               Change(new_order=order.order_id) if new else ANYTHING)

    # An order edit whose payload names the order only: the order is read again.
    def order_edit_seen(self, shop: str, order_id: str, committed_at: datetime | None,
                        added_line_ids: frozenset[str]) -> None:
        """Runs as the prepare step: reads the order, stamps the lines the edit added with the
        edit's time, mirrors and plans it; the handler (`order_edited`) then asks for a sync."""
        order = edit_stamped(self._gateway.order(shop, order_id), committed_at, added_line_ids)
        self.learn_variants(shop, {line.variant_id for line in order.lines})
        with self._db.transaction() as s:
            self._planning.lock_pools(s, shop, mirror.order_pools(s, shop, order))
            pools = mirror.apply_order(s, shop, order) or set()
            self._planning.replan(s, shop, pools, "order edited")

    def order_edited(self, s: Tx, shop: str) -> Outcome:
        return Outcome("order edit applied", [SyncShop(shop)])

    def stock_event(self, s: Tx, shop: str, seen: CatalogSeen) -> Outcome:
        """A platform's stock event that shows the variant along with its stock at every
        location (Saleor): one item, planned once."""
        self._planning.lock_pools(s, shop, {mirror.pool_of(v.variant_id) for v in seen.variants})
        self._upsert(s, shop, seen.variants, None)
        if not seen.readings:
            return Outcome("no stock reading in the event")
        return self.stock_seen(s, shop, list(seen.readings), seen.at)

    def _mirror_seen(self, s: Tx, shop: str, seen: CatalogSeen) -> None:
        self._upsert(s, shop, seen.variants, None)
        for reading in seen.readings:
            mirror.apply_stock(s, shop, reading, mirror.webhook_stamp(seen.at, self._clock()))

    @staticmethod
    def _upsert(s: Tx, shop: str, variants: Iterable[VariantInfo],
                updated_at: datetime | None) -> None:
        mirror.upsert_variants(s, shop, variants, updated_at)

    def stock_seen(self, s: Tx, shop: str, readings: list[StockReading],
                   updated_at: datetime | None) -> Outcome:
        """Readings of one inventory item, a location each, as of `updated_at`; units that
        came in count as arrived restocks, and the item's pools are planned once."""
        item = readings[0].inventory_item_id
        self._planning.lock_pools(s, shop, mirror.item_pools(s, shop, item))
        total = mirror.item_available(s, shop, item)
        stamp = mirror.webhook_stamp(updated_at, self._clock())
        pools: set[str] = set()
        rose = 0
        for reading in readings:
            before = order_store.stock_level(s, shop, item, reading.location_id)
            old = before.available if before else None
            applied = mirror.apply_stock(s, shop, reading, stamp)
            pools |= applied
            # a late reading of an earlier second moved only the base: nothing came in
            if (applied and old is not None and reading.available > old
                    and mirror.whole_second(before.updated_at) == stamp.at):
                rose += reading.available - old
        if not pools:
            return Outcome("stale or unknown item: nothing to plan")
        for pool in pools if rose else ():
            record_arrival(s, shop, pool, rose, self._clock())
        outcome = self._replanned(s, shop, pools, "stock changed", Change(stock_only=True))
        if mirror.unsettled_items(s, shop, {item}):
            outcome.follow_ups.append(SettleStock(shop, (item,)))
        # Only an item in stock is offered as an alternative: one short before and after moved
        # no suggestion, and finding the lines that suggest an item costs a look at every one.
        in_stock = total > 0 or mirror.item_available(s, shop, item) > 0
        if (in_stock and self._planning.refresh_suggesting(s, shop, pools)
                and SyncShop(shop) not in outcome.follow_ups):
            outcome.follow_ups.append(SyncShop(shop))
        return outcome

    def variants_seen(self, s: Tx, shop: str, variants: list[VariantInfo],
                      updated_at: datetime | None) -> Outcome:
        """A product created or changed: its variants as of `updated_at`."""
        self._upsert(s, shop, variants, updated_at)
        return Outcome(f"catalog: {len(variants)} variants")

    def product_gone(self, s: Tx, shop: str, product_id: str) -> Outcome:
        mirror.product_deleted(s, shop, product_id)
        return Outcome(f"catalog: {product_id} deleted")

    def fulfillment_order_routed(self, s: Tx, shop: str) -> Outcome:
        """Holds need fulfillment orders, which come after the order: orders whose sync found
        none yet are synced again now."""
        waiting = order_store.resync_awaiting_fulfillment_orders(s, shop)
        if not waiting:
            return Outcome("no order waiting for fulfillment orders")
        return Outcome(f"{waiting} orders can be held now", [SyncShop(shop)])

    def learn_variants(self, shop: str, variant_ids: set[str]) -> None:
        """Variants and stock the mirror lacks, read from the platform once. The mirror is
        looked at in reads, which on SQLite take no writer's turn: most orders name only
        variants already known."""
        with self._db.read() as s:
            unknown = variant_ids - mirror.known_variants(s, shop, variant_ids)
        if unknown:
            infos = self._gateway.variants(shop, sorted(unknown))
            with self._db.transaction() as s:
                mirror.upsert_variants(s, shop, infos, None)
        with self._db.read() as s:
            items = mirror.items_without_stock(s, shop, variant_ids)
        if items:
            started = self._clock()
            readings = self._gateway.stock(shop, sorted(items))
            with self._db.transaction() as s:
                for reading in readings:
                    mirror.apply_stock(s, shop, reading, mirror.read_stamp(reading, started))

    def settle_stock(self, shop: str, items: list[str]) -> Outcome:
        """Levels whose same-second readings disagreed are read from the platform, which knows
        which came last; the pools are planned again on what it says."""
        with self._db.read() as s:
            items = sorted(mirror.unsettled_items(s, shop, set(items)))
        if not items:
            return Outcome("stock already settled")
        started = self._clock()
        readings = self._gateway.stock(shop, items)
        with self._db.transaction() as s:
            self._planning.lock_pools(s, shop, {p for item in items
                                                for p in mirror.item_pools(s, shop, item)})
            pools: set[str] = set()
            for reading in readings:
                pools |= mirror.apply_stock(s, shop, reading, mirror.read_stamp(reading, started))
            return self._replanned(s, shop, pools, "stock settled")

    def _replanned(self, s: Tx, shop: str, pools: set[str], reason: str,
                   change: Change = ANYTHING) -> Outcome:
        changed = self._planning.replan(s, shop, pools, reason, change)
        return Outcome(f"{reason}: {len(pools)} pools planned, {len(changed)} orders to sync",
                       follow_ups(s, shop, pools, changed))

    def replan_overdue(self, shop: str) -> Outcome:
        """Pools waiting on a restock whose date has passed (run hourly)."""
        with self._db.transaction() as s:
            changed = self._planning.replan_overdue(s, shop)
            follow = [SyncShop(shop)] if changed or object_sync.wanted_in(s, shop) else []
        return Outcome(f"overdue restocks: {len(changed)} orders to sync", follow)

    def replan_shop(self, shop: str, reason: str, plans: bool = True,
                    views: bool = True) -> Outcome:
        """Every pool of the shop planned again (`plans`), and every waiting order's desired
        state looked at again (`views`: settings can change holds and alternatives without
        moving a plan), in short transactions."""
        changed: set[str] = set()
        follow: list[FollowUp] = []
        pools: list[str] = []
        if plans:
            with self._db.read() as s:
                pools = sorted(order_store.pool_names(s, shop))
                view = self._planning.shop_view(s, shop)

            def plan(s: Tx, chunk: list[str]) -> None:
                changed.update(self._planning.replan(s, shop, chunk, reason, view=view))
                follow.extend(follow_ups(s, shop, chunk, set()))

            self._in_short_transactions(pools, plan)
        if views:
            with self._db.read() as s:
                waiting = [order for order in order_store.backordered_order_ids(s, shop)
                           if order not in changed]  # fresh
                policy = shop_policy(s, shop)
            today = self._clock().date()

            def refresh(s: Tx, chunk: list[str]) -> None:
                changed.update(self._planning.refresh_orders(s, shop, chunk, policy, today,
                                                             look_behind=False))

            self._in_short_transactions(waiting, refresh)
        if changed:
            follow.append(SyncShop(shop))
        return Outcome(f"{reason}: {len(pools)} pools planned, {len(changed)} orders to sync",
                       once(follow))

    def _in_short_transactions(self, items: list[str],
                               work: Callable[[Tx, list[str]], None]) -> None:
        """`work` over the items a few at a time, each transaction closed after about STEP_S.
        On SQLite a transaction holds the only write lock: another shop's webhook then waits
        one step at most, and the pause after each lets writers of other processes in. Each
        call of `work` costs something whatever its size, so as many items go to one call as
        the pace seen so far fits in a step."""
        start, size = 0, STEP_ITEMS
        while start < len(items):
            with self._db.transaction() as s:
                began = time.monotonic()
                while start < len(items) and time.monotonic() - began < STEP_S:
                    called = time.monotonic()
                    work(s, items[start:start + size])
                    start += size
                    size = _fitting(size, time.monotonic() - called)
            self._db.let_writers_in()


def _fitting(size: int, took: float) -> int:
    """Items for the next call, at the pace of the last one: about a step's worth, never more
    than twice as many."""
    return max(1, min(2 * size, int(size * STEP_S / max(took, 1e-6))))


def edit_stamped(order: ParsedOrder, committed_at: datetime | None,
                 added_line_ids: frozenset[str]) -> ParsedOrder:
    """Lines an edit added took their stock when the edit was committed, not when the order was
    placed: a stock reading between the two already counts them out."""
    if committed_at is None or not added_line_ids:
        return order
    return replace(order, lines=tuple(replace(line, committed_at=committed_at)
                                      if line.line_id in added_line_ids else line
                                      for line in order.lines))


def record_arrival(s: Tx, shop: str, pool: str, units: int, now: datetime) -> None:
    """Stock rose: the expected restocks it brings count as arrived (`match_arrival` says
    which; stock nobody entered arrives none). One that came only in part keeps waiting for the
    rest, and the part that came is kept as an arrived restock of its own (same date, source and
    reference), so when the pool recovers its history learns how late the supplier was against
    the date of what actually came."""
    expected = {r.id: r for r in restock_store.expected_restocks(s, shop, [pool])}
    brought = match_arrival([(r.id, r.quantity, r.expected_on) for r in expected.values()],
                            units, now.date())
    for restock_id, came in brought:
        restock = expected[restock_id]
        if came >= restock.quantity:
            restock.arrived_at = now
            continue
        order_store.add(s, RestockRow(
            id=uuid.uuid4().hex, shop=shop, pool=pool, variant_id=restock.variant_id,
            quantity=came, expected_on=restock.expected_on, source=restock.source,
            reference=restock.reference, created_at=restock.created_at, arrived_at=now))
        restock.quantity -= came
