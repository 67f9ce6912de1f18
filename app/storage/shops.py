"""Shops, their tokens and the OAuth states of their installs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.storage.tables import OAuthState, OrderLine, RestockRow, Shop


def find(tx: Session, shop: str, lock: bool = False) -> Shop | None:
    """`lock`: held until the transaction ends, so two workers never both change its tokens.
    Unlocked, a row the transaction has read already is not read again."""
    return tx.get(Shop, shop, with_for_update=True if lock else None)


def scopes(tx: Session, shop: str) -> str | None:
    """The scopes granted, comma-separated, as recorded at install and on scope updates."""
    return tx.scalar(select(Shop.scopes).where(Shop.shop == shop))


def platform(tx: Session, shop: str) -> str | None:
    return tx.scalar(select(Shop.platform).where(Shop.shop == shop))


def add(tx: Session, row: Shop) -> None:
    tx.add(row)


def installed(tx: Session) -> list[str]:
    return list(tx.scalars(select(Shop.shop).where(Shop.installed.is_(True))))


def with_tokens(tx: Session) -> Iterable[Shop]:
    return tx.scalars(select(Shop).where(Shop.access_token.is_not(None)))


def add_oauth_state(tx: Session, state: OAuthState) -> None:
    tx.add(state)


def locked_oauth_state(tx: Session, nonce: str) -> OAuthState | None:
    """Locked until the transaction ends: a state is spent once, by one callback."""
    return tx.get(OAuthState, nonce, with_for_update=True)


def delete_oauth_states_before(tx: Session, cutoff: datetime) -> int:
    return tx.execute(delete(OAuthState).where(OAuthState.created_at < cutoff)).rowcount


def any_restock(tx: Session, shop: str) -> bool:
    """Whether the shop has ever entered a restock (arrived ones included)."""
    return tx.scalar(select(RestockRow.id).where(RestockRow.shop == shop).limit(1)) is not None


def ever_backordered(tx: Session, shop: str) -> bool:
    """Whether any line of the shop has ever been short."""
    return tx.scalar(select(OrderLine.line_id).where(
        OrderLine.shop == shop, OrderLine.backordered_at.is_not(None)).limit(1)) is not None
