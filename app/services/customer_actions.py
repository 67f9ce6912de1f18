"""What a customer may do about their backorder from their page, each when the merchant allows
it: take the units still owed off the order, or swap them for one of the in-stock alternatives
the line was offered, at the same price or less.

Each form the page renders carries its own key, and an action is recorded under that key before
the platform is asked: a double click, or the same form sent twice, finds the first record and
does nothing more. A swap reads the alternative's stock from the platform just before the edit:
one that sold out since the page was shown is refused, with no edit. The platform edits the order
and returns the units to stock; the app takes the units off its own copy of the line and plans
its queue again in the same request, so the lines behind move up at once (the edit's webhooks,
which come later, find the line as the edit left it).

The money. With the shop's `refund_cancelled_units`, a cancel is a refund instead of an edit: the
platform refunds the unfulfilled units, returns them to stock, takes them off the order and
sends their money back (what the platform suggests refunding for them, from the order's
payment) in one call, keyed by the form so a retry is one refund. When the order has no payment
to refund from, the units are still refunded and their money is recorded as left to staff with
the reason. Otherwise the units are edited away and
the refund they are owed is recorded as left to staff, shown on the admin's order view. A swap to
a cheaper alternative owes the price difference (units × the difference in price): with the same
setting, once the edit is made, the app refunds that sum as money (the edit took the swapped
units off the order, so they cannot be refunded as units), keyed by the form as well. When the
platform refuses it, or the order has no payment to refund from, the difference is recorded as
left to staff with the reason; without the setting it is always left to staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from hashlib import sha256

from app.domain.alternatives import as_entry
from app.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from app.domain.policy import Policy
from app.services.messages import Enqueue, SyncShop
from app.services.planning import Planning, shop_policy
from app.services.ports import PlatformGateway, UnitsRefund
from app.storage import customer_actions as action_store
from app.storage.db import Database, Tx
from app.storage.tables import CustomerAction

CANCEL, SWAP = "cancel_owed", "swap_owed"
SHIP_TOGETHER, SHIP_NOW = "ship_together", "ship_now"  # the customer's shipping choice
CHOICES = {"together": SHIP_TOGETHER, "now": SHIP_NOW}


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
    to_variant_id: str | None = None
    refund: str | None = None  # issued (by the app), owed (left to staff), or None


@dataclass(frozen=True)
class _Claimed:
    """An action recorded as started: what the platform is to do."""

    variant_id: str
    units: int
    stock_item: str | None = None  # the alternative's inventory item, read live before a swap
    by_refund: bool = False  # a cancel made as a refund of the units (the shop's setting)
    owed: str = ""  # the money the customer is owed, in words: left to staff unless the app sends it
    refund_amount: Decimal | None = None  # a swap's price difference, refunded by the app
    open_before: int = 0  # the line's open units when the action was claimed
    pool: str = ""  # the line's pool, planned again once the units are off


class CustomerActions:
    def __init__(self, db: Database, gateway: PlatformGateway, clock: Callable[[], datetime],
                 planning: Planning | None = None, enqueue: Enqueue | None = None):
        self._db, self._gateway, self._clock = db, gateway, clock
        self._planning = planning or Planning(clock)
        self._enqueue = enqueue or (lambda message: None)

    def allowed(self, shop: str) -> frozenset[str]:
        """The actions the shop lets its customers take."""
        with self._db.read() as s:
            policy = shop_policy(s, shop)
        return frozenset(kind for kind, on in ((CANCEL, policy.customers_may_cancel),
                                               (SWAP, policy.customers_may_swap)) if on)

    def cancel_owed(self, shop: str, customer_id: str, order_id: str, line_id: str, units: int,
                    key: str) -> ActionResult:
        """Take `units` of what the line still owes off the order."""
        return self._act(shop, customer_id, order_id, line_id, key, CANCEL, units, None)

    def swap_owed(self, shop: str, customer_id: str, order_id: str, line_id: str,
                  to_variant_id: str, key: str) -> ActionResult:
        """Replace every unit the line still owes with as many of an offered alternative."""
        return self._act(shop, customer_id, order_id, line_id, key, SWAP, None, to_variant_id)

    def shipping(self, shop: str, customer_id: str,
                 order_ids: list[str]) -> dict[str, tuple[int, int, bool]]:
        """Per order of the customer's: (units ready, units owed, ships together)."""
        with self._db.read() as s:
            rows = action_store.customer_orders(s, shop, customer_id, order_ids)
        return {order_id: (int(r.ready), int(r.owed), bool(r.ship_together))
                for order_id, r in rows.items()}

    def choose_shipping(self, shop: str, customer_id: str, order_id: str, choice: str,
                        key: str) -> ActionResult:
        """Ship what is ready now (the default: only the owed units are held) or ship the order
        together (the units ready are held with the owed until all can go). The order is
        planned again at once, so the sync places or lifts the holds on the ready units."""
        kind = CHOICES.get(choice)
        if kind is None:
            raise InvalidInput("choice must be together or now", field="choice")
        now = self._clock()
        with self._db.transaction() as s:
            earlier = action_store.by_key(s, shop, key)
            if earlier is not None:
                return _result(earlier)
            units = action_store.customer_orders(s, shop, customer_id, [order_id]).get(order_id)
            if units is None:
                raise NotFound("no such order among your open orders", field="order")
            if not units.owed:
                raise InvalidInput("nothing on this order is still owed", field="order")
            action = CustomerAction(shop=shop, key=key, customer_id=customer_id,
                                    order_id=order_id, line_id="", kind=kind, units=0,
                                    status="done", message="", created_at=now)
            if not action_store.add(s, action):
                raise Conflict("this form was already sent", field="token")
            order = action_store.locked_order(s, shop, order_id)
            moved: set[str] = set()
            if bool(order.ship_together) != (kind == SHIP_TOGETHER):
                order.ship_together = kind == SHIP_TOGETHER
                s.flush()
                moved = self._planning.refresh_orders(s, shop, [order_id], shop_policy(s, shop),
                                                      now.date(), look_behind=False)
            result = _result(action)
        if moved:
            self._enqueue(SyncShop(shop))
        return result

    def _act(self, shop: str, customer_id: str, order_id: str, line_id: str, key: str,
             kind: str, units: int | None, to_variant_id: str | None) -> ActionResult:
        earlier, claimed = self._claim(shop, customer_id, order_id, line_id, key, kind, units,
                                       to_variant_id)
        if earlier is not None:
            return earlier  # this form was sent before
        units_refund = None
        if claimed.by_refund:
            outcome = self._gateway.refund_units(shop, order_id, line_id, claimed.units,
                                                 _staff_note(kind, claimed.units),
                                                 _refund_key(shop, key))
            refused, units_refund = outcome.refused, _units_money(claimed, outcome)
        else:
            refused = self._sold_out(shop, claimed) or self._gateway.take_off_units(
                shop, order_id, line_id, claimed.variant_id, claimed.units,
                _staff_note(kind, claimed.units), replace_with=to_variant_id)
        refund = None if refused else self._refund_difference(shop, order_id, key, claimed)
        with self._db.transaction() as s:
            row = action_store.by_key(s, shop, key)
            row.status, row.message = ("refused", refused) if refused else ("done", "")
            if not refused and units_refund is not None:
                row.refund, row.refund_note = units_refund
            elif refund is not None:
                row.refund, row.refund_note = refund
            elif not refused and claimed.owed:
                row.refund, row.refund_note = "owed", claimed.owed
            moved = set() if refused else self._replan(s, shop, line_id, claimed)
            result = _result(row)
        if moved:
            self._enqueue(SyncShop(shop))
        return result

    def _replan(self, s: Tx, shop: str, line_id: str, claimed: _Claimed) -> set[str]:
        """The units are off the order: off the app's line too, and its queue planned again.
        The line is set to what the edit left (its open units at the claim, less these), so an
        edit webhook handled meanwhile is not counted twice."""
        self._planning.lock_pools(s, shop, [claimed.pool])
        line = action_store.locked_line(s, shop, line_id)
        line.open_quantity = max(0, min(line.open_quantity, claimed.open_before - claimed.units))
        return self._planning.replan(s, shop, [claimed.pool], "the customer took units off")

    def _refund_difference(self, shop: str, order_id: str, key: str,
                           claimed: _Claimed) -> tuple[str, str] | None:
        """After a swap to a cheaper alternative, with the shop's refunds on: the difference
        refunded as money, (refund, note) either way; None when there is nothing to refund."""
        if claimed.refund_amount is None:
            return None
        amount = claimed.refund_amount.quantize(Decimal("0.01"))
        refused = self._gateway.refund_money(
            shop, order_id, amount,
            f"Backorders: the price difference of {claimed.units} unit(s) the customer swapped "
            "for a cheaper alternative.", _refund_key(shop, key))
        if refused:
            return "owed", f"{claimed.owed} (the app's refund was refused: {refused})"
        return "issued", f"{claimed.owed}, refunded by the app"

    def _claim(self, shop: str, customer_id: str, order_id: str, line_id: str, key: str,
               kind: str, units: int | None,
               to_variant_id: str | None) -> tuple[ActionResult | None, _Claimed | None]:
        """Record the action as started, and what to ask of the platform. When the same form
        was sent before: what became of it."""
        with self._db.transaction() as s:
            earlier = action_store.by_key(s, shop, key)
            if earlier is not None:
                return _result(earlier), None
            policy = shop_policy(s, shop)
            _check_allowed(policy, kind)
            line = action_store.customer_line(s, shop, customer_id, order_id, line_id)
            if line is None:
                raise NotFound("no such line on your open orders", field="line")
            if kind == SWAP:
                claimed = _swap(s, shop, line, to_variant_id or "", policy.refund_cancelled_units)
            else:
                if units is None or not 1 <= units <= line.backordered:
                    raise InvalidInput(_units_message(line.backordered), field="units")
                price = _price(getattr(action_store.variants(s, shop, [line.variant_id])
                                       .get(line.variant_id), "price", None))
                claimed = _Claimed(line.variant_id, units, by_refund=policy.refund_cancelled_units,
                                   owed=_owed(units, price, "the units cancelled"))
            claimed = replace(claimed, open_before=line.open_quantity, pool=line.pool)
            action = CustomerAction(shop=shop, key=key, customer_id=customer_id,
                                    order_id=order_id, line_id=line_id, kind=kind,
                                    units=claimed.units, to_variant_id=to_variant_id,
                                    status="started", message="", created_at=self._clock())
            if not action_store.add(s, action):  # the same form, sent again at the same moment
                raise Conflict("this form was already sent", field="token")
            return None, claimed

    def _sold_out(self, shop: str, claimed: _Claimed) -> str | None:
        """Why a swap cannot go ahead on the alternative's stock as the platform has it now."""
        if claimed.stock_item is None:
            return None
        readings = self._gateway.stock(shop, [claimed.stock_item])
        available = sum(max(0, r.available) for r in readings)
        if available >= claimed.units:
            return None
        return (f"the alternative sold out a moment ago ({available} left, {claimed.units} "
                "needed); your order is unchanged")


