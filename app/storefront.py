"""The customer's page in the shop, through Shopify's app proxy (`[app_proxy]` in app.toml):
`/apps/backorders` on the shop's domain. Shopify renders a Liquid answer inside the shop's
theme; `?format=json` (or `Accept: application/json`) answers JSON for the theme's own scripts."""

from __future__ import annotations

from html import escape

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from markupsafe import Markup

from app.errors import Forbidden, Unauthenticated
from app.platforms.shopify.app_proxy import read_link, verify_proxy

bp = Blueprint("storefront", __name__)
LINK_DAYS = 30  # how long a link in a message opens the page


@bp.get("/proxy/backorders")
@bp.get("/proxy/backorders/")
def my_backorders():
    services = current_app.extensions["backorders"]
    proxied = verify_proxy(request.args.to_dict(flat=False), services.config.api_secrets,
                           services.clock().timestamp())
    customer = _customer(services, proxied)
    as_json = _wants_json()
    if customer is None:
        if as_json:
            raise Unauthenticated("log in to your account to see your backorders",
                                  field="customer")
        return _liquid(render_template("storefront/backorders.liquid", guest=True, lines=[]))
    lines = services.customer_backorders.lines(proxied.shop, customer)
    if as_json:
        return jsonify({"lines": [_line_json(line) for line in lines]})
    return _liquid(render_template("storefront/backorders.liquid", guest=False, lines=lines))


@bp.app_template_filter("liquid_text")
def liquid_text(value) -> Markup:
    """Text for a page Shopify renders as Liquid: escaped for HTML, and with the braces and
    percent signs of Liquid tags escaped too, so that a product title cannot run Liquid."""
    text = escape("" if value is None else str(value))
    return Markup(text.replace("{", "&#123;").replace("}", "&#125;").replace("%", "&#37;"))


def _customer(services, proxied) -> str | None:
    """The logged-in customer, or the one a signed link names (who must be the same one when
    someone is logged in)."""
    token = request.args.get("link")
    if not token:
        return proxied.customer_id
    linked = read_link(token, services.config.api_secrets, proxied.shop, LINK_DAYS * 86_400)
    if proxied.customer_id and proxied.customer_id != linked:
        raise Forbidden("this link is for another customer's account", field="link")
    return linked


def _wants_json() -> bool:
    if request.args.get("format") == "json":
        return True
    return request.accept_mimetypes.best == "application/json"


def _liquid(body: str) -> Response:
    return Response(body, mimetype="application/liquid")


def _line_json(line) -> dict:
    return {
        "order_id": line.order_id, "order_name": line.order_name, "line_id": line.line_id,
        "title": line.title, "quantity": line.quantity, "ready": line.ready, "owed": line.owed,
        "ships_on": _day(line.ships_on), "earliest": _day(line.earliest),
        "latest": _day(line.latest), "slipped": line.slipped,
        "history": [{"old": _day(c.old), "new": _day(c.new), "reason": c.reason,
                     "changed_at": c.changed_at.isoformat()} for c in line.history],
        "alternatives": [{"variant_id": o.variant_id, "title": o.title, "reason": o.reason,
                          "weak": o.weak} for o in line.offers],
    }


def _day(value) -> str | None:
    return value.isoformat() if value else None
