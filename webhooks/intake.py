"""`POST /webhooks`: verify, record a receipt (the dedupe point: the event id), answer 200. The
receipt is the job's queue entry: a worker takes it into the job queue (`Queue.take_receipts`).

No business logic and no platform call here: Shopify wants an answer within 5 s, and a burst of a
flash sale must not wait on anything slower than one insert."""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, current_app, request

from app.body import read_body
from app.config import COMPLIANCE_TOPICS
from app.errors import BadRequest, Unauthenticated
from app.platforms.shopify.oauth import valid_shop
from webhooks.registry import TOPICS
from webhooks.signature import signature_ok

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)


@bp.post("/webhooks")
def receive():
    services = current_app.extensions["backorders"]
    raw = read_body()
    if not signature_ok(raw, request.headers.get("X-Shopify-Hmac-Sha256"),
                        services.config.api_secrets):
        raise Unauthenticated("missing or invalid X-Shopify-Hmac-Sha256 signature")
    topic, shop = _required_headers()
    text, payload = _json_object(raw)
    if topic not in TOPICS:
        log.info("webhook for unhandled topic %s from %s ignored", topic, shop)
        return _answer("ignored", "topic not handled")
    _check_shop_claim(shop, topic, payload)
    if not services.intake.accepts(shop, topic):
        log.info("webhook %s for %s dropped: shop not installed", topic, shop)
        return _answer("dropped", "shop not installed")
    webhook_id = request.headers.get("X-Shopify-Webhook-Id") or ""
    receipt_id = services.intake.record(
        webhook_id=webhook_id,
        event_id=_dedupe_key(webhook_id),
        topic=topic, shop=shop,
        api_version=request.headers.get("X-Shopify-API-Version"),
        triggered_at=request.headers.get("X-Shopify-Triggered-At"),
        payload=text,
    )
    if receipt_id is None:
        return _answer("duplicate", "delivery already received")
    return _answer("accepted", "queued")


def _required_headers() -> tuple[str, str]:
    topic = (request.headers.get("X-Shopify-Topic") or "").strip()
    shop = (request.headers.get("X-Shopify-Shop-Domain") or "").strip()
    webhook_id = (request.headers.get("X-Shopify-Webhook-Id") or "").strip()
    for name, value in (("X-Shopify-Topic", topic), ("X-Shopify-Shop-Domain", shop),
                        ("X-Shopify-Webhook-Id", webhook_id)):
        if not value:
            raise BadRequest(f"header {name} is missing", field=name)
    return topic, valid_shop(shop)


def _dedupe_key(webhook_id: str) -> str:
    """Shopify's rule: deliveries sharing `X-Shopify-Event-Id` are duplicates (a retry keeps the
    webhook id as well). A delivery without the event id falls back to its webhook id."""
    return (request.headers.get("X-Shopify-Event-Id") or "").strip() or webhook_id


def _json_object(raw: bytes) -> tuple[str, dict]:
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


def _answer(status: str, message: str) -> Response:
    """One of a few fixed answers, its body serialised once: a burst answers thousands."""
    return Response(_ANSWERS[status, message], 200, mimetype="application/json")


_ANSWERS = {(status, message): json.dumps({"status": status, "message": message},
                                          separators=(",", ":")).encode()
            for status, message in (("accepted", "queued"),
                                    ("duplicate", "delivery already received"),
                                    ("ignored", "topic not handled"),
                                    ("dropped", "shop not installed"))}