def _check_allowed(policy: Policy, kind: str) -> None:
    if kind == CANCEL and not policy.customers_may_cancel:
        raise NotAllowed("this shop does not let customers cancel backordered units",
                         field="action")
    if kind == SWAP and not policy.customers_may_swap:
        raise NotAllowed("this shop does not let customers swap backordered units",
                         field="action")


def _swap(s: Tx, shop: str, line, to_variant_id: str, refunds: bool) -> _Claimed:
    """The swap of a line's owed units, when the variant is one it was offered and costs no
    more than what was bought; with `refunds`, the app is to refund the difference."""
    if not line.backordered:
        raise InvalidInput("nothing on this line is still owed", field="line")
    offered = {as_entry(e)["variant_id"] for e in line.alternatives or []}
    if to_variant_id not in offered:
        raise InvalidInput("choose one of the alternatives offered for this line",
                           field="variant")
    variants = action_store.variants(s, shop, [line.variant_id, to_variant_id])
    bought, wanted = variants.get(line.variant_id), variants.get(to_variant_id)
    if wanted is None or not wanted.inventory_item_id:
        raise InvalidInput("this alternative is not sold any more", field="variant")
    prices = (_price(wanted.price), _price(bought.price) if bought else None)
    if None in prices or prices[0] > prices[1]:
        raise InvalidInput("only an alternative at the same price or less can be swapped in",
                           field="variant")
    difference = prices[1] - prices[0]
    return _Claimed(line.variant_id, line.backordered, wanted.inventory_item_id,
                    owed=_owed(line.backordered, difference, "the price difference")
                    if difference > 0 else "",
                    refund_amount=difference * line.backordered
                    if refunds and difference > 0 else None)


