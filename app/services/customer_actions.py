"""What a customer may do about their backorder from their page: take the units still owed off
the order, when the merchant allows it.

Each form the page renders carries its own key, and an action is recorded under that key before
the platform is asked: a double click, or the same form sent twice, finds the first record and
does nothing more. The platform edits the order and returns the units to stock; its edit
webhooks then re-plan the queue as for any edit, so the lines behind move up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from app.services.planning import shop_policy
from app.services.ports import PlatformGateway
from app.storage import customer_actions as action_store
from app.storage.db import Database
from app.storage.tables import CustomerAction

CANCEL = "cancel_owed"


class NotAllowed(DomainError):
    """The shop does not let customers do this."""

    code = "not_allowed"


@dataclass(frozen=True)
class ActionResult:
    kind: str
    order_id: str
    line_id: str
    units: int
    status: str  # done, refused, started (the same form is still being acted on)
    message: str


class CustomerActions:
    def __init__(self, db: Database, gateway: PlatformGateway, clock: Callable[[], datetime]):
        self._db, self._gateway, self._clock = db, gateway, clock

    def allowed(self, shop: str) -> bool:
        """Whether the shop lets its customers take owed units off their orders."""
        with self._db.read() as s:
            return shop_policy(s, shop).customers_may_cancel

    def cancel_owed(self, shop: str, customer_id: str, order_id: str, line_id: str, units: int,
                    key: str) -> ActionResult:
        """Take `units` of what the line still owes off the order."""
        earlier, variant_id = self._claim(shop, customer_id, order_id, line_id, units, key)
        if earlier is not None:
            return earlier  # this form was sent before
        refused = self._gateway.take_off_units(
            shop, order_id, line_id, variant_id, units,
            f"Backorders: the customer took {units} unit(s) still owed off this line.")
        with self._db.transaction() as s:
            row = action_store.by_key(s, shop, key)
            row.status, row.message = ("refused", refused) if refused else ("done", "")
            return _result(row)

    def _claim(self, shop: str, customer_id: str, order_id: str, line_id: str, units: int,
               key: str) -> tuple[ActionResult | None, str]:
        """Record the action as started; the line's variant. When the same form was sent
        before: what became of it."""
        with self._db.transaction() as s:
            earlier = action_store.by_key(s, shop, key)
            if earlier is not None:
                return _result(earlier), ""
            if not shop_policy(s, shop).customers_may_cancel:
                raise NotAllowed("this shop does not let customers cancel backordered units",
                                 field="action")
            line = action_store.customer_line(s, shop, customer_id, order_id, line_id)
            if line is None:
                raise NotFound("no such line on your open orders", field="line")
            if not 1 <= units <= line.backordered:
                raise InvalidInput(_units_message(line.backordered), field="units")
            action = CustomerAction(shop=shop, key=key, customer_id=customer_id,
                                    order_id=order_id, line_id=line_id, kind=CANCEL,
                                    units=units, status="started", message="",
                                    created_at=self._clock())
            if not action_store.add(s, action):  # the same form, sent again at the same moment
                raise Conflict("this form was already sent", field="token")
            return None, line.variant_id


def _units_message(owed: int) -> str:
    if not owed:
        return "nothing on this line is still owed"
    return f"units must be a whole number from 1 to {owed}, the units still owed"


def _result(action: CustomerAction) -> ActionResult:
    return ActionResult(action.kind, action.order_id, action.line_id, action.units,
                        action.status, action.message)
