"""`/healthz`: the process answers. `/readyz`: the database and the queue answer too."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    services = current_app.extensions["backorders"]
    problems = {}
    for name, check in (("database", services.db.ping), ("queue", services.queue.ping)):
        try:
            check()
        except Exception as exc:  # any failure means not ready; say which and why
            problems[name] = f"{type(exc).__name__}: {exc}"
    if problems:
        return jsonify({"status": "unavailable", "problems": problems}), 503
    return jsonify({"status": "ready"})
