"""A shop's backorder policy: how the queue is ordered, how dates are counted, caps.

The policy arrives from the settings page as JSON, so `from_dict` is the gate: every value is
checked and a bad one raises `InvalidInput` naming the field, so the page can point at it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from app.domain.calendar import BusinessCalendar
from app.domain.errors import InvalidInput
from app.domain.goodwill import GoodwillSettings
from app.domain.notices import NoticeSettings

LEAD_TIME_SCOPES = ("variant", "product_type", "vendor")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_MAX_DAYS = 365
# Longest lists a shop's policy may hold: far above any real shop, low enough that a save (or a
# careless script) cannot make every plan of the shop slow.
MAX_TAGS = 100
MAX_TAG_LENGTH = 255
MAX_CLOSED_DATES = 1_000
MAX_TABLE_ENTRIES = 10_000
MAX_KEY_LENGTH = 255


def _frozen_map(values: Mapping[str, int] | None = None) -> Mapping[str, int]:
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True, slots=True)
class Policy:
    """Defaults: FIFO, ship complete, one processing day, Saturday and Sunday closed,
    14 days of lead time plus 3 days of safety margin, no caps."""

    priority_tags: tuple[str, ...] = ()
    age_boost_days: int | None = None
    ship_complete: bool = True
    processing_days: int = 1
    weekend_days: frozenset[int] = frozenset({5, 6})
    country: str | None = None
    closed_dates: frozenset[date] = frozenset()
    default_lead_time_days: int = 14
    lead_time_by_variant: Mapping[str, int] = field(default_factory=_frozen_map)
    lead_time_by_product_type: Mapping[str, int] = field(default_factory=_frozen_map)
    lead_time_by_vendor: Mapping[str, int] = field(default_factory=_frozen_map)
    safety_margin_days: int = 3
    slip_allowance_days: int = 3
    learn_lead_times: bool = True
    prior_weight: int = 3
    default_cap: int | None = None
    cap_by_variant: Mapping[str, int] = field(default_factory=_frozen_map)
    cap_follows_incoming: bool = False
    notices: NoticeSettings = NoticeSettings()  # what the customer hears, and when
    customers_may_cancel: bool = False  # take their backordered units off from their page
    customers_may_swap: bool = False  # swap them for an offered alternative costing no more
    refund_cancelled_units: bool = False  # the app refunds the units a customer cancels
    goodwill: GoodwillSettings = GoodwillSettings()  # a code for a long wait (off by default)

    def business_calendar(self, holidays: frozenset[date] = frozenset()) -> BusinessCalendar:
        """The shop's calendar: its weekend, its closed dates and the public holidays given."""
        return BusinessCalendar(self.weekend_days, self.closed_dates | holidays)

    def cap_for(self, variant_id: str) -> int | None:
        """The variant's own cap, else the shop's default cap, else none."""
        return self.cap_by_variant.get(variant_id, self.default_cap)

    def merchant_lead_time(self, variant_id: str, product_type: str, vendor: str) -> tuple[int, str]:
        """Most specific merchant value wins: variant > product type > vendor > default."""
        for scope, table, key in (
            ("variant", self.lead_time_by_variant, variant_id),
            ("product_type", self.lead_time_by_product_type, product_type),
            ("vendor", self.lead_time_by_vendor, vendor),
        ):
            if key and key in table:
                return table[key], scope
        return self.default_lead_time_days, "shop"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        if not isinstance(data, Mapping):
            raise InvalidInput("policy must be an object", field="policy")
        unknown = sorted(set(data) - _KNOWN_KEYS)
        if unknown:
            raise InvalidInput(f"unknown setting {unknown[0]!r}", field=unknown[0])
        values: dict[str, Any] = {}
        for key, parse in _PARSERS.items():
            if key in data:
                values.update(parse(data[key]))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "priority_tags": list(self.priority_tags),
            "age_boost_days": self.age_boost_days,
            "ship_complete": self.ship_complete,
            "processing_days": self.processing_days,
            "weekend_days": sorted(self.weekend_days),
            "country": self.country,
            "closed_dates": [d.isoformat() for d in sorted(self.closed_dates)],
            "default_lead_time_days": self.default_lead_time_days,
            "lead_times": {
                "variant": dict(self.lead_time_by_variant),
                "product_type": dict(self.lead_time_by_product_type),
                "vendor": dict(self.lead_time_by_vendor),
            },
            "safety_margin_days": self.safety_margin_days,
            "slip_allowance_days": self.slip_allowance_days,
            "learn_lead_times": self.learn_lead_times,
            "prior_weight": self.prior_weight,
            "caps": {"default": self.default_cap, "variant": dict(self.cap_by_variant)},
            "cap_follows_incoming": self.cap_follows_incoming,
            "notices": self.notices.to_dict(),
            "customers_may_cancel": self.customers_may_cancel,
            "customers_may_swap": self.customers_may_swap,
            "refund_cancelled_units": self.refund_cancelled_units,
            "goodwill": self.goodwill.to_dict(),
        }


def _int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{name} must be an integer from {low} to {high}", field=name)
    return value


def _optional_int(value: Any, name: str, low: int, high: int) -> int | None:
    return None if value is None else _int(value, name, low, high)


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false", field=name)
    return value


