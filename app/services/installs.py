"""Shops and their tokens: install, re-install, uninstall, and an always-fresh access token.

Offline tokens expire after an hour. A token is refreshed shortly before it expires and when the
API rejects it; the new pair is written in one transaction, under a row lock, so two workers never
both spend the same refresh token."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from app.domain.errors import DomainError
from app.services.messages import Enqueue, SetUpShop, nowhere
from app.services.ports import TokenGrant, TokenIssuer
from app.storage import shops as shop_store
from app.storage.db import Database, Tx
from app.storage.tables import OAuthState, Shop
from app.storage.token_cipher import TokenCipher

REFRESH_AHEAD = timedelta(minutes=5)


class StateRejected(DomainError):
    """An OAuth `state` that is unknown, of another shop, already spent or too old."""

    code = "unauthorized"


class NotInstalled(DomainError):
    """The shop has not installed the app, or must install it again (no token left)."""

    code = "not_installed"


class Installs:
    def __init__(self, db: Database, cipher: TokenCipher, issuer: TokenIssuer,
                 clock: Callable[[], datetime], enqueue: Enqueue = nowhere):
        self._db = db
        self._cipher = cipher
        self._issuer = issuer
        self._clock = clock
        self._enqueue = enqueue

    def install(self, shop: str, grant: TokenGrant) -> None:
        """Install or re-install: the new token replaces any old one."""
        with self._db.transaction() as s:
            row = shop_store.find(s, shop, lock=True) or Shop(shop=shop, policy={})
            row.installed = True
            row.installed_at = self._clock()
            row.uninstalled_at = None
            self._store(row, grant)
            shop_store.add(s, row)
        self._enqueue(SetUpShop(shop))

    def uninstall(self, shop: str) -> bool:
        """Revoke: forget the tokens and stop all work for the shop. False if it was not ours."""
        with self._db.transaction() as s:
            row = shop_store.find(s, shop, lock=True)
            if row is None:
                return False
            revoke(row, self._clock())
            return True

    def remember_state(self, shop: str, state: str) -> None:
        """A `state` handed to the shop's authorize page, to be spent once by its callback."""
        with self._db.transaction() as s:
            shop_store.add_oauth_state(s, OAuthState(nonce=state, shop=shop,
                                                     created_at=self._clock()))

    def spend_state(self, shop: str, state: str | None, max_age: timedelta) -> None:
        with self._db.transaction() as s:
            row = shop_store.locked_oauth_state(s, state or "")
            if row is None or row.shop != shop:
                raise StateRejected("unknown state", field="state")
            if row.used_at is not None:
                raise StateRejected("state already used", field="state")
            if self._clock() - row.created_at > max_age:
                raise StateRejected("state expired", field="state")
            row.used_at = self._clock()

    def purge_oauth_states(self, max_age: timedelta) -> int:
        """`/auth` stores a state for anyone who asks; once too old to be spent, spent or not,
        it is deleted, so the table does not grow with every visit."""
        with self._db.transaction() as s:
            return shop_store.delete_oauth_states_before(s, self._clock() - max_age)

    def is_installed(self, shop: str) -> bool:
        with self._db.transaction() as s:
            row = shop_store.find(s, shop)
            return bool(row and row.installed)

    def installed_shops(self) -> list[str]:
        with self._db.transaction() as s:
            return shop_store.installed(s)

    # CredentialsProvider, used by the Admin API client.
    def access_token(self, shop: str) -> str:
        with self._db.transaction() as s:
            row = self._installed_row(s, shop, lock=False)
            if not _expires_soon(row, self._clock()):
                return self._cipher.decrypt(row.access_token)
        return self._refresh(shop, rejected=None)

    def refreshed_token(self, shop: str, rejected_token: str) -> str:
        return self._refresh(shop, rejected=rejected_token)

    def _refresh(self, shop: str, rejected: str | None) -> str:
        with self._db.transaction() as s:
            row = self._installed_row(s, shop, lock=True)
            current = self._cipher.decrypt(row.access_token)
            stale = rejected is not None and current == rejected
            if not stale and not _expires_soon(row, self._clock()):
                return current  # another worker refreshed it meanwhile
            if not row.refresh_token:
                raise NotInstalled(f"{shop} has no refresh token; the app must be re-installed",
                                   shop=shop)
            grant = self._issuer.refresh(shop, self._cipher.decrypt(row.refresh_token))
            self._store(row, grant)
            return grant.access_token

    def _installed_row(self, s: Tx, shop: str, lock: bool) -> Shop:
        row = shop_store.find(s, shop, lock=lock)
        if row is None or not row.installed or not row.access_token:
            raise NotInstalled(f"{shop} has not installed the app", shop=shop)
        return row

    def _store(self, row: Shop, grant: TokenGrant) -> None:
        row.scopes = grant.scopes
        row.access_token = self._cipher.encrypt(grant.access_token)
        row.access_expires_at = grant.access_expires_at
        row.refresh_token = self._cipher.encrypt(grant.refresh_token) if grant.refresh_token else None
        row.refresh_expires_at = grant.refresh_expires_at

    def rotate_encryption(self) -> int:
        """Re-encrypt every stored token with the newest key; returns how many shops."""
        count = 0
        with self._db.transaction() as s:
            for row in shop_store.with_tokens(s):
                row.access_token = self._cipher.rotate(row.access_token)
                if row.refresh_token:
                    row.refresh_token = self._cipher.rotate(row.refresh_token)
                count += 1
        return count


def revoke(row: Shop, now: datetime) -> None:
    row.installed = False
    row.uninstalled_at = now
    row.access_token = row.refresh_token = None
    row.access_expires_at = row.refresh_expires_at = None


def _expires_soon(row: Shop, now: datetime) -> bool:
    return row.access_expires_at is not None and row.access_expires_at - now <= REFRESH_AHEAD
