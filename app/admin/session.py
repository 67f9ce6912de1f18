"""Session-token authentication for the embedded page's JSON API: a shop only sees its own data."""

from __future__ import annotations

from functools import wraps

from flask import current_app, g, request

from app.errors import InvalidSessionToken
from app.platforms.shopify.oauth import decode_session_token


def require_session(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        services = current_app.extensions["backorders"]
        claims = decode_session_token(request.headers.get("Authorization"), services.config)
        if not services.installs.is_installed(claims["shop"]):
            raise InvalidSessionToken(f"{claims['shop']} has not installed the app")
        g.shop = claims["shop"]
        return view(*args, **kwargs)

    return wrapper
