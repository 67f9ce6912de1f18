"""`POST /flow/lifecycle`: Shopify Flow says a shop has, or no longer has, an enabled workflow
that starts with one of the app's triggers. Flow waits at most five seconds for the answer and
lets the merchant enable the workflow only on a 2xx, so this records the word and answers."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from app.body import read_body
from app.errors import Unauthenticated
from app.platforms.shopify import flow
from webhooks.intake import json_object
from webhooks.signature import signature_ok

bp = Blueprint("flow_lifecycle", __name__)


@bp.post("/flow/lifecycle")
def lifecycle():
    services = current_app.extensions["backorders"]
    raw = read_body()
    if not signature_ok(raw, request.headers.get("X-Shopify-Hmac-Sha256"),
                        services.config.api_secrets):
        raise Unauthenticated("missing or invalid X-Shopify-Hmac-Sha256 signature")
    said = flow.lifecycle(json_object(raw)[1])
    kept = services.listeners.said(said.shop, said.listener, said.listening, said.at)
    return jsonify(status="recorded" if kept else "stale", listener=said.listener,
                   listening=said.listening)
