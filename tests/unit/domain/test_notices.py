"""The customer's notices: each once per real change, whatever the number of plans and syncs."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.errors import BadParameter, InvalidInput
from app.domain.model import Eta, LinePlan
from app.domain.notices import (
    CANCELLED,
    CREATED,
    DELIVERED,
    ETA_CHANGED,
    KINDS,
    READY,
    WAITING_LONG,
    NoticeFacts,
    NoticeSettings,
    Told,
    example,
    facts_of,
    notices_due,
    parse_kind,
    sample_facts,
    with_note,
)
from app.domain.order_view import order_view
from app.domain.policy import Policy

TODAY = date(2026, 12, 1)


def waiting(eta: str = "2026-12-10", owed: int = 2, **more) -> NoticeFacts:
    return NoticeFacts(owed=owed, lines=(("Mug", owed),), eta=eta, earliest=eta, latest=eta,
                       reason="restock", since="2026-11-30", **more)


def told_after(facts: NoticeFacts, told: Told | None = None) -> tuple[list[str], Told]:
    """The keys sent and what is recorded, as the sync does when all are taken."""
    told = told or Told()
    steps = notices_due(facts, told, TODAY)
    return [s.notice.key for s in steps if s.notice], steps[-1].told if steps else told


def test_an_order_that_goes_short_is_told_once():
    keys, told = told_after(waiting())
    assert keys == ["created:1"]
    assert told_after(waiting(), told) == ([], told)  # planned again, synced again: nothing


def test_created_carries_the_lines_the_units_and_the_range():
    (step,) = notices_due(waiting(), Told(), TODAY)
    assert step.notice.kind == CREATED
    assert step.notice.values == {"units": 2, "lines": "2 × Mug", "eta": "2026-12-10",
                                  "earliest": "2026-12-10", "latest": "2026-12-10"}


def test_an_eta_move_below_the_threshold_is_not_told_and_does_not_add_up():
    _, told = told_after(waiting())
    keys, told = told_after(waiting("2026-12-11", eta_change_days=2), told)
    assert keys == [] and told.eta == "2026-12-10"
    keys, told = told_after(waiting("2026-12-12", eta_change_days=2), told)
    assert keys == ["eta_changed:1:1"]  # two days from the date told, though one from the last
    assert told.eta == "2026-12-12"


def test_an_eta_change_says_old_new_and_why():
    _, told = told_after(waiting())
    facts = NoticeFacts(owed=2, lines=(("Mug", 2),), eta="2026-12-20", earliest="2026-12-18",
                        latest="2026-12-24", reason="restock_overdue", since="2026-11-30")
    (step,) = notices_due(facts, told, TODAY)
    assert step.notice.kind == ETA_CHANGED
    assert step.notice.values == {"previous": "2026-12-10", "eta": "2026-12-20",
                                  "earliest": "2026-12-18", "latest": "2026-12-24", "days": 10,
                                  "reason": "the restock is late"}
    sooner = notices_due(waiting("2026-12-05"), told, TODAY)[0].notice.values
    assert sooner["days"] == -5 and sooner["reason"] == "stock is expected sooner"


def test_each_change_has_its_own_key_and_a_flap_back_is_a_change_too():
    _, told = told_after(waiting())
    first, told = told_after(waiting("2026-12-20"), told)
    back, told = told_after(waiting("2026-12-10"), told)
    assert (first, back) == (["eta_changed:1:1"], ["eta_changed:1:2"])


def test_ready_closes_the_backorder_and_delivery_asks_once():
    _, told = told_after(waiting())
    keys, told = told_after(NoticeFacts(), told)
    assert keys == ["ready:1"] and not told.open
    keys, told = told_after(NoticeFacts(delivered=True), told)
    assert keys == ["delivered"]
    assert told_after(NoticeFacts(delivered=True), told) == ([], told)


def test_ready_and_delivered_in_one_sync_go_in_that_order():
    _, told = told_after(waiting())
    keys, _ = told_after(NoticeFacts(delivered=True), told)
    assert keys == ["ready:1", "delivered"]


def test_an_order_never_told_of_a_backorder_hears_nothing_of_its_end():
    """Short and filled again between two syncs: the customer never heard of it."""
    assert told_after(NoticeFacts()) == ([], Told())
    assert told_after(NoticeFacts(delivered=True)) == ([], Told())
    assert told_after(NoticeFacts(cancelled=True)) == ([], Told())


def test_a_cancelled_backorder_is_told_once_and_never_as_ready():
    _, told = told_after(waiting())
    keys, told = told_after(NoticeFacts(cancelled=True), told)
    assert keys == ["cancelled:1"]
    assert told_after(NoticeFacts(cancelled=True), told) == ([], told)


def test_waiting_long_is_told_once_per_backorder():
    _, told = told_after(waiting())
    keys, told = told_after(waiting(waiting_long=True), told)
    assert keys == ["waiting_long:1"]
    assert notices_due(waiting(waiting_long=True), Told(), TODAY)[1].notice.values == {
        "days": 1, "units": 2, "eta": "2026-12-10"}
    assert told_after(waiting(waiting_long=True), told) == ([], told)


def test_a_second_backorder_of_the_same_order_is_a_new_episode():
    _, told = told_after(waiting())
    _, told = told_after(NoticeFacts(), told)
    keys, told = told_after(waiting(), told)
    assert keys == ["created:2"] and told.episode == 2


def test_a_notice_turned_off_is_not_sent_but_the_record_moves_on():
    off = frozenset(KINDS) - {CREATED}
    steps = notices_due(waiting(enabled=off), Told(), TODAY)
    assert [s.notice for s in steps] == [None] and steps[-1].told.open
    keys, _ = told_after(NoticeFacts(enabled=off), steps[-1].told)
    assert keys == ["ready:1"]


def test_an_eta_change_turned_off_keeps_the_date_told():
    _, told = told_after(waiting())
    keys, after = told_after(waiting("2026-12-20", enabled=frozenset(KINDS) - {ETA_CHANGED}),
                             told)
    assert keys == [] and after.eta == "2026-12-10"


def test_facts_and_told_survive_their_stored_form():
    facts = waiting(waiting_long=True)
    assert NoticeFacts.from_dict(facts.as_dict()) == facts
    told = Told(2, True, "2026-12-10", 3, 1, True, False)
    assert Told.from_dict(told.as_dict()) == told


def test_facts_of_a_view():
    eta = Eta(date(2026, 12, 10), date(2026, 12, 8), date(2026, 12, 14), "restock", "high",
              "r1", True)
    plans = [LinePlan("l1", "o1", "p", 3, 1, 2, None, eta), LinePlan("l2", "o1", "q", 1, 1, 0,
                                                                     None, None)]
    view = order_view("o1", plans, Policy())
    settings = NoticeSettings(waiting_long_days=3)
    facts = facts_of(view, {"l1": "Mug", "l2": "Cup"}, settings, TODAY, date(2026, 11, 28))
    assert (facts.owed, facts.lines, facts.eta, facts.reason, facts.waiting_long) == (
        2, (("Mug", 2),), "2026-12-10", "restock_overdue", True)
    assert not facts_of(view, {}, settings, TODAY, date(2026, 11, 29)).waiting_long
    gone = facts_of(view, {}, settings, TODAY, cancelled=True, delivered=True)
    assert (gone.owed, gone.cancelled, gone.delivered) == (0, True, False)


def test_settings_defaults_and_round_trip():
    settings = NoticeSettings.from_dict({"enabled": {"delivered": False}, "eta_change_days": 5})
    assert settings.enabled == frozenset(KINDS) - {DELIVERED}
    assert (settings.eta_change_days, settings.waiting_long_days) == (5, 14)
    assert NoticeSettings.from_dict(settings.to_dict()) == settings
    assert Policy.from_dict({"notices": settings.to_dict()}).notices == settings
    assert {READY, WAITING_LONG, CANCELLED} <= Policy().notices.enabled


@pytest.mark.parametrize("value, field", [
    ([], "notices"),
    ({"enabled": {"created": "yes"}}, "notices.enabled.created"),
    ({"enabled": {"shipped": True}}, "notices.enabled.shipped"),
    ({"enabled": []}, "notices.enabled"),
    ({"eta_change_days": 0}, "notices.eta_change_days"),
    ({"eta_change_days": True}, "notices.eta_change_days"),
    ({"waiting_long_days": 366}, "notices.waiting_long_days"),
    ({"sound": "loud"}, "notices.sound"),
])
def test_bad_settings_name_their_field(value, field):
    with pytest.raises(InvalidInput) as error:
        Policy.from_dict({"notices": value})
    assert error.value.field == field


def test_a_backorder_taken_off_the_order_is_told_as_cancelled():
    """Refunded or edited away: nothing left to ship and nothing shipped."""
    _, told = told_after(waiting())
    keys, _ = told_after(NoticeFacts(withdrawn=True), told)
    assert keys == ["cancelled:1"]


# the merchant's "notify": an update of the date as it stands


def test_an_asked_update_is_sent_once_with_the_date_unmoved():
    _, told = told_after(waiting())
    keys, after = told_after(waiting(update=1), told)
    assert keys == ["update:1"]
    step = notices_due(waiting(update=1), told, TODAY)[0]
    assert step.notice.kind == ETA_CHANGED
    assert (step.notice.values["previous"], step.notice.values["eta"],
            step.notice.values["days"]) == ("2026-12-10", "2026-12-10", 0)
    assert told_after(waiting(update=1), after)[0] == []  # the same ask: nothing more
    assert told_after(waiting(update=2), after)[0] == ["update:2"]


def test_an_update_asked_as_the_backorder_opens_is_the_created_notice():
    keys, after = told_after(waiting(update=1))
    assert keys == ["created:1"] and after.updates == 1


def test_an_update_is_not_sent_for_an_order_owing_nothing():
    _, told = told_after(waiting())
    keys, _ = told_after(waiting(owed=0, update=1), told)
    assert keys == ["ready:1"]


def test_states_without_updates_keep_their_stored_form():
    assert "update" not in waiting().as_dict() and "updates" not in Told().as_dict()
    assert NoticeFacts.from_dict(waiting(update=3).as_dict()).update == 3
    assert Told.from_dict(Told(updates=2).as_dict()).updates == 2


# the settings page's preview


def test_an_example_carries_what_the_due_notice_of_the_same_facts_carries():
    facts = waiting(eta="2026-12-20")
    told = Told(1, True, "2026-12-10", 2)
    due = {step.notice.kind: step.notice.values for step in notices_due(facts, Told(), TODAY)}
    moved = {step.notice.kind: step.notice.values for step in notices_due(facts, told, TODAY)}
    settings = NoticeSettings()
    assert example(CREATED, facts, settings, TODAY).values == due[CREATED]
    assert example(ETA_CHANGED, facts, settings, TODAY, told).values == moved[ETA_CHANGED]


def test_an_example_fills_what_its_facts_do_not_say_from_the_settings():
    settings = NoticeSettings(eta_change_days=5, waiting_long_days=20)
    facts = waiting(eta="2026-12-20")
    change = example(ETA_CHANGED, facts, settings, TODAY).values
    assert (change["previous"], change["days"]) == ("2026-12-15", 5)
    assert change["reason"] == "the restock date moved"
    assert example(WAITING_LONG, facts, settings, TODAY).values["days"] == 20
    assert example(DELIVERED, facts, settings, TODAY).values == {"backorders": 1}
    assert example(READY, facts, settings, TODAY).values == {"units": 2}
    assert example(CANCELLED, facts, settings, TODAY).values == {"units": 2}


def test_the_sample_order_waits_for_two_units():
    facts = sample_facts(NoticeSettings(), TODAY)
    assert facts.owed == 2 and facts.eta == "2026-12-13"
    assert {example(kind, facts, NoticeSettings(), TODAY).kind for kind in KINDS} == set(KINDS)


@pytest.mark.parametrize("args,field", [({}, "kind"), ({"kind": "x"}, "kind"),
                                        ({"kind": "ready", "extra": "1"}, "extra")])
def test_the_preview_takes_one_known_kind(args, field):
    with pytest.raises(BadParameter) as raised:
        parse_kind(args)
    assert raised.value.field == field
    assert parse_kind({"kind": "waiting_long"}) == WAITING_LONG


def test_a_kinds_note_goes_with_its_notices_and_round_trips():
    settings = NoticeSettings.from_dict({"notes": {"ready": "  Thanks!  ", "created": ""}})
    assert settings.notes == (("ready", "Thanks!"),)
    assert NoticeSettings.from_dict(settings.to_dict()) == settings
    assert settings.to_dict()["notes"]["created"] == ""
    ready = with_note(example(READY, waiting(), settings, TODAY), settings)
    assert ready.values == {"units": 2, "note": "Thanks!"}
    assert with_note(example(CREATED, waiting(), settings, TODAY), settings).values["note"] == ""
