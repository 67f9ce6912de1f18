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
    @click.option("--once", is_flag=True, help="exit after the summary")
    @click.option("--orders", default=300, show_default=True, help="orders in the flash sale")
    @click.option("--seed", default=7, show_default=True)
    def demo(once: bool, orders: int, seed: int) -> None:
        """The whole mission against the local store simulator, then a summary."""
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
