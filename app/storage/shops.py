"""Shops, their tokens and the OAuth states of their installs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update
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


def catalog_changed(tx: Session, shop: str) -> None:
    """Raise the shop's catalog version, in SQL: two transactions that both change the catalog
    each raise it, whichever commits first (a row already read is brought up to date)."""
    tx.execute(update(Shop).where(Shop.shop == shop)
               .values(catalog_version=Shop.catalog_version + 1))
    tx.info.setdefault(_CATALOG_CHANGED, set()).add(shop)


_CATALOG_CHANGED = "catalog_changed"


def catalog_changed_in(tx: Session) -> set[str]:
    """The shops whose catalog this transaction changed, not committed yet."""
    return tx.info.get(_CATALOG_CHANGED, set())


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
