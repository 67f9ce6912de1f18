"""The authorization-code grant: `/auth` sends the merchant to Shopify, `/auth/callback` comes back.

Used outside the admin (a direct install link) and as the fallback to token exchange. Each
callback is checked: query HMAC, a fresh timestamp, a `state` we issued and have not spent, and a
valid shop domain."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request

from app.errors import BadRequest, Unauthenticated
from app.platforms.shopify import oauth

bp = Blueprint("auth", __name__)


@bp.get("/auth")
def begin():
    services = current_app.extensions["backorders"]
    shop = oauth.valid_shop(request.args.get("shop"))
    if request.args.get("hmac") and not oauth.query_hmac_ok(_params(), services.config.api_secrets):
        raise Unauthenticated("install request has an invalid hmac")
    state = oauth.new_state()
    services.installs.remember_state(shop, state)
    return redirect(oauth.authorize_url(services.config, shop, state))


@bp.get("/auth/callback")
def callback():
    services = current_app.extensions["backorders"]
    params = _params()
    shop = oauth.valid_shop(request.args.get("shop"))
    if not oauth.query_hmac_ok(params, services.config.api_secrets):
        raise Unauthenticated("callback has a missing or invalid hmac")
    if not oauth.callback_fresh(request.args.get("timestamp"), services.clock()):
        raise Unauthenticated("callback timestamp is missing or too old")
    code = request.args.get("code")
    if not code:
        raise BadRequest("callback has no code", field="code")
    services.installs.spend_state(shop, request.args.get("state"), oauth.STATE_MAX_AGE)
    services.installs.install(shop, services.tokens.exchange_code(shop, code))
    return redirect(f"{services.config.admin_base(shop)}/admin/apps/{services.config.api_key}")


def _params() -> dict:
    return {k: (request.args.getlist(k) if k.endswith("[]") else request.args.get(k))
            for k in request.args}
