"""What the customer should hear about a backorder, and when: notices the platform turns into
messages (a workflow the merchant builds starts from each).

A notice is due once per real change, never once per plan. The order's desired state carries
the facts (`NoticeFacts`: what is owed, the ETA, whether the order was cancelled or delivered)
and the shop's settings; what the customer was told last (`Told`) is part of the applied state.
`notices_due` compares the two and names each notice due with a stable key: the same facts and
the same `Told` always give the same notices with the same keys, so a sync that is retried, a
plan made again or a webhook delivered twice sends nothing new, and a state that came and went
between two syncs was never told at all.

A backorder is an episode: it opens when units are first owed (created) and closes when they are
all filled (ready) or the order is cancelled. Within it the ETA may move (a change at least the
merchant's threshold away from the date last told) and it may wait long. Once an order that
waited is delivered, the customer may be asked for feedback.

Pure: the standard library only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from app.domain.errors import BadParameter, InvalidInput
from app.domain.model import Eta

if TYPE_CHECKING:  # the view's module imports the policy, which imports these settings
    from app.domain.order_view import OrderView

CREATED, ETA_CHANGED, READY = "created", "eta_changed", "ready"
WAITING_LONG, CANCELLED, DELIVERED = "waiting_long", "cancelled", "delivered"
KINDS = (CREATED, ETA_CHANGED, READY, WAITING_LONG, CANCELLED, DELIVERED)
MAX_DAYS = 365
NOTE_LIMIT = 500  # characters of the merchant's note on a message
UPDATE_REASON = "an update from the store"


@dataclass(frozen=True, slots=True)
class NoticeSettings:
    """Which notices the shop sends, how far the ETA must move before the customer hears of it
    (days from the date last told), and after how many days without stock an order has waited
    long. Defaults: all on, 2 days, 14 days."""

    enabled: frozenset[str] = frozenset(KINDS)
    eta_change_days: int = 2
    waiting_long_days: int = 14
    # The merchant's words per kind, sent with each message as its "Store note" (empty: none).
    notes: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_dict(cls, data: Any) -> NoticeSettings:
        """The settings page's JSON; a bad value raises `InvalidInput` naming its field."""
        if not isinstance(data, Mapping):
            raise InvalidInput("notices must be an object", field="notices")
        unknown = sorted(set(data) - {"enabled", "eta_change_days", "waiting_long_days", "notes"})
        if unknown:
            raise InvalidInput(f"unknown notice setting {unknown[0]!r}",
                               field=f"notices.{unknown[0]}")
        base = cls()
        return cls(
            enabled=_enabled(data["enabled"], base.enabled) if "enabled" in data else base.enabled,
            eta_change_days=_days(data.get("eta_change_days", base.eta_change_days),
                                  "notices.eta_change_days"),
            waiting_long_days=_days(data.get("waiting_long_days", base.waiting_long_days),
                                    "notices.waiting_long_days"),
            notes=_notes(data.get("notes", {})),
        )

    def to_dict(self) -> dict[str, Any]:
        notes = dict(self.notes)
        return {"enabled": {kind: kind in self.enabled for kind in KINDS},
                "eta_change_days": self.eta_change_days,
                "waiting_long_days": self.waiting_long_days,
                "notes": {kind: notes.get(kind, "") for kind in KINDS}}

    def note(self, kind: str) -> str:
        return dict(self.notes).get(kind, "")


def _notes(value: Any) -> tuple[tuple[str, str], ...]:
    """An object of kind: text, one line of at most `NOTE_LIMIT` characters; empty ones and
    kinds left out have no note."""
    name = "notices.notes"
    _by_kind(value, name, "text")
    notes = []
    for kind in KINDS:
        text = value.get(kind, "")
        if not isinstance(text, str) or len(text) > NOTE_LIMIT or not text.isprintable():
            raise InvalidInput(f"{name}.{kind} must be one line of text of at most {NOTE_LIMIT} "
                               "characters", field=f"{name}.{kind}")
        if text.strip():
            notes.append((kind, text.strip()))
    return tuple(notes)


def _by_kind(value: Any, name: str, what: str) -> None:
    """`value` must be an object keyed by notice kinds."""
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{name} must be an object of notice: {what}", field=name)
    unknown = sorted(set(value) - set(KINDS))
    if unknown:
        raise InvalidInput(f"unknown notice {unknown[0]!r}", field=f"{name}.{unknown[0]}")


