"""`/healthz`: the process answers. `/readyz`: the database and the queue answer too.

Anyone can call these, so a failure names the part that is down and nothing else: the exception
(which may hold a connection string, a host or a password) goes to the log only."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    services = current_app.extensions["backorders"]
    down = []
    for name, check in (("database", services.db.ping), ("queue", services.queue.ping)):
        try:
            check()
        except Exception:  # any failure means not ready; the details are for the log only
            log.exception("readiness: the %s does not answer", name)
            down.append(name)
    if down:
        return jsonify({"status": "unavailable", "down": down}), 503
    return jsonify({"status": "ready"})
