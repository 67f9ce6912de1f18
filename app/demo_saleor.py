"""`flask --app app demo --platform saleor`: the Saleor path, end to end, against a real Saleor.

It starts the test bed's Saleor (`testbed/saleor.py`, built from the source tarball named by
SALEOR_SOURCE), serves this app on 127.0.0.1 (SQLite and a SQLite queue) and installs it in Saleor
through its manifest. Then it sells a variant that Saleor does not track, 2 in stock, to four
orders (1, 2, 1 and 3 units), lets 4 more units arrive, and prints after each step what the app
decided, what Saleor now shows in the orders' metadata (read back from Saleor), and the queue as
the Dashboard's API returns it. The worker is this process: it drains the job queue after each
step, as `flask --app app worker` would run it."""

from __future__ import annotations

import logging
import os
import time
import uuid
from dataclasses import replace
from pathlib import Path
from threading import Thread
from urllib.parse import quote

import click
import requests
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.config import INSTANCE_DIR, Config
from app.domain.queue_query import QueueQuery
from app.storage.tables import Order, OrderSync, WebhookReceipt

STOCK = 2  # units in the warehouse when the orders come in
ORDERS = (1, 2, 1, 3)  # units per order: the last three go past zero
ARRIVING = 4
SETTLE_TIMEOUT_S = 60
NO_SOURCE = ("SALEOR_SOURCE is not set: the Saleor demo runs a real Saleor built from its source "
             "tarball; set SALEOR_SOURCE to the path of saleor-3.23.28.tar.gz")


def check_source() -> None:
    """Stop before starting anything when no Saleor can be built."""
    if not os.environ.get("SALEOR_SOURCE"):
        raise click.ClickException(NO_SOURCE)


