"""Saleor's side of the app: the manifest, the register step and the webhooks, under /saleor/.

Saleor follows no redirect on these paths, so each is registered exactly as the manifest names
it. A webhook is verified, recorded once (Saleor sends no delivery id: the event and the exact
body identify a delivery and its retries) and queued; the answer is 200 within milliseconds.
Saleor retries only on 5xx and timeouts, so a refusal is final: 401 for a signature that does not
check out, 400 for a malformed request."""

from __future__ import annotations

import hashlib
import json
import logging

from flask import Blueprint, current_app, jsonify, request

from app.body import read_body
from app.errors import AppError
from app.platforms.saleor.api import SaleorRejected, SaleorUnavailable
from app.platforms.saleor.installs import BadSignature, NotAllowed, NotRegistered
from app.platforms.saleor.manifest import manifest as build_manifest
from app.services.messages import SetUpShop
from webhooks.registry import SALEOR_TOPICS

log = logging.getLogger(__name__)
bp = Blueprint("saleor", __name__, url_prefix="/saleor")


class SaleorRefusal(AppError):
    """An error answered in the shape Saleor shows the merchant during an install."""

    def to_dict(self) -> dict:
        return {"success": False, "error": {"code": self.code, "message": self.message}}


class MissingHeader(SaleorRefusal):
    code = "missing_header"


class Malformed(SaleorRefusal):
    code = "invalid_request"


class Refused(SaleorRefusal):
    status = 401
    code = "unauthorized"


class Forbidden(SaleorRefusal):
    status = 403
    code = "saleor_url_prohibited"


@bp.get("/manifest", strict_slashes=False)
def manifest():
    config = current_app.extensions["backorders"].config
    return jsonify(build_manifest(config.app_url, config.app_name))


@bp.post("/register", strict_slashes=False)
def register():
    services = current_app.extensions["backorders"]
    installs = services.saleor_installs
    api_url = _header("Saleor-Api-Url")
    body = _json_object(read_body())
    token = body.get("auth_token")
    if not isinstance(token, str) or not token:
        raise Malformed("the body has no auth_token", field="auth_token")
    try:
        installs.register(api_url, token, request.headers.get("Saleor-Domain", ""),
                          request.headers.get("Saleor-Schema-Version", ""))
    except NotAllowed as exc:
        raise Forbidden(str(exc), field="Saleor-Api-Url") from None
    except SaleorRejected as exc:
        raise Refused(f"the token could not be verified: {exc}", field="auth_token") from None
    except SaleorUnavailable as exc:
        raise Refused(f"the Saleor instance could not be checked: {exc}") from None
    log.info("installed in Saleor %s", api_url)
    services.queue.enqueue(SetUpShop(api_url))  # the catalog and its stock, for alternatives
    return jsonify({"success": True})


@bp.post("/webhooks", strict_slashes=False)
def webhook():
    services = current_app.extensions["backorders"]
    raw = read_body()
    api_url, event = _header("Saleor-Api-Url"), _header("Saleor-Event").lower()
    signature = request.headers.get("Saleor-Signature", "").strip()
    if not signature:
        raise Refused("header Saleor-Signature is missing", field="Saleor-Signature")
    try:
        app_id = services.saleor_installs.verify(api_url, signature, raw)
    except (NotRegistered, BadSignature) as exc:
        raise Refused(str(exc), field="Saleor-Signature") from None
    payload = _json_object(raw)
    topic = f"saleor/{event}"
    if topic not in SALEOR_TOPICS:
        return _answer("ignored", "event not handled")
    principal = payload.get("issuingPrincipal") or {}
    if isinstance(principal, dict) and principal.get("id") == app_id and event != "app_deleted":
        return _answer("ignored", "the app's own change")
    key = hashlib.sha256(event.encode() + b"\n" + raw).hexdigest()
    receipt_id = services.intake.record(
        webhook_id=key, event_id=key, topic=topic, shop=api_url,
        api_version=str(payload.get("version") or "")[:20] or None,
        triggered_at=str(payload.get("issuedAt") or "")[:64] or None, payload=raw.decode())
    if receipt_id is None:
        return _answer("duplicate", "delivery already received")
    return _answer("accepted", "queued")  # a worker takes the receipt into the job queue


def _header(name: str) -> str:
    value = (request.headers.get(name) or "").strip()
    if not value:
        raise MissingHeader(f"header {name} is missing", field=name)
    return value


def _json_object(raw: bytes) -> dict:
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Malformed("the body is not JSON") from None
    if not isinstance(payload, dict):
        raise Malformed("the body must be a JSON object")
    return payload


def _answer(status: str, message: str):
    return jsonify({"status": status, "message": message}), 200
