"""Goodwill for a long wait: a single-use discount code for the customer whose order has waited
the shop's waiting-long days, sent in the "waiting long" notice. Off by default.

The merchant chooses the kind (a percentage off, a fixed amount off, or free shipping), its
amount, how many codes one customer may get at most (ever), and how much the codes of one
calendar month may be worth. A code's worth is what it can cost the shop at most, as far as the
app can know it when the code is made: a fixed amount its amount; free shipping its highest
shipping price made free (the amount); a percentage its share of what the waiting units cost.

Pure: the standard library only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from app.domain.errors import InvalidInput

PERCENTAGE, FIXED_AMOUNT, FREE_SHIPPING = "percentage", "fixed_amount", "free_shipping"
KINDS = (PERCENTAGE, FIXED_AMOUNT, FREE_SHIPPING)
MAX_AMOUNT = Decimal("100000")
MAX_BUDGET = Decimal("10000000")
MAX_CAP = 100
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class GoodwillSettings:
    """Defaults: off; 10 % off; one code per customer; 100 a month."""

    enabled: bool = False
    kind: str = PERCENTAGE
    amount: Decimal = Decimal("10.00")  # percent, money off, or the highest shipping price made free
    cap_per_customer: int = 1
    budget_per_month: Decimal = Decimal("100.00")

    @classmethod
    def from_dict(cls, data: Any) -> GoodwillSettings:
        """The settings page's JSON; a bad value raises `InvalidInput` naming its field."""
        if not isinstance(data, Mapping):
            raise InvalidInput("goodwill must be an object", field="goodwill")
        known = {"enabled", "kind", "amount", "cap_per_customer", "budget_per_month"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInput(f"unknown goodwill setting {unknown[0]!r}",
                               field=f"goodwill.{unknown[0]}")
        base = cls()
        enabled = data.get("enabled", base.enabled)
        if not isinstance(enabled, bool):
            raise InvalidInput("goodwill.enabled must be true or false", field="goodwill.enabled")
        kind = data.get("kind", base.kind)
        if kind not in KINDS:
            raise InvalidInput(f"goodwill.kind must be one of {', '.join(KINDS)}",
                               field="goodwill.kind")
        amount = _money(data.get("amount", base.amount), "goodwill.amount", MAX_AMOUNT)
        if kind == PERCENTAGE and amount > 100:
            raise InvalidInput("goodwill.amount must be at most 100 for a percentage",
                               field="goodwill.amount")
        cap = data.get("cap_per_customer", base.cap_per_customer)
        if isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= MAX_CAP:
            raise InvalidInput(f"goodwill.cap_per_customer must be an integer from 1 to {MAX_CAP}",
                               field="goodwill.cap_per_customer")
        budget = _money(data.get("budget_per_month", base.budget_per_month),
                        "goodwill.budget_per_month", MAX_BUDGET)
        return cls(enabled, kind, amount, cap, budget)

    def to_dict(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "kind": self.kind, "amount": str(self.amount),
                "cap_per_customer": self.cap_per_customer,
                "budget_per_month": str(self.budget_per_month)}

    def worth(self, owed_value: Decimal) -> Decimal:
        """What one code may cost the shop, counted against the month's budget. `owed_value`:
        the price of the units the order waits for."""
        if self.kind == PERCENTAGE:
            return (owed_value * self.amount / 100).quantize(CENT, ROUND_HALF_UP)
        return self.amount


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a code is given, its worth, and why not when it is not."""

    give: bool
    worth: Decimal
    reason: str = ""


def decide(settings: GoodwillSettings, customer_id: str | None, codes_of_customer: int,
           spent_this_month: Decimal, owed_value: Decimal) -> Verdict:
    """Whether the order's customer gets a code now: never past the cap per customer, never past
    the month's budget, never for a guest (a code limited to nobody would be anybody's)."""
    worth = settings.worth(owed_value)
    if not customer_id:
        return Verdict(False, Decimal(0), "the order has no customer account")
    if codes_of_customer >= settings.cap_per_customer:
        return Verdict(False, Decimal(0),
                       f"the customer already has {codes_of_customer} code(s), the cap")
    if worth <= 0:
        return Verdict(False, Decimal(0), "the code would be worth nothing")
    if spent_this_month + worth > settings.budget_per_month:
        return Verdict(False, Decimal(0),
                       f"{worth} more would pass this month's budget of "
                       f"{settings.budget_per_month} ({spent_this_month} given)")
    return Verdict(True, worth)


def _money(value: Any, name: str, high: Decimal) -> Decimal:
    """A positive amount with at most two decimals, given as a number or as text."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise InvalidInput(f"{name} must be an amount such as 10 or 12.50", field=name)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"{name} must be an amount such as 10 or 12.50", field=name) from None
    if not amount.is_finite() or amount <= 0 or amount > high or amount != amount.quantize(CENT):
        raise InvalidInput(f"{name} must be more than 0 and at most {high}, in cents at most",
                           field=name)
    return amount.quantize(CENT)