def _tags(value: Any) -> dict[str, Any]:
    name = "priority_tags"
    if not isinstance(value, list | tuple):
        raise InvalidInput("priority tags must be a list of tags", field=name)
    _at_most(value, MAX_TAGS, name)
    tags: dict[str, None] = {}  # ordered, and a repeat is found in constant time
    for tag in value:
        if not isinstance(tag, str) or not tag.strip() or len(tag) > MAX_TAG_LENGTH:
            raise InvalidInput(f"priority tags must be text of 1 to {MAX_TAG_LENGTH} characters",
                               field=name)
        if tag.strip() in tags:
            raise InvalidInput(f"tag {tag.strip()!r} is listed twice", field=name)
        tags[tag.strip()] = None
    return {name: tuple(tags)}


def _at_most(values, limit: int, name: str) -> None:
    if len(values) > limit:
        raise InvalidInput(f"{name} may hold at most {limit} entries", field=name)


def _weekend(value: Any) -> dict[str, Any]:
    name = "weekend_days"
    if not isinstance(value, list | tuple):
        raise InvalidInput("weekend days must be a list of weekday numbers", field=name)
    days = frozenset(_int(d, name, 0, 6) for d in value)
    if len(days) == 7:
        raise InvalidInput("at least one day of the week must be open", field=name)
    return {name: days}


def _country(value: Any) -> dict[str, Any]:
    if value is None:
        return {"country": None}
    if not isinstance(value, str) or not _COUNTRY.match(value.upper()):
        raise InvalidInput("country must be a two-letter code such as US", field="country")
    return {"country": value.upper()}


def _closed_dates(value: Any) -> dict[str, Any]:
    name = "closed_dates"
    if not isinstance(value, list | tuple):
        raise InvalidInput("closed dates must be a list of YYYY-MM-DD dates", field=name)
    _at_most(value, MAX_CLOSED_DATES, name)
    parsed = set()
    for item in value:
        try:
            parsed.add(item if isinstance(item, date) else date.fromisoformat(item))
        except (TypeError, ValueError):
            raise InvalidInput(f"{item!r} is not a YYYY-MM-DD date", field=name) from None
    return {name: frozenset(parsed)}


def _day_table(value: Any, name: str, low: int, high: int) -> Mapping[str, int]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{name} must be an object of name: days", field=name)
    _at_most(value, MAX_TABLE_ENTRIES, name)
    table = {}
    for key, days in value.items():
        if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
            raise InvalidInput(f"{name} keys must be text of 1 to {MAX_KEY_LENGTH} characters",
                               field=name)
        table[key] = _int(days, f"{name}.{key}", low, high)
    return _frozen_map(table)


def _lead_times(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput("lead times must be an object", field="lead_times")
    unknown = sorted(set(value) - set(LEAD_TIME_SCOPES))
    if unknown:
        raise InvalidInput(f"unknown lead time scope {unknown[0]!r}", field="lead_times")
    return {
        f"lead_time_by_{scope}": _day_table(value[scope], f"lead_times.{scope}", 1, _MAX_DAYS)
        for scope in LEAD_TIME_SCOPES
        if scope in value
    }


def _caps(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput("caps must be an object", field="caps")
    unknown = sorted(set(value) - {"default", "variant"})
    if unknown:
        raise InvalidInput(f"unknown cap setting {unknown[0]!r}", field="caps")
    parsed: dict[str, Any] = {}
    if "default" in value:
        parsed["default_cap"] = _optional_int(value["default"], "caps.default", 1, 1_000_000)
    if "variant" in value:
        parsed["cap_by_variant"] = _day_table(value["variant"], "caps.variant", 1, 1_000_000)
    return parsed


def _scalar(name: str, low: int, high: int, optional: bool = False):
    def parse(value: Any) -> dict[str, Any]:
        if optional:
            return {name: _optional_int(value, name, low, high)}
        return {name: _int(value, name, low, high)}

    return parse


def _flag(name: str):
    return lambda value: {name: _bool(value, name)}


_PARSERS = {
    "priority_tags": _tags,
    "age_boost_days": _scalar("age_boost_days", 1, _MAX_DAYS, optional=True),
    "ship_complete": _flag("ship_complete"),
    "processing_days": _scalar("processing_days", 0, 60),
    "weekend_days": _weekend,
    "country": _country,
    "closed_dates": _closed_dates,
    "default_lead_time_days": _scalar("default_lead_time_days", 1, _MAX_DAYS),
    "lead_times": _lead_times,
    "safety_margin_days": _scalar("safety_margin_days", 0, 60),
    "slip_allowance_days": _scalar("slip_allowance_days", 1, 60),
    "learn_lead_times": _flag("learn_lead_times"),
    "prior_weight": _scalar("prior_weight", 0, 100),
    "caps": _caps,
    "cap_follows_incoming": _flag("cap_follows_incoming"),
    "notices": lambda value: {"notices": NoticeSettings.from_dict(value)},
    "customers_may_cancel": _flag("customers_may_cancel"),
    "customers_may_swap": _flag("customers_may_swap"),
    "refund_cancelled_units": _flag("refund_cancelled_units"),
    "goodwill": lambda value: {"goodwill": GoodwillSettings.from_dict(value)},
}
_KNOWN_KEYS = frozenset(_PARSERS)
