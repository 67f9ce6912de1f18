"""`flask --app app …` commands: worker, db upgrade, tokens rotate."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup


def register(app: Flask) -> None:
    services = app.extensions["backorders"]
    db = AppGroup("db", help="Database migrations.")
    tokens = AppGroup("tokens", help="Stored access tokens.")

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
        consumer = services.queue.huey.create_consumer(workers=workers, worker_type="thread",
                                                       periodic=True, check_worker_health=True)
        consumer.run()

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
                click.echo(f"\nEmbedded admin: {run.admin_url()}\nServing; Ctrl-C to stop.")
                while True:
                    time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            run.close()

    app.cli.add_command(db)
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
