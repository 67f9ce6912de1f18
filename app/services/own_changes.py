"""The changes our own writes make to fulfillment orders, kept so that the platform's word of them
is not taken for someone else's change.

A hold of some lines of a fulfillment order splits it: the held units stay, the others move to a
new fulfillment order. Releasing our hold from a fulfillment order nobody else holds reopens it.
The platform announces both in webhooks as it would anyone's, and the sync knows either outcome
already (it read the fulfillment orders, chose what to write, and the platform answered), so
reading the order again for it would cost a second read of every order held in part. Each is
kept on the order's applied state: before the write (its webhook may come before the write's
answer is recorded) and, once the platform answered, as it answered: a split with the
fulfillment order the platform split off, a release that left the fulfillment order open.

A webhook showing exactly one of them is ours, and takes it off the list: a split of the same
fulfillment order moving the same units to the fulfillment order the platform named, nothing
replaced; the release of the same fulfillment order. Any other change (the merchant's split or
release, another app's, other units) asks for a re-check. What a read of the order saw needs no
webhook: a sync that read the order keeps only what its own write made, so a record whose webhook
never came does not outlive the next read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.services.ports import FulfillmentOrderSplit, FulfillmentOrderState, Hold

SPLITS = "own_splits"  # `applied`: splits our holds made whose webhook has not come yet
RELEASES = "own_releases"  # `applied`: fulfillment orders our releases reopened, likewise
KEPT = 20  # at most this many of each, newest last


@dataclass(frozen=True)
class Expected:
    """What one order's write will make the platform announce."""

    splits: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (held, units moved, sorted)
    releases: tuple[str, ...] = ()  # fulfillment orders our release reopens

    def __bool__(self) -> bool:
        return bool(self.splits or self.releases)

    def fulfillment_orders(self) -> list[str]:
        """Those the write changes: the webhooks that announce it name them."""
        return [fo_id for fo_id, _ in self.splits] + list(self.releases)


def expected(holds: Iterable[Hold], release: Iterable[tuple[str, tuple[str, ...]]],
             fulfillment_orders: Iterable[FulfillmentOrderState]) -> Expected:
    """The splits these holds make (per hold naming lines, the units of each line of the
    fulfillment order that are not held) and the fulfillment orders these releases reopen (those
    holding no one else's hold: ours are all released together)."""
    shown = {fo.fulfillment_order_id: fo for fo in fulfillment_orders}
    splits = []
    for fo_id, lines, _ in holds:
        if not lines or fo_id not in shown:
            continue  # the whole fulfillment order: nothing moves
        held = dict(lines)
        moved = sorted(line.remaining - held.get(line.fulfillment_order_line_id, 0)
                       for line in shown[fo_id].lines
                       if line.remaining > held.get(line.fulfillment_order_line_id, 0))
        if moved:
            splits.append((fo_id, tuple(moved)))
    reopened = tuple(fo_id for fo_id, _ in release
                     if fo_id in shown and not shown[fo_id].others_holds)
    return Expected(tuple(splits), reopened)


def before_write(applied: Mapping, coming: Expected) -> dict:
    """`applied` with what this write will make, not yet answered by the platform."""
    splits = list(applied.get(SPLITS) or ())
    splits += [{"fulfillment_order": fo_id, "units": list(units)} for fo_id, units in coming.splits]
    releases = list(applied.get(RELEASES) or ())
    releases += [{"fulfillment_order": fo_id} for fo_id in coming.releases]
    return _with(applied, splits, releases)


def answered(applied: Mapping, split_off: Mapping[str, str], reopened: Iterable[str],
             read: bool) -> dict:
    """`applied` with its records as the platform answered the write: an unanswered
    split gets the fulfillment order split off, an unanswered release stays when the platform
    said the fulfillment order is open; one the platform did not make is dropped. `read`: the
    sync read the order before this write, so earlier records are dropped."""
    reopened = set(reopened)
    splits, releases = [], []
    for entry in applied.get(SPLITS) or ():
        if "split_off" in entry:
            if not read:
                splits.append(dict(entry))
        elif entry["fulfillment_order"] in split_off:
            splits.append({**entry, "split_off": split_off[entry["fulfillment_order"]]})
    for entry in applied.get(RELEASES) or ():
        if entry.get("answered"):
            if not read:
                releases.append(dict(entry))
        elif entry["fulfillment_order"] in reopened:
            releases.append({**entry, "answered": True})
    return _with(applied, splits, releases)


def records(applied: Mapping) -> dict:
    """The records alone (`SPLITS`, `RELEASES`) of an applied state."""
    return {k: v for k, v in applied.items() if k in (SPLITS, RELEASES)}


def without_ours(applied: Mapping, split: FulfillmentOrderSplit | None = None,
                 released: str | None = None) -> dict | None:
    """`applied` without the record of this change when it is one of ours; None when it is
    not (then it asks for a re-check)."""
    splits = list(applied.get(SPLITS) or ())
    releases = list(applied.get(RELEASES) or ())
    if split is not None and not split.replaced:
        for index, entry in enumerate(splits):
            if (entry["fulfillment_order"] == split.fulfillment_order_id
                    and tuple(sorted(entry["units"])) == tuple(sorted(split.units))
                    and entry.get("split_off", split.split_off_id) == split.split_off_id):
                return _with(applied, splits[:index] + splits[index + 1:], releases)
    if released is not None:
        for index, entry in enumerate(releases):
            if entry["fulfillment_order"] == released:
                return _with(applied, splits, releases[:index] + releases[index + 1:])
    return None


def _with(applied: Mapping, splits: list, releases: list) -> dict:
    rest = {k: v for k, v in applied.items() if k not in (SPLITS, RELEASES)}
    return {**rest, **({SPLITS: splits[-KEPT:]} if splits else {}),
            **({RELEASES: releases[-KEPT:]} if releases else {})}
