"""Errors raised by the Shopify Admin client and the document loader.

Each error says which shop it concerns and carries the platform's own details, so the sync can
decide what to do (retry later, refresh the install, record a merchant-facing problem) without
parsing messages.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class ShopifyError(Exception):
    """Base of every error of the Shopify platform adapter."""

    def __init__(self, message: str, *, shop: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.shop = shop
        self.details = details

    def __str__(self) -> str:
        return f"{self.message} (shop {self.shop})" if self.shop else self.message


class RequestRejected(ShopifyError):
    """Something that claims to come from Shopify does not check out (a shop domain, a session
    token, a token grant). The web layer answers it (app/errors.py); `field` names what."""

    code = "unauthorized"
    field: str | None = None


class NotAShopDomain(RequestRejected):
    code = "bad_request"
    field = "shop"


class BadSessionToken(RequestRejected):
    """App Bridge retries a request refused for this with a fresh session token."""

    code = "invalid_session_token"


class TokenRequestFailed(RequestRejected):
    """Shopify refused to issue a token (bad code, spent refresh token, invalid session token)."""

    code = "token_request_failed"


class Unauthorized(ShopifyError):
    """The access token was rejected even after one refresh: the install needs attention."""


class TransientFailure(ShopifyError):
    """Every attempt hit a temporary fault (throttling, 429, 5xx, network); try again later."""

    def __init__(
        self,
        message: str,
        *,
        shop: str | None = None,
        cause: BaseException | str | None = None,
        attempts: int = 0,
        **details: Any,
    ) -> None:
        super().__init__(message, shop=shop, **details)
        self.cause = cause
        self.attempts = attempts


class GraphQLErrors(ShopifyError):
    """Top-level GraphQL errors: the request itself was wrong (bad query, access denied, cost)."""

    def __init__(self, errors: list[dict], *, shop: str | None = None, **details: Any) -> None:
        messages = "; ".join(str(error.get("message", error)) for error in errors) or "errors"
        super().__init__(f"GraphQL errors: {messages}", shop=shop, **details)
        self.errors = errors

    @property
    def codes(self) -> list[str | None]:
        return [(error.get("extensions") or {}).get("code") for error in self.errors]


class UserError(NamedTuple):
    """One entry of a mutation payload's `userErrors`, tagged with the root field it came from.

    `alias` is the response key of the root field (its alias in a composed request), so a caller
    that composed several parts can tell which part failed.
    """

    alias: str
    field: tuple[str, ...]
    message: str
    code: str | None
    element_index: int | None = None  # the refused element of a list input (metafieldsSet)


class UserErrors(ShopifyError):
    """The platform refused some input of a mutation; the request itself went through."""

    def __init__(self, user_errors: list[UserError], *, shop: str | None = None) -> None:
        summary = "; ".join(
            f"{error.alias}.{'.'.join(error.field) or '-'}: {error.message}"
            for error in user_errors
        )
        super().__init__(f"user errors: {summary}", shop=shop)
        self.user_errors = user_errors


class DocumentError(ShopifyError):
    """A GraphQL document cannot be loaded or composed (several operations, clashing names)."""
