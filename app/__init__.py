"""Backorders: the Flask application factory. Nothing is created or connected at import time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask import Flask

from app.config import ROOT, Config, ConfigError, load_config


def create_app(config: Config | None = None, *, clock: Callable[[], datetime] | None = None,
               migrate: bool | None = None, gateway=None) -> Flask:
    from app import cli, health, storefront, web_safety
    from app.admin.routes import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.errors import register_error_handlers
    from app.storage.migrate import upgrade
    from app.wiring import build_services, utc_now
    from webhooks.flow_lifecycle import bp as flow_lifecycle_bp
    from webhooks.intake import FastIntake
    from webhooks.intake import bp as webhooks_bp
    from webhooks.saleor import bp as saleor_bp

    if config is None:
        try:
            config = load_config()
        except ConfigError as error:
            raise _unconfigured(error) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = Flask(__name__, instance_path=str(ROOT / "instance"),
                template_folder=str(Path(ROOT) / "templates"))
    app.config["BACKORDERS"] = config
    # Werkzeug refuses a larger body with 413 before reading it, or, when it is chunked, as soon
    # as more than this has been read.
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes
    if migrate if migrate is not None else config.development:
        upgrade(config.database_url)
    app.extensions["backorders"] = build_services(config, clock or utc_now,
                                                    gateway=gateway)
    for bp in (webhooks_bp, flow_lifecycle_bp, saleor_bp, auth_bp, admin_bp, storefront.bp, health.bp):
        app.register_blueprint(bp)
    register_error_handlers(app)
    web_safety.install(app)
    cli.register(app)
    # Deliveries to POST /webhooks are taken in front of Flask; what they refuse reaches the route.
    app.wsgi_app = FastIntake(app.wsgi_app, app.extensions["backorders"], config.max_request_bytes)
    return app


def _unconfigured(error: ConfigError) -> BaseException:
    """A clear line naming the setting, not a traceback. Under the `flask` command it is a
    usage error, which `flask --help` shows above the help instead of failing."""
    import click
    from flask.cli import NoAppException

    message = f"configuration error: {error}"
    if click.get_current_context(silent=True) is not None:
        return NoAppException(message)
    return SystemExit(message)
