"""`POST /webhooks`: verify, record a receipt (the dedupe point: the event id), answer 200. The
receipt is the job's queue entry: a worker takes it into the job queue (`Queue.take_receipts`).

No business logic and no platform call here: Shopify wants an answer within 5 s, and a burst of a
flash sale must not wait on anything slower than one insert.

`take` is the whole of it. Two doors lead there: the Flask route, and `FastIntake`, which sits in
front of Flask and takes the common delivery (a body of a stated length) straight from the WSGI
environ: a burst of webhooks then costs the verification and the insert, not the building of
Flask's request, context and response around each. Whatever it does not answer `accepted`,
`duplicate`, `ignored` or `dropped` it hands to Flask untouched (the body kept for it), so every
refusal and every failure is answered by the route and the app's error handlers, as always."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from functools import lru_cache

from flask import Blueprint, Response, current_app, request

from app.body import read_body
from app.config import COMPLIANCE_TOPICS
from app.errors import BadRequest, Unauthenticated
from app.platforms.shopify.oauth import valid_shop
from webhooks.registry import TOPICS
from webhooks.signature import signature_ok

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)

# A header of the delivery by its name, or None.
Header = Callable[[str], "str | None"]


@bp.post("/webhooks")
def receive():
    status = take(current_app.extensions["backorders"], read_body(), request.headers.get)
    return Response(ANSWERS[status], 200, mimetype="application/json")


def take(services, raw: bytes, header: Header) -> str:
    """The delivery verified, checked and recorded: its answer's status (`accepted`,
    `duplicate`, `ignored`, `dropped`). A refused delivery raises the AppError that says why."""
    if not signature_ok(raw, header("X-Shopify-Hmac-Sha256"), services.config.api_secrets):
        raise Unauthenticated("missing or invalid X-Shopify-Hmac-Sha256 signature")
    topic, shop, webhook_id = _required_headers(header)
    text, payload = json_object(raw)
    if topic not in TOPICS:
        log.info("webhook for unhandled topic %s from %s ignored", topic, shop)
        return "ignored"
    _check_shop_claim(shop, topic, payload)
    if not services.intake.accepts(shop, topic):
        log.info("webhook %s for %s dropped: shop not installed", topic, shop)
        return "dropped"
    receipt_id = services.intake.record(
        webhook_id=header("X-Shopify-Webhook-Id") or "",
        event_id=_dedupe_key(header, webhook_id),
        topic=topic, shop=shop,
        api_version=header("X-Shopify-API-Version"),
        triggered_at=header("X-Shopify-Triggered-At"),
        payload=text,
    )
    return "duplicate" if receipt_id is None else "accepted"


def _required_headers(header: Header) -> tuple[str, str, str]:
    topic = (header("X-Shopify-Topic") or "").strip()
    shop = (header("X-Shopify-Shop-Domain") or "").strip()
    webhook_id = (header("X-Shopify-Webhook-Id") or "").strip()
    for name, value in (("X-Shopify-Topic", topic), ("X-Shopify-Shop-Domain", shop),
                        ("X-Shopify-Webhook-Id", webhook_id)):
        if not value:
            raise BadRequest(f"header {name} is missing", field=name)
    return topic, _shop_domain(shop), webhook_id


@lru_cache(maxsize=4096)
def _shop_domain(value: str) -> str:
    """`valid_shop`, remembered: a burst comes from a few shops. A refusal is not remembered."""
    return valid_shop(value)


def _dedupe_key(header: Header, webhook_id: str) -> str:
    """Shopify's rule: deliveries sharing `X-Shopify-Event-Id` are duplicates (a retry keeps the
    webhook id as well). A delivery without the event id falls back to its webhook id."""
    return (header("X-Shopify-Event-Id") or "").strip() or webhook_id


def json_object(raw: bytes) -> tuple[str, dict]:
    """The body as text and as the object it holds. Shopify sends UTF-8: any other encoding
    (which the JSON parser alone would accept) is refused, as is nesting too deep to parse."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("body is not JSON: not UTF-8 text") from None
    try:
        payload = json.loads(text)
    except ValueError as exc:
        raise BadRequest(f"body is not JSON: {exc}") from None
    except RecursionError:
        raise BadRequest("body is not JSON: nested too deep") from None
    if not isinstance(payload, dict):
        raise BadRequest("body must be a JSON object")
    return text, payload


def _check_shop_claim(shop: str, topic: str, payload: dict) -> None:
    """The header is not signed; where the signed body names the shop, the two must agree."""
    named = payload.get("shop_domain") if topic in COMPLIANCE_TOPICS else payload.get("myshopify_domain")
    if named is not None and str(named).lower() != shop:
        raise BadRequest("X-Shopify-Shop-Domain does not match the shop named in the body",
                         field="X-Shopify-Shop-Domain")


# The few fixed answers, each serialised once: a burst answers thousands.
ANSWERS = {status: json.dumps({"status": status, "message": message},
                              separators=(",", ":")).encode()
           for status, message in (("accepted", "queued"),
                                   ("duplicate", "delivery already received"),
                                   ("ignored", "topic not handled"),
                                   ("dropped", "shop not installed"))}


class FastIntake:
    """WSGI middleware in front of the Flask app: `POST /webhooks` with a Content-Length within
    the app's limit is read and taken here (`take`), and answered as the route answers. Anything
    else, and any delivery `take` refuses or fails on, goes to the Flask app, with the body read
    here given back as its input: the route then answers it as it always does (the refusal's
    4xx, the failure's error handling). A refused delivery is so verified twice; a failed insert
    is tried once more, which its event id keeps from recording it twice."""

    def __init__(self, app: Callable, services, max_bytes: int | None):
        self.app = app
        self.services = services
        self.max_bytes = max_bytes

    def __call__(self, environ: dict, start_response):
        if environ.get("PATH_INFO") != "/webhooks" or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        raw = self._body(environ)
        if raw is None:
            return self.app(environ, start_response)
        try:
            status = take(self.services, raw, _environ_headers(environ))
        except Exception:  # the route answers it: a refusal as such, a failure as the app does
            return self.app(environ, start_response)
        body = ANSWERS[status]
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body))),
                                  ("X-Content-Type-Options", "nosniff")])
        return [body]

    def _body(self, environ: dict) -> bytes | None:
        """The body, when it has a length within the limit and came whole; the input is replaced
        by what was read, for the route. None when the route should read it itself."""
        length = environ.get("CONTENT_LENGTH") or ""
        if (not length.isdigit() or environ.get("HTTP_TRANSFER_ENCODING")
                or (self.max_bytes is not None and int(length) > self.max_bytes)):
            return None
        wanted, stream, parts = int(length), environ["wsgi.input"], []
        got = 0
        while got < wanted:
            part = stream.read(wanted - got)
            if not part:
                break
            parts.append(part)
            got += len(part)
        raw = b"".join(parts)
        environ["wsgi.input"] = io.BytesIO(raw)
        return raw if got == wanted else None


def _environ_headers(environ: dict) -> Header:
    def header(name: str) -> str | None:
        return environ.get(_ENVIRON_KEYS.get(name) or "HTTP_" + name.upper().replace("-", "_"))
    return header


_ENVIRON_KEYS = {name: "HTTP_" + name.upper().replace("-", "_")
                 for name in ("X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "X-Shopify-Shop-Domain",
                              "X-Shopify-Webhook-Id", "X-Shopify-Event-Id",
                              "X-Shopify-API-Version", "X-Shopify-Triggered-At")}
