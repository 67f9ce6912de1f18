"""Code discounts made through the Admin API: `discountCodeBasicCreate` (a percentage or a fixed
amount off) and `discountCodeFreeShippingCreate`, as the 2026-10 schema describes them.

What is checked, each refusal a `DiscountUserError` (`field`, `message`, `code`) and nothing made:
- the fields the input descriptions name as required when creating: `code`, `context` (or the
  deprecated `customerSelection`), `startsAt`, `title`, and `customerGets` for the amount-off
  kind; a missing one is `BLANK` (DiscountErrorCode: "The input value is blank");
- a code the shop has already is `TAKEN` ("The input value is already taken");
- a percentage outside 0.00 - 1.00 (DiscountCustomerGetsValueInput.percentage: "Value must be
  between 0.00 - 1.00") and an amount, usage limit or shipping price below zero are
  `VALUE_OUTSIDE_RANGE`; `context` must choose its buyers once (`CONFLICT`, "The attribute
  selection contains conflicting settings"); a customer the shop does not have is `INVALID`.
Both mutations need the `write_discounts` scope (shopify.dev, discountCodeFreeShippingCreate:
"Requires Apps must have write_discounts access scope"; the same for the amount-off kind).

The simulator keeps each code with its buyers, value and limits; it does not model checkout, so
a code is never redeemed here."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .model import Shop, parse_gid

SCOPE = "write_discounts"
BASIC = "basicCodeDiscount"
FREE_SHIPPING = "freeShippingCodeDiscount"


@dataclass
class CodeDiscount:
    id: int
    code: str
    title: str
    kind: str  # percentage, fixed_amount, free_shipping
    value: Decimal  # a fraction for percentage, money otherwise; the shipping price cap for free shipping
    customer_ids: tuple[int, ...]  # empty: every buyer
    usage_limit: int | None
    once_per_customer: bool
    starts_at: str
    ends_at: str | None
    used: int = 0
    extra: dict = field(default_factory=dict)


def create(shop: Shop, next_id, argument: str, given: dict) -> tuple[CodeDiscount | None, list[dict]]:
    """A code discount from the mutation's input (`argument` names it, as the error paths do)."""
    errors = _required(argument, given)
    if errors:
        return None, errors
    code = str(given["code"]).strip()
    if code.lower() in {c.lower() for c in shop.discounts}:
        return None, [_error([argument, "code"], "Code must be unique. Please try a different code.",
                             "TAKEN")]
    customers, errors = _buyers(shop, argument, given)
    if errors:
        return None, errors
    kind, value, errors = _value(argument, given)
    if errors:
        return None, errors
    limit = given.get("usageLimit")
    if limit is not None and limit < 0:
        return None, [_error([argument, "usageLimit"], "Usage limit must be greater than 0.",
                             "VALUE_OUTSIDE_RANGE")]
    discount = CodeDiscount(next_id(), code, str(given["title"]), kind, value, customers, limit,
                            bool(given.get("appliesOncePerCustomer")), str(given["startsAt"]),
                            given.get("endsAt"))
    shop.discounts[code] = discount
    return discount, []


def view(discount: CodeDiscount | None) -> dict | None:
    return None if discount is None else {"id": f"gid://shopify/DiscountCodeNode/{discount.id}"}


def _required(argument: str, given: dict) -> list[dict]:
    names = ["code", "startsAt", "title"] + (["customerGets"] if argument == BASIC else [])
    errors = [_error([argument, name], f"{name} can't be blank", "BLANK")
              for name in names if given.get(name) in (None, "")]
    if given.get("context") is None and given.get("customerSelection") is None:
        errors.append(_error([argument, "context"], "context can't be blank", "BLANK"))
    return errors


def _buyers(shop: Shop, argument: str, given: dict) -> tuple[tuple[int, ...], list[dict]]:
    context_name = "context" if given.get("context") is not None else "customerSelection"
    context = given.get(context_name) or {}
    chosen = [k for k, v in context.items() if v not in (None, False)]
    if len(chosen) != 1:
        return (), [_error([argument, context_name], "Choose exactly one kind of buyer selection.",
                           "CONFLICT")]
    if chosen[0] != "customers":
        return (), []  # every buyer (or segments and markets, not modelled: every buyer)
    ids = []
    for index, value in enumerate((context["customers"] or {}).get("add") or ()):
        parsed = parse_gid(value, "Customer")
        if parsed is None or parsed[1] not in shop.customers:
            return (), [_error([argument, context_name, "customers", "add", str(index)],
                               "Customer does not exist.", "INVALID")]
        ids.append(parsed[1])
    if not ids:
        return (), [_error([argument, context_name, "customers", "add"],
                           "Add at least one customer.", "BLANK")]
    return tuple(ids), []


def _value(argument: str, given: dict) -> tuple[str, Decimal, list[dict]]:
    if argument == FREE_SHIPPING:
        price = given.get("maximumShippingPrice")
        amount = _decimal(price) if price is not None else Decimal(0)
        if amount is None or amount < 0:
            return "", Decimal(0), [_error([argument, "maximumShippingPrice"],
                                           "Maximum shipping price must be 0 or more.",
                                           "VALUE_OUTSIDE_RANGE")]
        return "free_shipping", amount, []
    value = (given["customerGets"] or {}).get("value") or {}
    path = [argument, "customerGets", "value"]
    if value.get("percentage") is not None:
        percentage = _decimal(value["percentage"])
        if percentage is None or not 0 <= percentage <= 1:
            return "", Decimal(0), [_error([*path, "percentage"],
                                           "Value must be between 0.00 - 1.00.",
                                           "VALUE_OUTSIDE_RANGE")]
        return "percentage", percentage, []
    amount = _decimal((value.get("discountAmount") or {}).get("amount"))
    if amount is None or amount <= 0:
        return "", Decimal(0), [_error([*path, "discountAmount", "amount"],
                                       "Value must be greater than 0.", "VALUE_OUTSIDE_RANGE")]
    return "fixed_amount", amount, []


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _error(path: list[str], message: str, code: str) -> dict:
    return {"field": path, "message": message, "code": code, "extraInfo": None}
