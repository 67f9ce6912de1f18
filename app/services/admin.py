"""The merchant's admin as one service: each call is one transaction of its own, and the work
it leaves (the shop planned again, a sync) goes to the queue. The page's routes only parse the
request, call one method and answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.domain.insights import InsightsQuery
from app.domain.queue_query import QueueQuery
from app.services import dashboard, goodwill, order_actions, privacy, setup_guide, substitutes
from app.services.messages import Enqueue, ReplanShop, SyncShop
from app.services.planning import Planning
from app.storage.db import Database


class Admin:
    def __init__(self, db: Database, planning: Planning, clock: Callable[[], datetime],
                 enqueue: Enqueue):
        self._db = db
        self._planning = planning
        self._clock = clock
        self._enqueue = enqueue

    def settings(self, shop: str) -> dict:
        with self._db.read() as s:
            return dashboard.settings(s, shop)

    def goodwill(self, shop: str) -> dict:
        """This month's goodwill codes: given, spent against the budget, and not given (why)."""
        with self._db.read() as s:
            policy = dashboard.policy(s, shop)
            return goodwill.summary(s, shop, policy.goodwill, self._clock())

    def save_settings(self, shop: str, body: Any) -> dict:
        """Stored at once; what the change needs planned again is left to a job."""
        with self._db.transaction() as s:
            change = dashboard.save_settings(s, shop, body)
            saved = dashboard.settings(s, shop)
        if change.plans or change.views:
            self._enqueue(ReplanShop(shop, "settings changed", change.plans, change.views))
        return saved

    def setup(self, shop: str) -> dict:
        with self._db.read() as s:
            return setup_guide.guide(s, shop)

    def mark_setup(self, shop: str, body: Any) -> dict:
        with self._db.transaction() as s:
            setup_guide.mark(s, shop, body)
            return setup_guide.guide(s, shop)

    def queue(self, shop: str, query: QueueQuery) -> dict:
        with self._db.read() as s:
            return dashboard.queue(s, shop, self._clock(), query)

    def order(self, shop: str, order_id: str) -> dict:
        with self._db.read() as s:
            return dashboard.order(s, shop, order_id, self._clock().date())

    def order_detail(self, shop: str, order_id: str) -> dict:
        with self._db.read() as s:
            return dashboard.order_detail(s, shop, order_id, self._clock().date())

    def set_priority(self, shop: str, line_id: str, priority: Any) -> None:
        with self._db.transaction() as s:
            changed = dashboard.set_priority(s, self._planning, shop, line_id, priority)
        if changed:
            self._enqueue(SyncShop(shop))

    def set_priorities(self, shop: str, body: Any) -> list[str]:
        """The queue's bulk action: all the lines or none."""
        with self._db.transaction() as s:
            lines, changed = dashboard.set_priorities(s, self._planning, shop, body)
        if changed:
            self._enqueue(SyncShop(shop))
        return lines

    def release_holds(self, shop: str, body: Any, actor: str) -> dict:
        """The queue's bulk release: the selected lines' orders are no longer held."""
        return self._order_action(order_actions.release, shop, body, actor)

    def hold_again(self, shop: str, order_id: str, actor: str) -> dict:
        """The order view's undo of a release."""
        return self._order_action(order_actions.hold_again, shop, order_id, actor)

    def notify_customers(self, shop: str, body: Any, actor: str) -> dict:
        """The queue's bulk notify: each selected order's customer is sent its date."""
        return self._order_action(order_actions.notify, shop, body, actor)

    def _order_action(self, action, shop: str, subject: Any, actor: str) -> dict:
        with self._db.transaction() as s:
            answer, changed = action(s, self._planning, shop, subject, actor, self._clock())
        if changed:
            self._enqueue(SyncShop(shop))
        return answer

    def substitutes(self, shop: str, product_id: str) -> dict:
        with self._db.read() as s:
            return substitutes.get(s, shop, product_id)

    def set_substitutes(self, shop: str, product_id: str, body: Any) -> list[str]:
        """Stored, and the platform told by the sync (with any order whose suggestions moved)."""
        with self._db.transaction() as s:
            products, _ = substitutes.set_substitutes(s, self._planning, shop, product_id, body,
                                                      self._clock().date())
        self._enqueue(SyncShop(shop))
        return products

    def data_requests(self, shop: str) -> list[dict]:
        """Exports made for the shop's `customers/data_request` webhooks."""
        with self._db.read() as s:
            return privacy.exports_for(s, shop)

    def metrics(self, shop: str) -> dict:
        with self._db.read() as s:
            return dashboard.metrics(s, shop, self._clock())

    def insights(self, shop: str, query: InsightsQuery) -> dict:
        with self._db.read() as s:
            return dashboard.insights(s, shop, self._clock(), query)

    def reorder_csv(self, shop: str, query: InsightsQuery) -> str:
        with self._db.read() as s:
            return dashboard.reorder_csv(s, shop, query.safety_stock)