def _enabled(value: Any, before: frozenset[str]) -> frozenset[str]:
    """An object of kind: true/false; kinds left out keep their default."""
    name = "notices.enabled"
    _by_kind(value, name, "true or false")
    chosen = set(before)
    for kind, on in value.items():
        if not isinstance(on, bool):
            raise InvalidInput(f"{name}.{kind} must be true or false", field=f"{name}.{kind}")
        (chosen.add if on else chosen.discard)(kind)
    return frozenset(chosen)


def _days(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise InvalidInput(f"{name} must be an integer from 1 to {MAX_DAYS}", field=name)
    return value


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """An order as its notices see it, part of its desired state. `lines` names each line
    still owed units (title, units); `since` is the day its units first went short;
    `waiting_long` whether that is at least the shop's waiting-long days ago (planning knows
    the day; the sync only compares). `reason` says why the ETA is what it is. `withdrawn`: the
    order has nothing left to ship and shipped nothing (refunded or edited away): a backorder
    that ends so is told as cancelled, never as ready."""

    owed: int = 0
    lines: tuple[tuple[str, int], ...] = ()
    eta: str | None = None
    earliest: str | None = None
    latest: str | None = None
    reason: str = ""
    since: str | None = None
    waiting_long: bool = False
    cancelled: bool = False
    delivered: bool = False
    enabled: frozenset[str] = frozenset(KINDS)
    eta_change_days: int = 2
    withdrawn: bool = False  # nothing left to ship and nothing shipped: lines taken off
    # How many updates the merchant has asked to send the customer (the queue's "notify"):
    # one more than the customer was sent is one update due.
    update: int = 0

    def as_dict(self) -> dict[str, Any]:
        asked = {"update": self.update} if self.update else {}  # older states stay as they were
        return {**asked, "owed": self.owed, "lines": [list(line) for line in self.lines], "eta": self.eta,
                "earliest": self.earliest, "latest": self.latest, "reason": self.reason,
                "since": self.since, "waiting_long": self.waiting_long,
                "cancelled": self.cancelled, "delivered": self.delivered,
                "enabled": sorted(self.enabled), "eta_change_days": self.eta_change_days,
                "withdrawn": self.withdrawn}

    @classmethod
    def from_dict(cls, data: Mapping | None) -> NoticeFacts:
        data = data or {}
        return cls(int(data.get("owed") or 0),
                   tuple((str(t), int(u)) for t, u in data.get("lines") or ()),
                   data.get("eta"), data.get("earliest"), data.get("latest"),
                   str(data.get("reason") or ""), data.get("since"),
                   bool(data.get("waiting_long")), bool(data.get("cancelled")),
                   bool(data.get("delivered")),
                   frozenset(data.get("enabled", KINDS)), int(data.get("eta_change_days") or 2),
                   bool(data.get("withdrawn")), int(data.get("update") or 0))


@dataclass(frozen=True, slots=True)
class Told:
    """What the customer was last told of an order, kept with its applied state: the episode
    (how many backorders it has had), whether it is open, the date and units told, how many
    ETA changes were told in it, and whether waiting long and delivery were."""

    episode: int = 0
    open: bool = False
    eta: str | None = None
    owed: int = 0
    changes: int = 0
    long: bool = False
    delivered: bool = False
    updates: int = 0  # the merchant's updates sent, counted over the order's life

    def as_dict(self) -> dict[str, Any]:
        sent = {"updates": self.updates} if self.updates else {}
        return {"episode": self.episode, "open": self.open, "eta": self.eta, "owed": self.owed,
                "changes": self.changes, "long": self.long, "delivered": self.delivered, **sent}

    @classmethod
    def from_dict(cls, data: Mapping | None) -> Told:
        data = data or {}
        return cls(int(data.get("episode") or 0), bool(data.get("open")), data.get("eta"),
                   int(data.get("owed") or 0), int(data.get("changes") or 0),
                   bool(data.get("long")), bool(data.get("delivered")),
                   int(data.get("updates") or 0))


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice to send. `key` is its identity within the order: the same real change always
    has the same key. `values` are platform-neutral (dates as ISO text)."""

    kind: str
    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Step:
    """A notice due (None: one the shop has turned off, which the customer is not sent but the
    record moves past all the same) and what the customer has been told once it is sent."""

    notice: Notice | None
    told: Told


def notices_due(facts: NoticeFacts, told: Told, today: date) -> list[Step]:
    """The notices due, in the order they are to be sent. Sending stops at the first one refused;
    the `told` of the last one sent is what gets recorded."""
    steps: list[Step] = []
    now = told
    if facts.cancelled or (facts.withdrawn and facts.owed == 0):
        if now.open:
            now = _step(steps, facts, CANCELLED, f"cancelled:{now.episode}",
                        {"units": now.owed}, _replace(now, open=False))
        return steps
    if facts.owed > 0:
        if not now.open:
            now = _step(steps, facts, CREATED, f"created:{now.episode + 1}",
                        _created(facts), Told(now.episode + 1, True, facts.eta, facts.owed, 0,
                                              False, now.delivered,
                                              max(now.updates, facts.update)))
        else:
            now = _eta_change(steps, facts, now)
        now = _update(steps, facts, now)
        if facts.waiting_long and not now.long:
            now = _step(steps, facts, WAITING_LONG, f"waiting_long:{now.episode}",
                        _waiting(facts, today), _replace(now, long=True))
        return steps
    if now.open:
        now = _step(steps, facts, READY, f"ready:{now.episode}", {"units": now.owed},
                    _replace(now, open=False))
    if facts.delivered and now.episode and not now.delivered:
        _step(steps, facts, DELIVERED, "delivered", {"backorders": now.episode},
              _replace(now, delivered=True))
    return steps


def _step(steps: list[Step], facts: NoticeFacts, kind: str, key: str,
          values: Mapping[str, Any], after: Told) -> Told:
    steps.append(Step(Notice(kind, key, values) if kind in facts.enabled else None, after))
    return after


def _replace(told: Told, **changes: Any) -> Told:
    return Told(**{**told.as_dict(), **changes})


def _created(facts: NoticeFacts) -> dict[str, Any]:
    return {"units": facts.owed, "lines": _describe(facts.lines), "eta": facts.eta,
            "earliest": facts.earliest, "latest": facts.latest}


def _waiting(facts: NoticeFacts, today: date) -> dict[str, Any]:
    since = date.fromisoformat(facts.since) if facts.since else today
    return {"days": (today - since).days, "units": facts.owed, "eta": facts.eta}


def _eta_change(steps: list[Step], facts: NoticeFacts, now: Told) -> Told:
    """A move of at least the threshold from the date last told. A smaller one is not told and
    the told date stays, so small moves cannot add up unseen. With the notice turned off the
    customer hears nothing and the told date stays too."""
    if not facts.eta or not now.eta or facts.eta == now.eta:
        return now
    days = (date.fromisoformat(facts.eta) - date.fromisoformat(now.eta)).days
    if abs(days) < facts.eta_change_days or ETA_CHANGED not in facts.enabled:
        return now
    return _step(steps, facts, ETA_CHANGED, f"eta_changed:{now.episode}:{now.changes + 1}",
                 _moved(facts, now.eta, days, change_reason(days, facts.reason)),
                 _replace(now, eta=facts.eta, changes=now.changes + 1))


def _moved(facts: NoticeFacts, previous: str | None, days: int, reason: str) -> dict[str, Any]:
    return {"previous": previous, "eta": facts.eta, "earliest": facts.earliest,
            "latest": facts.latest, "days": days, "reason": reason}


def _update(steps: list[Step], facts: NoticeFacts, now: Told) -> Told:
    """The update the merchant asked for: the date as it stands, sent through the ETA-changed
    notice whether or not it moved (the customer's workflow already says what a date means).
    Keyed by the ask's number, so one ask is one message however often the sync runs."""
    if facts.update <= now.updates:
        return now
    days = (date.fromisoformat(facts.eta) - date.fromisoformat(now.eta)).days \
        if facts.eta and now.eta else 0
    return _step(steps, facts, ETA_CHANGED, f"update:{facts.update}",
                 _moved(facts, now.eta, days, UPDATE_REASON),
                 _replace(now, eta=facts.eta or now.eta, updates=facts.update))


def with_note(notice: Notice, settings: NoticeSettings) -> Notice:
    """The notice as it goes out: with the merchant's note for its kind, as it is when sent
    (a note changed later changes no message already sent, and sends none)."""
    return Notice(notice.kind, notice.key, {**notice.values, "note": settings.note(notice.kind)})


def change_reason(days: int, reason: str) -> str:
    """Why the date moved, in words a customer message can use."""
    if days < 0:
        return "stock is expected sooner"
    return {"restock_overdue": "the restock is late",
            "restock": "the restock date moved"}.get(reason, "the estimate was updated")


def _describe(lines: Sequence[tuple[str, int]]) -> str:
    return "; ".join(f"{units} × {title}" for title, units in lines)


def facts_of(view: OrderView, titles: Mapping[str, str], settings: NoticeSettings, today: date,
             since: date | None = None, cancelled: bool = False, delivered: bool = False,
             withdrawn: bool = False, update: int = 0) -> NoticeFacts:
    """The facts of an order's view: what it owes, its ETA (when it ships, as the order shows
    it) and the range, and why. `since`: when its units first went short."""
    owed = [(titles.get(plan.line_id, ""), plan.backordered)
            for plan in view.lines if plan.backordered and not cancelled]
    eta = view.eta if owed else None
    return NoticeFacts(
        owed=sum(units for _, units in owed), lines=tuple(owed),
        eta=eta.ships_on.isoformat() if eta else None,
        earliest=eta.earliest.isoformat() if eta else None,
        latest=eta.latest.isoformat() if eta else None,
        reason=_why(eta), since=since.isoformat() if since and owed else None,
        waiting_long=bool(owed and since and (today - since).days >= settings.waiting_long_days),
        cancelled=cancelled, delivered=delivered and not cancelled,
        enabled=settings.enabled, eta_change_days=settings.eta_change_days,
        withdrawn=withdrawn and not cancelled, update=update)


def _why(eta: Eta | None) -> str:
    if eta is None:
        return ""
    return "restock_overdue" if eta.slipped else eta.source


# The settings page's preview: what each notice carries for one order.


def parse_kind(args: Mapping[str, str]) -> str:
    """The preview's query: `kind`, one of `KINDS`; a bad one raises `BadParameter`."""
    unknown = sorted(set(args) - {"kind"})
    if unknown:
        raise BadParameter(f"unknown parameter {unknown[0]!r}; the preview takes kind",
                           field=unknown[0])
    kind = args.get("kind", "")
    if kind not in KINDS:
        raise BadParameter(f"kind must be one of {', '.join(KINDS)}", field="kind")
    return kind


def sample_facts(settings: NoticeSettings, today: date) -> NoticeFacts:
    """A made-up order for the preview of a shop with nothing waiting: two units of one item,
    short since the day before, expected in twelve days."""
    return NoticeFacts(
        owed=2, lines=(("Sample item", 2),), eta=(today + timedelta(days=12)).isoformat(),
        earliest=(today + timedelta(days=10)).isoformat(),
        latest=(today + timedelta(days=15)).isoformat(), reason="restock",
        since=(today - timedelta(days=1)).isoformat(), enabled=settings.enabled,
        eta_change_days=settings.eta_change_days)


def example(kind: str, facts: NoticeFacts, settings: NoticeSettings, today: date,
            told: Told | None = None) -> Notice:
    """The notice of `kind` for an order with these facts, as `notices_due` builds it (the same
    functions give its values), on the day it would be due. What the facts alone do not say
    is taken from what the customer was told (`told`) or, failing that, from the shop's
    settings: the date told before a change is the threshold away from the date now, a wait
    is the waiting-long days, a delivered order waited once."""
    told = told or Told()
    owed = facts.owed or told.owed
    if kind == CREATED:
        values = _created(facts)
    elif kind == ETA_CHANGED:
        values = _example_move(facts, told, settings)
    elif kind == WAITING_LONG:
        since = date.fromisoformat(facts.since) if facts.since else today
        values = _waiting(facts, max(today, since + timedelta(days=settings.waiting_long_days)))
    elif kind == DELIVERED:
        values = {"backorders": max(told.episode, 1)}
    elif kind in (READY, CANCELLED):
        values = {"units": owed}
    else:
        raise ValueError(f"unknown notice kind {kind!r}")
    return Notice(kind, f"example:{kind}", values)


def _example_move(facts: NoticeFacts, told: Told, settings: NoticeSettings) -> dict[str, Any]:
    if not facts.eta:
        return _moved(facts, told.eta, 0, change_reason(0, facts.reason))
    eta = date.fromisoformat(facts.eta)
    previous = date.fromisoformat(told.eta) if told.eta and told.eta != facts.eta else \
        eta - timedelta(days=settings.eta_change_days)
    days = (eta - previous).days
    return _moved(facts, previous.isoformat(), days, change_reason(days, facts.reason))
