"""Caps on overselling: how many units a variant may owe before it stops selling.

Shopify's inventory policy is binary (CONTINUE sells past zero, DENY does not), so a cap is
enforced by flipping it: DENY once the debt reaches the cap, CONTINUE again once it falls below.
A cap may follow the incoming restocks instead, selling no more than is on its way.
"""

from __future__ import annotations

from app.domain.errors import InvalidInput
from app.domain.policy import Policy

DENY, CONTINUE = "DENY", "CONTINUE"


def effective_cap(cap: int | None, incoming: int = 0, follow_incoming: bool = False) -> int | None:
    """The limit in force: the incoming quantity when following it (never above a set cap)."""
    if incoming < 0:
        raise InvalidInput("incoming quantity cannot be negative", field="incoming")
    if cap is not None and cap < 1:
        raise InvalidInput("a cap must be a positive number of units", field="cap")
    if not follow_incoming:
        return cap
    return incoming if cap is None else min(cap, incoming)


def inventory_policy_for(
    units_owed: int, cap: int | None, incoming: int = 0, follow_incoming: bool = False
) -> str:
    """"DENY" when the variant owes as many units as it may, else "CONTINUE"."""
    if units_owed < 0:
        raise InvalidInput("units owed cannot be negative", field="units_owed")
    limit = effective_cap(cap, incoming, follow_incoming)
    if limit is None:
        return CONTINUE
    return DENY if units_owed >= limit else CONTINUE


def units_left_under_cap(
    units_owed: int, cap: int | None, incoming: int = 0, follow_incoming: bool = False
) -> int | None:
    """How many more units may be oversold (None when uncapped), for the admin page."""
    limit = effective_cap(cap, incoming, follow_incoming)
    return None if limit is None else max(0, limit - units_owed)


def inventory_policy_for_variant(
    policy: Policy, variant_id: str, units_owed: int, incoming: int = 0
) -> str:
    """The shop's rule for one variant: its cap (or the default) and whether caps follow
    incoming stock."""
    return inventory_policy_for(
        units_owed, policy.cap_for(variant_id), incoming, policy.cap_follows_incoming
    )
