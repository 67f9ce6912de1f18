"""The JSON API of the embedded page. Every endpoint is authenticated by the App Bridge session
token, so `g.shop` is the only shop a request can read or change.

Request shape problems (malformed JSON, a wrong content type, a missing file) are 400/415/413;
values that break a rule are 422 naming the field; the services raise those, this module only
moves JSON in and out.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from app.admin.session import require_session
from app.body import read_body
from app.domain.errors import InvalidInput
from app.domain.insights import parse_insights_query
from app.domain.notices import parse_kind
from app.domain.queue_query import parse_queue_query
from app.errors import BadRequest, TooLarge, UnsupportedMediaType

api = Blueprint("api", __name__, url_prefix="/api")
MAX_UPLOAD_BYTES = 2_000_000


def _services():
    return current_app.extensions["backorders"]


def _restocks():
    return _services().restocks


def _json_body():
    """The parsed JSON body, or 400 when it is missing or not JSON at all: not UTF-8, nested
    too deep to parse, or holding text that cannot be stored (a lone surrogate escape)."""
    if not request.is_json:
        raise UnsupportedMediaType("send JSON with Content-Type: application/json", field="body")
    try:
        body = json.loads(read_body().decode("utf-8"))
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):
        raise BadRequest("the body is not valid JSON", field="body") from None
    return body


# settings


@api.get("/settings")
@require_session
def get_settings():
    return jsonify(_services().admin.settings(g.shop))


@api.put("/settings")
@require_session
def put_settings():
    return jsonify(_services().admin.save_settings(g.shop, _json_body()))


@api.get("/goodwill")
@require_session
def get_goodwill():
    return jsonify(_services().admin.goodwill(g.shop))


@api.get("/messages/preview")
@require_session
def preview_message():
    """What the customer's message of `kind` sends, for a waiting order of the shop or a sample."""
    kind = parse_kind(request.args.to_dict())
    return jsonify(_services().notice_preview.preview(g.shop, kind))


# the first-run setup guide


@api.get("/setup")
@require_session
def get_setup():
    return jsonify(_services().admin.setup(g.shop))


@api.put("/setup")
@require_session
def put_setup():
    """Marks only the merchant can set: `metafields_pinned`, `dismissed`."""
    return jsonify(_services().admin.mark_setup(g.shop, _json_body()))


# the queue and its orders


@api.get("/queue")
@require_session
def get_queue():
    """Search, filters, sort and a cursor, each checked: a bad one is 400 naming it."""
    return jsonify(_services().admin.queue(g.shop, parse_queue_query(request.args.to_dict())))


@api.post("/queue/priority")
@require_session
def set_priorities():
    """The bulk action of the queue: one priority for the chosen lines."""
    lines = _services().admin.set_priorities(g.shop, _json_body())
    return jsonify({"line_ids": lines})


@api.post("/queue/release")
@require_session
def release_holds():
    """Bulk: the app's holds on the selected lines' orders released (the merchant ships them
    anyway)."""
    return jsonify(_services().admin.release_holds(g.shop, _json_body(), g.actor))


@api.post("/queue/notify")
@require_session
def notify_customers():
    """Bulk: each selected line's order's customer sent its date as it stands."""
    return jsonify(_services().admin.notify_customers(g.shop, _json_body(), g.actor))


@api.post("/orders/<path:order_id>/hold")
@require_session
def hold_again(order_id: str):
    """The release of the order's holds taken back."""
    return jsonify(_services().admin.hold_again(g.shop, order_id, g.actor))


@api.get("/orders/<path:order_id>")
@require_session
def get_order(order_id: str):
    return jsonify(_services().admin.order_detail(g.shop, order_id))


@api.post("/lines/<path:line_id>/priority")
@require_session
def set_priority(line_id: str):
    body = _json_body()
    if not isinstance(body, dict) or "priority" not in body:
        raise InvalidInput("priority is required", field="priority")
    _services().admin.set_priority(g.shop, line_id, body["priority"])
    return jsonify({"line_id": line_id, "priority": body["priority"]})


# pinned substitutes


@api.get("/products/<path:product_id>/substitutes")
@require_session
def get_substitutes(product_id: str):
    return jsonify(_services().admin.substitutes(g.shop, product_id))


@api.put("/products/<path:product_id>/substitutes")
@require_session
def put_substitutes(product_id: str):
    products = _services().admin.set_substitutes(g.shop, product_id, _json_body())
    return jsonify({"product_id": product_id, "substitutes": products})


# restocks


@api.get("/restocks")
@require_session
def list_restocks():
    """`limit` and `offset` page the list (every restock without them); `total` counts them."""
    return jsonify(_restocks().page(g.shop, request.args.to_dict()))


@api.post("/restocks")
@require_session
def create_restock():
    return jsonify(_restocks().create(g.shop, _json_body())), 201


@api.patch("/restocks/<restock_id>")
@require_session
def update_restock(restock_id: str):
    return jsonify(_restocks().update(g.shop, restock_id, _json_body()))


@api.delete("/restocks/<restock_id>")
@require_session
def delete_restock(restock_id: str):
    _restocks().delete(g.shop, restock_id)
    return "", 204


@api.post("/restocks/import")
@require_session
def import_restocks():
    """`?preview=1` answers what the import would create and change, and writes nothing."""
    if _flag("preview"):
        return jsonify(_restocks().preview_csv(g.shop, _csv_text()))
    created = _restocks().import_csv(g.shop, _csv_text())
    return jsonify({"imported": len(created), "restocks": created}), 201


def _flag(name: str) -> bool:
    value = request.args.get(name, "0").strip().lower()
    if value not in ("0", "1", "true", "false"):
        raise BadRequest(f"{name} must be 1 or 0", field=name)
    return value in ("1", "true")


def _csv_text() -> str:
    """The CSV as text, from a text/csv body or a multipart form's `file` field. The upload limit
    holds for a chunked body too: reading stops once it is passed."""
    too_large = TooLarge(f"the file may be at most {MAX_UPLOAD_BYTES // 1_000_000} MB",
                         field="file")
    request.max_content_length = min(MAX_UPLOAD_BYTES,
                                     request.max_content_length or MAX_UPLOAD_BYTES)
    try:
        raw = _upload()
    except RequestEntityTooLarge:
        raise too_large from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the file must be UTF-8 text", field="file") from None


def _upload() -> bytes:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest("attach the CSV as the form field 'file'", field="file")
        raw = upload.read()
    elif request.mimetype in ("text/csv", "text/plain"):
        raw = read_body(MAX_UPLOAD_BYTES)
    else:
        raise UnsupportedMediaType("send the CSV as text/csv or as a multipart file",
                                   field="file")
    return raw


# the numbers


@api.get("/metrics")
@require_session
def get_metrics():
    return jsonify(_services().admin.metrics(g.shop))


@api.get("/insights")
@require_session
def get_insights():
    """The insights page's series and tables; `days` and `safety_stock` are checked (400)."""
    return jsonify(_services().admin.insights(g.shop, parse_insights_query(request.args.to_dict())))


@api.get("/insights/reorder.csv")
@require_session
def reorder_csv():
    """The reorder suggestions as a CSV file."""
    text = _services().admin.reorder_csv(g.shop, parse_insights_query(request.args.to_dict()))
    return current_app.response_class(text, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="reorder-suggestions.csv"',
        "Cache-Control": "no-store"})
