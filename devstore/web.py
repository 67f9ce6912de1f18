"""The simulator over HTTP: Admin GraphQL, OAuth, bulk results and the `/_devstore` driving API."""

from __future__ import annotations

from xml.sax.saxutils import escape

from flask import Blueprint, Flask, Response, jsonify, redirect, request

from . import graphql_api, local_admin
from .context import RequestContext
from .core import StoreError, normalise_domain
from .faults import RATE_LIMITED_BODY
from .oauth import OAuthError

INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def create_app(store) -> Flask:
    app = Flask("devstore")
    app.register_blueprint(_platform(store))
    app.register_blueprint(_driving(store), url_prefix="/_devstore")
    app.register_blueprint(local_admin.blueprint(store))

    @app.errorhandler(StoreError)
    def store_error(exc: StoreError):
        return jsonify({"error": str(exc)}), exc.status

    @app.errorhandler(KeyError)
    def missing_field(exc: KeyError):
        return jsonify({"error": f"missing field {exc.args[0]!r}"}), 400

    @app.errorhandler(OAuthError)
    def oauth_error(exc: OAuthError):
        return jsonify(exc.body()), exc.status

    @app.before_request
    def due_work():
        store.base_url = request.host_url.rstrip("/")
        store.process_due()

    return app


def _platform(store) -> Blueprint:
    bp = Blueprint("platform", __name__)

    @bp.post("/<shop>/admin/api/<version>/graphql.json")
    def graphql(shop: str, version: str):
        domain = normalise_domain(shop)
        if domain not in store.core.shops or not store.tokens.valid(domain, request.headers.get("X-Shopify-Access-Token")):
            store.counters["unauthorized"] += 1
            return jsonify(INVALID_TOKEN), 401
        fault = _fault(store)
        if fault is not None:
            return fault
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify({"errors": [{"message": "Body must be a JSON object with a query"}]}), 400
        ctx = RequestContext(store.core, store.shop(domain), store.core.app_id, request.host_url)
        return jsonify(graphql_api.run(ctx, body, store.bucket(domain), store.counters))

    @bp.get("/<shop>/admin/oauth/authorize")
    def authorize(shop: str):
        with store.core.lock:
            return redirect(store.tokens.authorize(shop, request.args.to_dict(), store.app_url))

    @bp.post("/<shop>/admin/oauth/access_token")
    def access_token(shop: str):
        form = request.get_json(silent=True) if request.is_json else request.form.to_dict()
        with store.core.lock:
            return jsonify(store.tokens.token_request(shop, form or {}))

    @bp.post("/_devstore/staged-uploads")
    def staged_upload():
        """The upload target of `stagedUploadsCreate`: a form POST of its parameters and the file,
        answered 201 as `success_action_status` asks."""
        key, upload = request.form.get("key"), request.files.get("file")
        if not key or upload is None:
            return jsonify({"error": "a staged upload needs the form field key and a file"}), 400
        with store.core.lock:
            store.core.staged_files[key] = upload.read()
        return Response(f"<PostResponse><Key>{escape(key)}</Key></PostResponse>", status=201,
                        mimetype="application/xml")

    @bp.get("/_devstore/bulk/<shop>/<int:operation_id>.jsonl")
    def bulk_result(shop: str, operation_id: int):
        operation = store.shop(shop).bulk_operations.get(operation_id)
        if operation is None or operation.status != "COMPLETED":
            return jsonify({"error": "no completed bulk operation with that id"}), 404
        return Response("".join(line + "\n" for line in operation.lines), mimetype="application/jsonl")

    return bp


def _fault(store):
    kind, status = store.faults.pick()
    if kind == "429":
        return jsonify(RATE_LIMITED_BODY), 429, {"Retry-After": "1.0"}
    if kind == "5xx":
        return jsonify({"errors": "Internal Server Error" if status == 500 else "Service Unavailable"}), status
    if kind == "timeout":
        store.faults.sleep(store.faults.timeout_seconds)
        return jsonify({"errors": "Timeout"}), 504
    if kind == "slow":
        store.faults.sleep(store.faults.slow_seconds)
    return None


