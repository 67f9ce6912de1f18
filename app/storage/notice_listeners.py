"""Which kinds of notice each shop listens to (see `NoticeListener`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.storage.tables import NoticeListener
from app.storage.upsert import insert_ignore


def record(tx: Session, shop: str, kind: str, listening: bool, at: datetime) -> bool:
    """Keep what the platform said unless it said something later already (its messages may
    arrive out of order; of two stamped alike, the one that came last stands); whether it
    was kept."""
    first = tx.execute(insert_ignore(tx, NoticeListener, [
        {"shop": shop, "kind": kind, "listening": listening, "stamped_at": at}])
        .returning(NoticeListener.kind)).first()
    if first is not None:
        return True
    row = tx.get(NoticeListener, (shop, kind), with_for_update=True)
    if row.stamped_at > at:
        return False
    row.listening, row.stamped_at = listening, at
    return True


def heard(tx: Session, shop: str, kinds: Iterable[str]) -> frozenset[str]:
    """The kinds of `kinds` the shop listens to: a kind's own row says; a kind without one is
    heard while any row that names no kind ("*", an unknown trigger) listens."""
    kinds = frozenset(kinds)
    said = {kind: listening for kind, listening in tx.execute(
        select(NoticeListener.kind, NoticeListener.listening).where(NoticeListener.shop == shop))}
    others = any(listening for kind, listening in said.items() if kind not in kinds)
    return frozenset(kind for kind in kinds if said.get(kind, others))
