"""The splits our own holds make, kept so that the platform's word of them is not taken for
someone else's change.

A hold of some lines of a fulfillment order splits it: the held units stay, the others move to a
new fulfillment order, and the platform says so in a webhook as it would of anyone's split. The
sync knows that outcome already (it read the fulfillment order, chose the units, and the
platform answered the new fulfillment order's id), so reading the order again for it would cost
a second read of every order held in part. Each split is kept on the order's applied state:
before the write, the fulfillment order and the units that will move (the webhook may come
before the write's answer is recorded); once the platform answered, also the fulfillment order
it split off. A webhook showing exactly that (the same fulfillment order, the same units moved,
to the fulfillment order the platform named, nothing replaced) is ours and is taken off the
list; any other split (the merchant's, another app's, other units) asks for a re-check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.services.ports import FulfillmentOrderSplit

SPLITS = "own_splits"  # `applied`: the splits of our holds whose webhook has not come yet
KEPT = 20  # at most this many, newest last: a webhook that never comes is forgotten in time

Expected = tuple[str, tuple[int, ...]]  # (fulfillment order held, units that move, sorted)


def expected(holds: Iterable[tuple[str, tuple[tuple[str, int], ...], str]],
             remaining: Mapping[str, Mapping[str, int]]) -> tuple[Expected, ...]:
    """The splits these holds make: per hold naming lines, the units of each line of the
    fulfillment order that are not held (`remaining`: per fulfillment order, each line's units)."""
    found = []
    for fo_id, lines, _ in holds:
        if not lines:
            continue  # the whole fulfillment order: nothing moves
        held = dict(lines)
        moved = sorted(units - held.get(line, 0) for line, units in remaining.get(fo_id, {}).items()
                       if units - held.get(line, 0) > 0)
        if moved:
            found.append((fo_id, tuple(moved)))
    return tuple(found)


def about_to_split(applied: Mapping, splits: Iterable[Expected]) -> dict:
    """`applied` with these splits added, not yet answered by the platform."""
    entries = list(applied.get(SPLITS) or ())
    entries += [{"fulfillment_order": fo_id, "units": list(units)} for fo_id, units in splits]
    return {**applied, SPLITS: entries[-KEPT:]}


def answered(entries: Iterable[Mapping], split_off: Mapping[str, str]) -> list[dict]:
    """The kept splits once the platform answered the write: an unanswered one gets the
    fulfillment order split off, or is dropped when the platform split nothing there."""
    kept = []
    for entry in entries or ():
        if "split_off" in entry:
            kept.append(dict(entry))
        elif entry["fulfillment_order"] in split_off:
            kept.append({**entry, "split_off": split_off[entry["fulfillment_order"]]})
    return kept[-KEPT:]


def match(applied: Mapping, split: FulfillmentOrderSplit) -> int | None:
    """The index of the kept split that `split` reports, if it is one of ours."""
    if split.replaced:
        return None
    for index, entry in enumerate(applied.get(SPLITS) or ()):
        if (entry["fulfillment_order"] == split.fulfillment_order_id
                and tuple(sorted(entry["units"])) == tuple(sorted(split.units))
                and entry.get("split_off", split.split_off_id) == split.split_off_id):
            return index
    return None


def without(applied: Mapping, index: int) -> dict:
    """`applied` with the kept split at `index` taken off: its webhook came."""
    entries = [e for i, e in enumerate(applied.get(SPLITS) or ()) if i != index]
    rest = {k: v for k, v in applied.items() if k != SPLITS}
    return {**rest, SPLITS: entries} if entries else rest