def _driving(store) -> Blueprint:
    bp = Blueprint("driving", __name__)

    def body() -> dict:
        return request.get_json(silent=True) or {}

    @bp.get("/")
    def index():
        return jsonify({"shops": sorted(store.core.shops), "app_url": store.app_url,
                        "admin_origin": store.admin_origin(request.host_url)})

    @bp.post("/shops")
    def create_shop():
        data = body()
        return jsonify(store.create_shop(data.pop("shop"), **data)), 201

    @bp.get("/shops/<shop>")
    def state(shop: str):
        return jsonify(store.state(shop))

    @bp.post("/shops/<shop>/locations")
    def add_location(shop: str):
        data = body()
        return jsonify(store.add_location(shop, data["name"], bool(data.get("fulfillment_service")))), 201

    @bp.post("/shops/<shop>/catalog")
    def seed(shop: str):
        data = body()
        return jsonify(store.seed_catalog(shop, data.get("catalog"), data.get("csv"), data.get("location"),
                                          bool(data.get("csv_tracking")))), 201

    @bp.post("/shops/<shop>/stock")
    def set_stock(shop: str):
        data = body()
        return jsonify(store.set_stock(shop, data["variant"], data["available"], data.get("location")))

    @bp.post("/shops/<shop>/receive")
    def receive(shop: str):
        data = body()
        return jsonify(store.receive_stock(shop, data["variant"], data["quantity"], data.get("location")))

    @bp.post("/shops/<shop>/incoming")
    def incoming(shop: str):
        data = body()
        return jsonify(store.set_incoming(shop, data["variant"], data["quantity"], data.get("location")))

    @bp.post("/shops/<shop>/inventory-policy")
    def policy(shop: str):
        data = body()
        store.set_inventory_policy(shop, data["variant"], data["policy"])
        return jsonify({"ok": True})

    @bp.post("/shops/<shop>/tracked")
    def tracked(shop: str):
        data = body()
        store.set_tracked(shop, data["variant"], bool(data["tracked"]))
        return jsonify({"ok": True})

    @bp.post("/shops/<shop>/requires-shipping")
    def requires_shipping(shop: str):
        data = body()
        store.set_requires_shipping(shop, data["variant"], bool(data["requires_shipping"]))
        return jsonify({"ok": True})

    @bp.post("/shops/<shop>/orders")
    def place_order(shop: str):
        data = body()
        return jsonify(store.place_order(shop, data["lines"], data.get("customer"), data.get("location"))), 201

    @bp.post("/shops/<shop>/flash-sale")
    def flash_sale(shop: str):
        data = body()
        return jsonify(store.flash_sale(shop, data["orders"], data.get("variants"), data.get("max_quantity", 2),
                                        data.get("seed", 0), data.get("customer_tags"), data.get("location"))), 201

    @bp.post("/shops/<shop>/orders/<order>/cancel")
    def cancel(shop: str, order: str):
        return jsonify(store.cancel_order(shop, order))

    @bp.post("/shops/<shop>/orders/<order>/fulfil")
    def fulfil(shop: str, order: str):
        return jsonify(store.fulfil_order(shop, order, body().get("line_item_ids")))

    @bp.post("/shops/<shop>/orders/<order>/edit")
    def edit(shop: str, order: str):
        data = body()
        return jsonify(store.edit_order(shop, order, data["line_item_id"], data["remove"]))

    @bp.post("/shops/<shop>/orders/<order>/add")
    def add_line(shop: str, order: str):
        data = body()
        return jsonify(store.add_to_order(shop, order, data["variant"], data["quantity"], data.get("location")))

    @bp.post("/shops/<shop>/orders/<order>/refund")
    def refund(shop: str, order: str):
        data = body()
        return jsonify(store.refund_order(shop, order, data["line_item_id"], data["quantity"],
                                          data.get("restock", True), data.get("note")))

    @bp.post("/shops/<shop>/fulfillment-orders/<int:fo>/hold")
    def merchant_hold(shop: str, fo: int):
        data = body()
        return jsonify(store.merchant_hold(shop, fo, data.get("reason", "OTHER"), data.get("handle", "merchant")))

    @bp.post("/shops/<shop>/fulfillment-orders/<int:fo>/release")
    def merchant_release(shop: str, fo: int):
        return jsonify(store.merchant_release(shop, fo, body().get("hold_id")))

    @bp.post("/shops/<shop>/fulfillment-orders/<int:fo>/move")
    def move(shop: str, fo: int):
        return jsonify(store.move_fulfillment_order(shop, fo, body()["location"]))

    @bp.post("/shops/<shop>/fulfillment-orders/merge")
    def merge(shop: str):
        return jsonify(store.merge_fulfillment_orders(shop, body()["ids"]))

    @bp.post("/shops/<shop>/install")
    def install(shop: str):
        store.install(shop, body().get("scopes"))
        return jsonify({"ok": True, "launch_url": store.signed_app_url(shop)})

    @bp.post("/shops/<shop>/uninstall")
    def uninstall(shop: str):
        store.uninstall(shop)
        return jsonify({"ok": True})

    @bp.post("/shops/<shop>/scopes")
    def scopes(shop: str):
        store.update_scopes(shop, body()["scopes"])
        return jsonify({"ok": True})

    @bp.post("/shops/<shop>/compliance")
    def compliance(shop: str):
        data = body()
        topic = data.get("topic")
        actions = {"shop/redact": lambda: store.request_shop_redact(shop),
                   "customers/redact": lambda: store.request_customer_redact(shop, data["customer_id"]),
                   "customers/data_request": lambda: store.request_customer_data(shop, data["customer_id"])}
        if topic not in actions:
            raise StoreError(f"topic must be one of {', '.join(actions)}")
        actions[topic]()
        return jsonify({"ok": True})

    @bp.post("/shops/<shop>/session-token")
    def session_token(shop: str):
        return jsonify({"session_token": store.session_token(shop, body().get("user_id", 1))})

    @bp.get("/counters")
    def counters():
        return jsonify(store.stats())

    @bp.post("/faults")
    def faults():
        store.set_faults(**body())
        return jsonify({"ok": True})

    @bp.post("/webhook-switches")
    def switches():
        store.set_webhook_switches(**body())
        return jsonify({"ok": True})

    @bp.post("/drain")
    def drain():
        return jsonify({"drained": store.drain_webhooks(float(body().get("timeout", 10)))})

    return bp