def _units_money(claimed: _Claimed, outcome: UnitsRefund) -> tuple[str, str]:
    """(refund, note) of a cancel made as a refund: issued when the units went back with their
    money; owed, left to staff with the reason, when the money (or part of it) did not."""
    if outcome.money_left is None:
        return "issued", (f"{claimed.units} unit(s) refunded by the app, {outcome.money:.2f} "
                          "sent back to the customer")
    sent = f"{outcome.money:.2f} sent back by the app, " if outcome.money > 0 else ""
    return "owed", (f"{claimed.owed} (the units were refunded by the app, {sent}the money "
                    f"not: {outcome.money_left})")


def _owed(units: int, price: Decimal | None, what: str) -> str:
    """What the customer is owed, for staff; at the catalog's price of today."""
    if price is None:
        return f"{what}: {units} unit(s), price unknown"
    return f"{what}: {units} × {price} = {(price * units).quantize(Decimal('0.01'))}"


def _refund_key(shop: str, key: str) -> str:
    """The platform's idempotency key of an action's refund (a cancel's units, a swap's price
    difference): one per form, whatever the retries."""
    return "backorders-" + sha256(f"{shop}:{key}".encode()).hexdigest()[:40]


def _price(text: str | None) -> Decimal | None:
    """A price as the mirror keeps it; None when unknown (a swap then is refused)."""
    try:
        return Decimal(text or "")
    except InvalidOperation:
        return None


def _staff_note(kind: str, units: int) -> str:
    if kind == SWAP:
        return f"Backorders: the customer swapped {units} unit(s) still owed for an alternative."
    return f"Backorders: the customer took {units} unit(s) still owed off this line."


def _units_message(owed: int) -> str:
    if not owed:
        return "nothing on this line is still owed"
    return f"units must be a whole number from 1 to {owed}, the units still owed"


def _result(action: CustomerAction) -> ActionResult:
    return ActionResult(action.kind, action.order_id, action.line_id, action.units,
                        action.status, action.message, action.to_variant_id, action.refund)
