"""Requests from the shop's storefront through Shopify's app proxy, and the links the app signs.

Shopify forwards `/apps/backorders/...` on the shop's domain to the app and adds `shop`,
`logged_in_customer_id` (empty for a guest), `path_prefix`, `timestamp` and `signature` to the
query ("Authenticate app proxies" on shopify.dev): the signature is the hex HMAC-SHA256, keyed
with the app's client secret, of every other parameter as `key=value` (the values of a repeated
key joined by commas), sorted and concatenated with no separator. It is checked in constant time
against every accepted secret (a rotation keeps the previous one). The query is signed when the
request is made, so an old one is refused: a signed URL seen in a log or a referrer gives nobody
a customer's page later.

The links the app puts in messages (a customer opening the page from an email, not logged in)
are signed by the app itself, with an expiry, for one customer of one shop.

Each action form on the page carries a token the app signed for that customer, order and line,
with a nonce: a form posted from anywhere else (a cross-site request, another customer's page)
has no valid token, and the nonce names the form, so the same form sent twice is one action."""

from __future__ import annotations

import hashlib
import hmac
import secrets as random_tokens
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.platforms.shopify.errors import RequestRejected
from app.platforms.shopify.oauth import valid_shop

MAX_AGE_S = 300  # a proxied request is signed as it is made
LINK_SALT = "backorders-customer-link"
FORM_SALT = "backorders-customer-form"
SIGNED = ("shop", "timestamp", "signature")


class ProxyRejected(RequestRejected):
    """The storefront request does not carry a valid app proxy signature."""

    field = "signature"


class LinkRejected(RequestRejected):
    field = "link"


class FormRejected(RequestRejected):
    field = "token"


@dataclass(frozen=True)
class ProxyRequest:
    shop: str
    customer_id: str | None  # the logged-in customer's id as orders carry it; None for a guest


def verify_proxy(query: Mapping[str, Sequence[str]], secrets: Sequence[str],
                 now: float) -> ProxyRequest:
    """The shop and customer a proxied storefront request is signed for."""
    missing = [key for key in SIGNED if not query.get(key)]
    if missing:
        raise ProxyRejected(f"the app proxy parameter {missing[0]} is missing")
    given = query["signature"][-1]
    message = _message(query).encode()
    if not any(hmac.compare_digest(given, hmac.new(s.encode(), message, hashlib.sha256)
                                   .hexdigest()) for s in secrets):
        raise ProxyRejected("the app proxy signature does not match")
    if not _fresh(query["timestamp"][-1], now):
        raise ProxyRejected("the app proxy request is too old; load the page again")
    customer = _single(query, "logged_in_customer_id")
    return ProxyRequest(valid_shop(_single(query, "shop")), customer or None)


def sign_link(secret: str, shop: str, customer_id: str) -> str:
    """A token for one customer's page, to put in a message; `read_link` checks its age."""
    return URLSafeTimedSerializer(secret, salt=LINK_SALT).dumps([shop, customer_id])


def read_link(token: str, secrets: Sequence[str], shop: str, max_age_s: int) -> str:
    """The customer a link was signed for, when it is for this shop and not expired."""
    try:
        signed_shop, customer = URLSafeTimedSerializer(list(reversed(secrets)),
                                                       salt=LINK_SALT).loads(token,
                                                                             max_age=max_age_s)
    except SignatureExpired:
        raise LinkRejected("the link has expired; ask the shop for a new one") from None
    except (BadSignature, ValueError, TypeError):
        raise LinkRejected("the link is not valid") from None
    if signed_shop != shop:
        raise LinkRejected("the link is for another shop")
    return customer


def sign_form(secret: str, shop: str, customer_id: str, order_id: str, line_id: str) -> str:
    """The token of one action form: for this customer's line, with a nonce of its own."""
    nonce = random_tokens.token_urlsafe(16)
    return URLSafeTimedSerializer(secret, salt=FORM_SALT).dumps(
        [shop, customer_id, order_id, line_id, nonce])


def read_form(token: str, secrets: Sequence[str], shop: str, customer_id: str, order_id: str,
              line_id: str, max_age_s: int) -> str:
    """The form's nonce, when its token was signed for this customer's line and is not too old."""
    try:
        signed = URLSafeTimedSerializer(list(reversed(secrets)), salt=FORM_SALT).loads(
            token, max_age=max_age_s)
    except SignatureExpired:
        raise FormRejected("the form has expired; load the page again") from None
    except (BadSignature, ValueError, TypeError):
        raise FormRejected("the form was not sent from your backorders page") from None
    if not isinstance(signed, list) or len(signed) != 5:
        raise FormRejected("the form was not sent from your backorders page")
    if signed[:4] != [shop, customer_id, order_id, line_id]:
        raise FormRejected("the form is for another order line or customer")
    return signed[4]


def _message(query: Mapping[str, Sequence[str]]) -> str:
    return "".join(sorted(f"{key}={','.join(values)}" for key, values in query.items()
                          if key != "signature"))


def _fresh(timestamp: str, now: float) -> bool:
    try:
        return abs(now - int(timestamp)) <= MAX_AGE_S
    except ValueError:
        return False


def _single(query: Mapping[str, Sequence[str]], key: str) -> str:
    values = query.get(key) or [""]
    if len(values) > 1:
        raise ProxyRejected(f"the app proxy parameter {key} is given twice")
    return values[0]