class SaleorDemo:
    """One run: `run()`, then `close()` (also after a failure or Ctrl-C), which shuts the app's
    server down and stops Saleor, its database dropped. The app's SQLite database and queue are
    recreated in `folder`.

    It starts a Saleor of its own: Saleor installs an app once per identifier, so a Saleor the
    app is already installed in cannot take it again."""

    def __init__(self, config: Config, folder: Path = INSTANCE_DIR, echo=click.echo):
        self.base_config = config
        self.folder = Path(folder)
        self.saleor = None
        self.echo = echo
        self.started = time.monotonic()
        self.web = None
        self.services = None
        self.http = requests.Session()

    def say(self, message: str) -> None:
        self.echo(f"[{time.monotonic() - self.started:6.1f}s] {message}")

    # -- the run ------------------------------------------------------------------------------
    def run(self) -> dict:
        logging.getLogger().setLevel(logging.WARNING)  # progress lines, not request logs
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.start()
        self.install()
        before = self.sell()
        after, filled = self.arrive(before)
        queue = self.dashboard_queue()
        self.echo(f"\nApp page (what the Dashboard opens): {self.app_page_url()}")
        return {"orders": self.orders, "before": before, "after": after, "filled": filled,
                "queue": queue, "app_page": self.app_page_url()}

    def start(self) -> None:
        from testbed.saleor import Saleor, TestbedError

        check_source()
        self.say("starting Saleor (the test bed; the first start builds it, minutes)")
        try:
            self.saleor = Saleor.start(log=lambda message: self.say(f"  {message}"))
        except TestbedError as exc:
            raise click.ClickException(f"Saleor could not start: {exc}") from None
        self.shop = self.saleor.api_url
        web = make_server("127.0.0.1", 0, None, threaded=True)  # port first, app below
        self.app_url = f"http://127.0.0.1:{web.server_port}"
        try:
            self.app = self._make_app()
        except BaseException:
            web.server_close()
            raise
        self.services = self.app.extensions["backorders"]
        web.app = self.app
        Thread(target=web.serve_forever, name="web", daemon=True).start()
        self.web = web
        self.say(f"Saleor at {self.saleor.api_url}, app at {self.app_url}; the worker is this "
                 "process, draining the job queue after each step")

    def _make_app(self):
        from app import create_app

        self.folder.mkdir(parents=True, exist_ok=True)
        database = self.folder / "demo-saleor.db"
        queue = self.folder / "demo-saleor-queue.db"
        for path in (database, queue):
            for suffix in ("", "-wal", "-shm", ".lock", ".door"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        config = replace(self.base_config, app_url=self.app_url,
                         database_url=f"sqlite:///{database}", redis_url=None,
                         queue_path=str(queue), development=True, sync_delay_s=0,
                         saleor_api_urls=(self.saleor.api_url,),
                         token_encryption_keys=(Fernet.generate_key().decode(),))
        return create_app(config, migrate=True)

    def install(self) -> None:
        from app.platforms.saleor.manifest import PERMISSIONS

        installed = self.saleor.install_app(f"{self.app_url}/saleor/manifest", PERMISSIONS)
        self.app_id = installed["app_id"]
        self.say(f"installed through {self.app_url}/saleor/manifest "
                 f"(permissions {', '.join(PERMISSIONS)})")

    def sell(self) -> list[dict]:
        self.store = self.saleor.seed_store()
        sku = f"MUG-{uuid.uuid4().hex[:6].upper()}"
        product = self.saleor.create_product(self.store, "Enamel mug", {sku: STOCK})
        self.variant = product.variants[sku]
        self.say(f"store seeded: a warehouse, a USD channel, and 'Enamel mug' ({sku}), sold "
                 f"without tracking inventory, {STOCK} in stock")
        self.orders = [self.saleor.place_order(self.store, [(self.variant, units)])
                       for units in ORDERS]
        self.say(f"{len(ORDERS)} orders placed, of {', '.join(map(str, ORDERS))} units")
        self.settle("the orders", lambda: self._mirrored() == len(self.orders))
        lines = self.lines()
        self.show(lines)
        return lines

    def arrive(self, before: list[dict]) -> tuple[list[dict], list[dict]]:
        receipts = self._receipts()
        self.saleor.set_stock(self.variant, self.store.warehouse_id, STOCK + ARRIVING)
        self.say(f"{ARRIVING} units arrived: the warehouse's stock set from {STOCK} to "
                 f"{STOCK + ARRIVING} in Saleor")
        self.settle("the stock update", lambda: self._receipts() > receipts)
        after = self.lines()
        now = {line["line_id"]: line for line in after}
        filled = [{"order": line["order"], "order_id": line["order_id"],
                   "units": line["backordered"] - now[line["line_id"]]["backordered"],
                   "still_backordered": now[line["line_id"]]["backordered"]}
                  for line in sorted(before, key=lambda line: line["position"] or 0)
                  if line["backordered"] > now[line["line_id"]]["backordered"]]
        self.echo("Filled, in queue order:")
        for fill in filled:
            rest = (f", {fill['still_backordered']} still backordered"
                    if fill["still_backordered"] else ", now ready")
            self.echo(f"  order {fill['order']:6} {fill['units']} unit(s){rest}")
        self.show(after)
        return after, filled

    def dashboard_queue(self) -> dict:
        token = self.saleor.dashboard_token(self.app_id)
        answer = self.http.get(f"{self.app_url}/api/queue", timeout=30, headers={
            "Authorization-Bearer": token, "Saleor-Api-Url": self.saleor.api_url})
        if answer.status_code != 200:
            raise click.ClickException(f"GET /api/queue: {answer.status_code} {answer.text}")
        queue = answer.json()
        self.echo(f"\nGET /api/queue with the Dashboard's token: {queue['total']} line(s) waiting")
        for line in queue["lines"]:
            eta = line["eta"] or {}
            self.echo(f"  #{line['queue_position']}  order {line['order_name']:6} "
                      f"{line['backordered']} of {line['quantity']} backordered  "
                      f"ETA {eta.get('date')} ({eta.get('source')}, {eta.get('earliest')} to "
                      f"{eta.get('latest')})")
        return queue

    def app_page_url(self) -> str:
        return f"{self.app_url}/saleor/app?saleorApiUrl={quote(self.saleor.api_url, safe='')}"

    # -- what the app decided, what Saleor shows ----------------------------------------------
    def lines(self) -> list[dict]:
        """Every open line, as the app planned it, with its order's metadata read from Saleor."""
        found = self.services.admin.queue(self.shop, QueueQuery(status="all", limit=200))
        lines = sorted(found["lines"], key=lambda line: self.orders.index(line["order_id"]))
        metadata = {order_id: self.metadata(order_id) for order_id in self.orders}
        return [{"order": line["order_name"], "order_id": line["order_id"],
                 "line_id": line["line_id"], "quantity": line["quantity"],
                 "covered": line["covered"], "backordered": line["backordered"],
                 "position": line["queue_position"], "eta": (line["eta"] or {}).get("date"),
                 "saleor": metadata[line["order_id"]]} for line in lines]

    def metadata(self, order_id: str) -> dict[str, str]:
        """The order's `backorders.*` metadata, as Saleor shows it now."""
        return {key: value for key, value in self.saleor.order_metadata(order_id).items()
                if key.startswith("backorders.")}

    def show(self, lines: list[dict]) -> None:
        self.echo(f"  {'order':8}{'units':>6}{'covered':>9}{'backordered':>13}{'queue':>7}"
                  f"  {'ETA':12}| Saleor: backorders.status, backorders.eta")
        for line in lines:
            saleor = line["saleor"]
            shown = (f"{saleor.get('backorders.status', '-')}, {saleor.get('backorders.eta') or '-'}"
                     if saleor else "(no backorders metadata)")
            position = "-" if line["position"] is None else f"#{line['position']}"
            self.echo(f"  {line['order']:8}{line['quantity']:>6}{line['covered']:>9}"
                      f"{line['backordered']:>13}{position:>7}  {line['eta'] or '-':12}| {shown}")

    # -- the worker ---------------------------------------------------------------------------
    def settle(self, what: str, arrived) -> None:
        """Run the worker's queue in this process until `arrived()` holds and nothing is left:
        no job queued, no receipt unprocessed, no order waiting for its write to Saleor."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            ran = self.services.queue.drain()
            if not ran and arrived() and self._idle():
                return
            if time.monotonic() > deadline:
                raise click.ClickException(f"timed out waiting for the app to handle {what}")
            time.sleep(0.2)

    def _idle(self) -> bool:
        if self.services.queue.huey.pending_count():
            return False
        with self.services.db.transaction() as s:
            unprocessed = s.scalar(select(func.count()).select_from(WebhookReceipt).where(
                WebhookReceipt.shop == self.shop, WebhookReceipt.processed_at.is_(None)))
            unsynced = s.scalar(select(func.count()).select_from(OrderSync).where(
                OrderSync.shop == self.shop, OrderSync.pending.is_(True)))
        return not unprocessed and not unsynced

    def _mirrored(self) -> int:
        with self.services.db.transaction() as s:
            return s.scalar(select(func.count()).select_from(Order).where(
                Order.shop == self.shop, Order.order_id.in_(self.orders)))

    def _receipts(self) -> int:
        with self.services.db.transaction() as s:
            return s.scalar(select(func.count()).select_from(WebhookReceipt).where(
                WebhookReceipt.shop == self.shop))

    def close(self) -> None:
        if self.web is not None:
            self.web.shutdown()
            self.web.server_close()
        if self.services is not None:
            self.services.close()
        if self.saleor is not None:
            self.saleor.stop()
            self.say("Saleor stopped, its database dropped")
