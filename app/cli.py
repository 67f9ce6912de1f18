"""`flask --app app …` commands: worker, queue status, db upgrade, tokens rotate."""

from __future__ import annotations

import json
import time

import click
from flask import Flask
from flask.cli import AppGroup


def register(app: Flask) -> None:
    services = app.extensions["backorders"]
    db = AppGroup("db", help="Database migrations.")
    tokens = AppGroup("tokens", help="Stored access tokens.")
    queue = AppGroup("queue", help="The work still to do.")

    @db.command("upgrade")
    @click.argument("revision", default="head")
    def db_upgrade(revision: str) -> None:
        """Apply migrations up to REVISION (default: head)."""
        from app.storage.migrate import upgrade

        upgrade(services.config.database_url, revision)
        click.echo(f"database at {revision}")

    @tokens.command("rotate")
    def tokens_rotate() -> None:
        """Re-encrypt every stored token with the newest key of TOKEN_ENCRYPTION_KEYS."""
        click.echo(f"re-encrypted the tokens of {services.installs.rotate_encryption()} shops")

    @app.cli.command("worker")
    @click.option("--workers", default=2, show_default=True, help="worker threads")
    def worker(workers: int) -> None:
        """Run the job worker (and the periodic jobs) until stopped."""
        services.queue.consumer(workers).run()

    @queue.command("status")
    @click.option("--json", "as_json", is_flag=True, help="one JSON object")
    @click.option("--wait", type=click.FloatRange(0, 86_400), default=0,
                  help="seconds to wait for the backlog to settle")
    def queue_status(as_json: bool, wait: float) -> None:
        """Pending webhooks, jobs and syncs. Exits 0 once all is settled, 1 if not."""
        deadline = time.monotonic() + wait
        status = services.backlog.status()
        while not status.settled and time.monotonic() < deadline:
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
            status = services.backlog.status()
        if as_json:
            click.echo(json.dumps(status.as_dict()))
        else:
            for name, count in status.as_dict().items():
                click.echo(f"{name.replace('_', ' ')}: {str(count).lower()}")
        raise SystemExit(0 if status.settled else 1)

    @app.cli.command("demo")
    @click.option("--platform", type=click.Choice(["shopify", "saleor"]), default="shopify",
                  show_default=True, help="shopify: against the local store simulator; saleor: "
                  "against a real Saleor built from SALEOR_SOURCE (exits when done)")
    @click.option("--once", is_flag=True, help="exit after the summary")
    @click.option("--orders", default=300, show_default=True,
                  help="orders in the flash sale (shopify)")
    @click.option("--seed", default=7, show_default=True, help="(shopify)")
    def demo(platform: str, once: bool, orders: int, seed: int) -> None:
        """The whole mission against the local store simulator, then a summary (--platform
        saleor: the Saleor path against a real Saleor)."""
        if platform == "saleor":
            saleor_demo(services.config)
            return
        from app.demo import Demo

        run = Demo(services.config, orders, seed)
        try:
            run.run()
            if not once:
                click.echo(f"\nThe app in the local admin: {run.admin_url()}\n"
                           "Serving; Ctrl-C to stop.")
                while True:
                    time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            run.close()

    app.cli.add_command(db)
    app.cli.add_command(queue)
    app.cli.add_command(tokens)


def saleor_demo(config) -> None:
    """The Saleor demo, once: Saleor stopped and the app's server shut down at the end, also on
    Ctrl-C."""
    from app.demo_saleor import SaleorDemo, check_source

    check_source()
    run = SaleorDemo(config)
    interrupted = False
    try:
        run.run()
    except KeyboardInterrupt:
        interrupted = True
        click.echo("\ninterrupted: stopping")
    finally:
        run.close()
    if interrupted:
        raise SystemExit(130)
