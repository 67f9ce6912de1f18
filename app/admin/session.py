"""Session-token authentication for the embedded page's JSON API: a shop only sees its own data.

Inside Shopify's admin the page sends App Bridge's session token (`Authorization: Bearer`);
inside Saleor's Dashboard it sends the Dashboard's token (`Authorization-Bearer`) and the
instance's API URL (`Saleor-Api-Url`), as Saleor's app SDK does."""

from __future__ import annotations

from functools import wraps

from flask import current_app, g, request

from app.errors import Forbidden, InvalidSessionToken, Unauthenticated
from app.platforms.saleor.installs import BadToken, NotPermitted, NotRegistered
from app.platforms.shopify.oauth import decode_session_token


def require_session(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        services = current_app.extensions["backorders"]
        if request.headers.get("Saleor-Api-Url"):
            g.shop = saleor_staff(services, request.headers["Saleor-Api-Url"],
                                  request.headers.get("Authorization-Bearer"),
                                  "Authorization-Bearer")
            g.actor = "saleor staff"
            return view(*args, **kwargs)
        claims = decode_session_token(request.headers.get("Authorization"), services.config)
        if not services.installs.is_installed(claims["shop"]):
            raise InvalidSessionToken(f"{claims['shop']} has not installed the app")
        g.shop = claims["shop"]
        g.actor = _actor(claims)
        return view(*args, **kwargs)

    return wrapper


def _actor(claims: dict) -> str:
    """Who acts, for the record of the merchant's actions: the staff member's id in Shopify
    (the token's `sub`), as Shopify's admin names them."""
    sub = str(claims.get("sub") or "").strip()
    return f"staff {sub}" if sub else "staff"


def saleor_staff(services, api_url: str, token: str | None, field: str) -> str:
    """The Saleor instance (its API URL) whose staff user sent this Dashboard token; `field`
    names where the token came from."""
    api_url, token = api_url.strip(), (token or "").strip()
    if not token:
        raise Unauthenticated(f"{field} is missing", field=field)
    try:
        services.saleor_installs.staff_claims(api_url, token)
    except (NotRegistered, BadToken) as exc:
        raise Unauthenticated(str(exc), field=field) from None
    except NotPermitted as exc:
        raise Forbidden(str(exc)) from None
    return api_url
