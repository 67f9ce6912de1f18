"""The embedded admin: the page itself and its JSON API under /api."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, render_template, request

from app.admin.api import api
from app.admin.session import require_session, saleor_staff
from app.config import POLARIS
from app.errors import BadRequest
from app.platforms.shopify.oauth import decode_session_token, valid_shop

bp = Blueprint("admin", __name__, static_folder="static", static_url_path="/admin/static")
bp.register_blueprint(api)


# The pages of the app's navigation menu in Shopify's admin sidebar (`s-app-nav`): each is the
# one page, opened at its part, as Shopify loads a menu item (with shop, host and id_token).
SECTIONS = {"queue": "queue", "restocks": "restocks", "settings": "settings",
            "insights": "numbers"}


@bp.get("/")
@bp.get("/<any(queue, restocks, settings, insights):section>")
def home(section: str = "queue"):
    """First load inside the Shopify admin: `shop`, `host` and an `id_token`. With Shopify-managed
    install this is also where the app gets its offline token (token exchange). The `id_token` is
    rendered into the page so it can call the API when App Bridge is not loaded (offline demo)."""
    services = current_app.extensions["backorders"]
    shop = valid_shop(request.args.get("shop"))
    id_token = request.args.get("id_token")
    if not id_token:
        raise BadRequest("open the app from the Shopify admin (id_token missing)", field="id_token")
    claims = decode_session_token(id_token, services.config)
    if claims["shop"] != shop:
        raise BadRequest("the session token belongs to another shop", field="shop")
    if not services.installs.is_installed(shop):
        services.installs.install(shop, services.tokens.exchange_session_token(shop, id_token))
    response = current_app.make_response(render_template(
        "admin.html", api_key=services.config.api_key, shop=shop, app_name=services.config.app_name,
        id_token=id_token, platform="shopify", app_bridge=services.config.app_bridge_src(shop),
        polaris=POLARIS, section=SECTIONS[section]))
    response.headers["Content-Security-Policy"] = (
        f"frame-ancestors {services.config.frame_ancestors(shop)};")
    response.headers["Cache-Control"] = "no-store"  # the page carries the id_token
    return response


@bp.get("/saleor/app")
def saleor_home():
    """The same page inside Saleor's Dashboard, which opens it with `saleorApiUrl` in the query.
    It carries no token: the Dashboard hands one to the page (postMessage), and the page sends
    it with every API call. Saleor's Dashboard can be served from anywhere, so any may frame it."""
    services = current_app.extensions["backorders"]
    api_url = (request.args.get("saleorApiUrl") or "").strip()
    if not services.saleor_installs.is_installed(api_url):
        raise BadRequest("open the app from the Saleor Dashboard of an instance it is installed "
                         "in (saleorApiUrl)", field="saleorApiUrl")
    response = current_app.make_response(render_template(
        "admin.html", api_key="", shop=api_url, app_name=services.config.app_name, id_token="",
        platform="saleor"))
    response.headers["Content-Security-Policy"] = "frame-ancestors *;"
    return response


@bp.post("/saleor/widget/order")
def saleor_order_widget():
    """An order's backorder state on its page in Saleor's Dashboard, which posts a form
    (saleorApiUrl, accessToken, appId, orderId) into the widget: the first render needs no
    script, and the token in the form is checked as the API checks it."""
    services = current_app.extensions["backorders"]
    order_id = (request.form.get("orderId") or "").strip()
    if not order_id:
        raise BadRequest("the form has no orderId", field="orderId")
    shop = saleor_staff(services, request.form.get("saleorApiUrl") or "",
                        request.form.get("accessToken"), "accessToken")
    view = services.admin.order(shop, order_id)
    response = current_app.make_response(render_template(
        "saleor_order_widget.html", order=view, app_name=services.config.app_name))
    response.headers["Content-Security-Policy"] = "frame-ancestors *;"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/shop")
@require_session
def shop_info():
    return jsonify({"shop": g.shop})


@bp.get("/api/data-requests")
@require_session
def data_requests():
    return jsonify({"data_requests": current_app.extensions["backorders"].admin.data_requests(g.shop)})


@bp.get("/api/dead-letters")
@require_session
def dead_letters():
    """Webhooks whose handling failed too often and is no longer retried by itself."""
    services = current_app.extensions["backorders"]
    return jsonify({"dead_letters": services.intake.dead_letters(g.shop)})


@bp.post("/api/dead-letters/<int(max=9223372036854775807):receipt_id>/retry")
@require_session
def retry_dead_letter(receipt_id: int):
    """The merchant fixed the cause (or wants another go): the receipt is queued again, with its
    full number of attempts."""
    services = current_app.extensions["backorders"]
    services.intake.revive(g.shop, receipt_id)
    services.queue.process_receipt(receipt_id)
    return jsonify({"id": receipt_id, "status": "queued"}), 202
