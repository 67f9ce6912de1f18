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
            g.shop = _saleor_staff(services)
            return view(*args, **kwargs)
        claims = decode_session_token(request.headers.get("Authorization"), services.config)
        if not services.installs.is_installed(claims["shop"]):
            raise InvalidSessionToken(f"{claims['shop']} has not installed the app")
        g.shop = claims["shop"]
        return view(*args, **kwargs)

    return wrapper


def _saleor_staff(services) -> str:
    """The Saleor instance whose staff user sent the request."""
    api_url = request.headers["Saleor-Api-Url"].strip()
    token = (request.headers.get("Authorization-Bearer") or "").strip()
    if not token:
        raise Unauthenticated("header Authorization-Bearer is missing",
                              field="Authorization-Bearer")
    try:
        services.saleor_installs.staff_claims(api_url, token)
    except (NotRegistered, BadToken) as exc:
        raise Unauthenticated(str(exc), field="Authorization-Bearer") from None
    except NotPermitted as exc:
        raise Forbidden(str(exc)) from None
    return api_url
