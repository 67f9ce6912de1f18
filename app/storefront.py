"""The customer's page in the shop, through Shopify's app proxy (`[app_proxy]` in app.toml):
`/apps/backorders` on the shop's domain. Shopify renders a Liquid answer inside the shop's
theme; `?format=json` (or `Accept: application/json`) answers JSON for the theme's own scripts.

Where the merchant allows it, each line still owed has forms to take those units off the order
(`POST /apps/backorders/cancel`) or swap them for an offered alternative
(`POST /apps/backorders/swap`), each carrying a token signed for that customer's line. An order
with units ready and units still owed has a form to choose how it ships
(`POST /apps/backorders/ship`: what is ready now, or all together), signed for the order."""

from __future__ import annotations

from html import escape

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from markupsafe import Markup

from app.domain.errors import InvalidInput
from app.errors import Forbidden, Unauthenticated
from app.platforms.shopify.app_proxy import read_form, read_link, sign_form, verify_proxy

bp = Blueprint("storefront", __name__)
LINK_DAYS = 30  # how long a link in a message opens the page
FORM_HOURS = 24  # how long a page's action form can be sent
WHOLE_ORDER = "*"  # the line a form for the whole order is signed for


@bp.get("/proxy/backorders")
@bp.get("/proxy/backorders/")
def my_backorders():
    services, proxied, customer = _proxied()
    as_json = _wants_json()
    if customer is None:
        if as_json:
            raise Unauthenticated("log in to your account to see your backorders",
                                  field="customer")
        return _liquid(render_template("storefront/backorders.liquid", guest=True, lines=[]))
    lines = services.customer_backorders.lines(proxied.shop, customer)
    forms = _forms(services, proxied.shop, customer, lines)
    shipping = _shipping(services, proxied.shop, customer, lines)
    if as_json:
        return jsonify({"lines": [_line_json(line, forms.get(line.line_id)) for line in lines],
                        "orders": shipping})
    return _liquid(render_template("storefront/backorders.liquid", guest=False, lines=lines,
                                   forms=forms, shipping=shipping,
                                   link=request.args.get("link", "")))


@bp.post("/proxy/backorders/cancel")
def cancel_owed():
    """Take the units a line still owes off the order: once per form, whatever the clicks."""
    services, shop, customer, order_id, line_id, key = _action_form()
    return _acted(services.customer_actions.cancel_owed(shop, customer, order_id, line_id,
                                                        _units(), key))


@bp.post("/proxy/backorders/swap")
def swap_owed():
    """Swap the units a line still owes for one of its offered alternatives."""
    services, shop, customer, order_id, line_id, key = _action_form()
    return _acted(services.customer_actions.swap_owed(shop, customer, order_id, line_id,
                                                      _form_field("variant"), key))


@bp.post("/proxy/backorders/ship")
def choose_shipping():
    """Ship what is ready now, or the whole order together: once per form."""
    services, proxied, customer = _proxied()
    if customer is None:
        raise Unauthenticated("log in to your account to change your order", field="customer")
    order_id = _form_field("order")
    key = read_form(request.form.get("token", ""), services.config.api_secrets, proxied.shop,
                    customer, order_id, WHOLE_ORDER, FORM_HOURS * 3600)
    return _acted(services.customer_actions.choose_shipping(
        proxied.shop, customer, order_id, request.form.get("choice", ""), key))


def _shipping(services, shop: str, customer: str, lines) -> list[dict]:
    """The orders on the page with units ready and units owed: how each ships now, and a form
    signed for the order to choose."""
    names = {line.order_id: line.order_name for line in lines}
    units = services.customer_actions.shipping(shop, customer, sorted(names))
    secret = services.config.api_secrets[0]
    return [{"order_id": order_id, "order_name": names[order_id], "ready": ready, "owed": owed,
             "ships": "together" if together else "now",
             "token": sign_form(secret, shop, customer, order_id, WHOLE_ORDER)}
            for order_id, (ready, owed, together) in sorted(units.items()) if ready and owed]


def _action_form():
    """A signed action form's shop, customer, order, line and key (its nonce)."""
    services, proxied, customer = _proxied()
    if customer is None:
        raise Unauthenticated("log in to your account to change your order", field="customer")
    order_id, line_id = _form_field("order"), _form_field("line")
    key = read_form(request.form.get("token", ""), services.config.api_secrets, proxied.shop,
                    customer, order_id, line_id, FORM_HOURS * 3600)
    return services, proxied.shop, customer, order_id, line_id, key


def _acted(result) -> Response:
    if _wants_json():
        return jsonify({"action": result.kind, "order_id": result.order_id,
                        "line_id": result.line_id, "units": result.units,
                        "to_variant_id": result.to_variant_id, "status": result.status,
                        "message": result.message, "refund": result.refund})
    return _liquid(render_template("storefront/action_done.liquid", result=result,
                                   link=request.args.get("link", "")))


def _forms(services, shop: str, customer: str, lines) -> dict[str, dict[str, str]]:
    """Per line still owed, a signed form token for each action the shop allows (swap only
    where alternatives are offered); each form its own, so each is one action."""
    allowed = services.customer_actions.allowed(shop)
    secret = services.config.api_secrets[0]
    forms: dict[str, dict[str, str]] = {}
    for line in lines:
        kinds = [k for k in ("cancel", "swap") if f"{k}_owed" in allowed
                 and line.owed and (k == "cancel" or line.offers)]
        if kinds:
            forms[line.line_id] = {k: sign_form(secret, shop, customer, line.order_id,
                                                line.line_id) for k in kinds}
    return forms


def _form_field(name: str) -> str:
    value = request.form.get(name, "")
    if not value or len(value) > 100 or "\x00" in value:
        raise InvalidInput(f"the form field {name} is missing, too long or not text", field=name)
    return value


def _units() -> int:
    value = request.form.get("units", "")
    if not value.isdigit() or len(value) > 6:
        raise InvalidInput("units must be a whole number of units", field="units")
    return int(value)


@bp.app_template_filter("liquid_text")
def liquid_text(value) -> Markup:
    """Text for a page Shopify renders as Liquid: escaped for HTML, and with the braces and
    percent signs of Liquid tags escaped too, so that a product title cannot run Liquid."""
    text = escape("" if value is None else str(value))
    return Markup(text.replace("{", "&#123;").replace("}", "&#125;").replace("%", "&#37;"))


def _proxied():
    """The services, the verified proxy request, and the customer it is for (or None)."""
    services = current_app.extensions["backorders"]
    proxied = verify_proxy(request.args.to_dict(flat=False), services.config.api_secrets,
                           services.clock().timestamp())
    return services, proxied, _customer(services, proxied)


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


def _line_json(line, forms: dict[str, str] | None) -> dict:
    return {
        "cancel_token": (forms or {}).get("cancel"), "swap_token": (forms or {}).get("swap"),
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
