"""The job queue: huey on SQLite by default, on Redis when REDIS_URL is set.

Tasks are thin: they name a service call and nothing else. They are registered on a huey instance
made by the app factory, so the web process (which enqueues) and `flask --app app worker` (which
runs them) build the same registry. Every task is idempotent and retried with exponential backoff."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from huey.consumer import Consumer
from huey.exceptions import TaskLockedException

from app.config import Config
from app.platforms.shopify.oauth import STATE_MAX_AGE
from app.services.messages import (
    FollowUp,
    ReofferShop,
    ReplanShop,
    SettleStock,
    SetUpShop,
    SyncShop,
)

log = logging.getLogger(__name__)
RETRIES = 8
MAX_DELAY_S = 600
CHECKPOINT_EVERY_S = 1.0


def make_huey(config: Config) -> Huey:
    if config.redis_url:
        return RedisHuey("backorders", url=config.redis_url, results=False, utc=True)
    Path(config.queue_path).parent.mkdir(parents=True, exist_ok=True)  # as the database's folder
    return SqliteHuey("backorders", filename=config.queue_path, results=False, utc=True,
                      timeout=30)


def backoff_delay(attempt: int) -> float:
    """Exponential with jitter: about 1, 2, 4 … s, capped, so retries of a burst spread out."""
    return random.uniform(0.5, 1.0) * min(MAX_DELAY_S, 2 ** attempt)


def retried(huey: Huey, func: Callable, name: str):
    """A task that retries with backoff: huey's own retry_delay is fixed, so the delay of the
    next attempt is set on the task just before huey requeues it."""

    def run(*args, task=None):
        try:
            return func(*args)
        except Exception:
            if task is not None and task.retries:
                attempt = RETRIES - task.retries
                task.retry_delay = backoff_delay(attempt)
                log.warning("task %s failed (attempt %d), retrying in %.1fs",
                            name, attempt + 1, task.retry_delay)
            raise

    return huey.task(retries=RETRIES, context=True, name=name)(run)


def _sync_key(shop: str) -> str:
    return f"sync-queued:{shop}"


def _reoffer_key(shop: str) -> str:
    return f"reoffer-queued:{shop}"


class Queue:
    """Our tasks on one huey instance, and `enqueue`, which each service is given when it is
    built. The tasks run the services the queue is attached to (`attach`, once they exist): a
    process that only enqueues, as the web does, needs nothing more."""

    def __init__(self, huey: Huey, config: Config):
        self.huey = huey
        self._sync_delay_s = config.sync_delay_s
        self._reoffer_delay_s = config.reoffer_delay_s
        self._poll_s = config.worker_poll_s
        self._services = None
        self._process_receipt = retried(
            huey, lambda receipt_id: self._worker.events.process_receipt(receipt_id),
            "process_receipt")
        self._sync = retried(huey, lambda shop: self._locked_sync(shop), "sync")
        self._setup = retried(huey, lambda shop: self._worker.onboarding.setup(shop), "setup_shop")
        self._replan_shop = retried(huey, lambda shop, reason, plans=True, views=True: (
            self._send(self._worker.backorders.replan_shop(shop, reason, plans, views)
                       .follow_ups)), "replan_shop")
        self._reoffer = retried(huey, lambda shop: self._run_reoffer(shop), "reoffer_shop")
        self._settle = retried(huey, lambda shop, items: self._send(
            self._worker.backorders.settle_stock(shop, list(items)).follow_ups), "settle_stock")
        self._reconcile = huey.periodic_task(crontab(minute="*/15"), name="reconcile")(
            lambda: [self._worker.reconcile.run(shop) for shop in self._shops()])
        self._sweep = huey.periodic_task(crontab(minute="*/5"), name="sweep_receipts")(
            lambda: self.sweep(self._worker))
        self._sync_all = huey.periodic_task(crontab(minute="*"), name="sync_pending")(
            lambda: [self.sync(shop, force=True) for shop in self._shops()])
        self._overdue = huey.periodic_task(crontab(minute="5", hour="*"), name="replan_overdue")(
            lambda: [self._replan_overdue(shop) for shop in self._shops()])
        self._purge_states = huey.periodic_task(crontab(minute="*/10"), name="purge_oauth_states")(
            lambda: self._worker.installs.purge_oauth_states(STATE_MAX_AGE))
        self._statistics = huey.periodic_task(crontab(minute="0", hour="*"),
                                              name="refresh_statistics")(
            lambda: self._worker.db.refresh_statistics())

    def attach(self, services) -> None:
        """The services the tasks run."""
        self._services = services

    @property
    def _worker(self):
        if self._services is None:
            raise RuntimeError("the queue runs no task before it is attached to the services")
        return self._services

    def _shops(self) -> list[str]:
        return self._worker.installs.installed_shops()

    def enqueue(self, message: FollowUp) -> None:
        match message:
            case SyncShop(shop):
                self.sync(shop)
            case SettleStock(shop, items):
                self._settle(shop, items)
            case SetUpShop(shop):
                self._setup(shop)
            case ReplanShop(shop, reason, plans, views):
                self._replan_shop(shop, reason, plans, views)
            case ReofferShop(shop):
                self.reoffer(shop)

    def process_receipt(self, receipt_id: int) -> None:
        self._process_receipt(receipt_id)

    def take_receipts(self) -> int:
        """Queue a job for each receipt intake recorded and no worker has taken yet; how many.
        Intake only inserts the receipt: this is where its job is queued, by the worker."""
        taken = self._worker.intake.take_waiting()
        for receipt_id in taken:
            self.process_receipt(receipt_id)
        return len(taken)

    def sync(self, shop: str, force: bool = False) -> None:
        """At most one sync waits per shop: a burst of a thousand webhooks queues one sync, which
        then writes every pending order in batches. `force` queues one regardless (the periodic
        safety net)."""
        if self.huey.put_if_empty(_sync_key(shop), "1") or force:
            self.huey.put(_sync_key(shop), "1")
            if self._sync_delay_s and not force:
                # A short wait lets a burst's plans settle (an order and its stock update arrive
                # apart) so a passing state is not written, and packs more orders per request.
                self._sync.schedule(args=(shop,), delay=self._sync_delay_s)
            else:
                self._sync(shop)

    def reoffer(self, shop: str) -> None:
        """At most one re-offer waits per shop, run a while after the first ask: it looks at
        every waiting order, so a sale's stream of fills pays for one pass per interval."""
        if self.huey.put_if_empty(_reoffer_key(shop), "1"):
            if self._reoffer_delay_s:
                self._reoffer.schedule(args=(shop,), delay=self._reoffer_delay_s)
            else:
                self._reoffer(shop)

    def _run_reoffer(self, shop: str) -> None:
        self.huey.get(_reoffer_key(shop))  # from here on, a new ask queues another pass
        self._send(self._worker.backorders.replan_shop(
            shop, "alternatives given up", plans=False, views=True).follow_ups)

    def replan_shop(self, shop: str, reason: str, plans: bool = True, views: bool = True) -> None:
        self._replan_shop(shop, reason, plans, views)

    def _replan_overdue(self, shop: str) -> None:
        self._send(self._worker.backorders.replan_overdue(shop).follow_ups)

    def _send(self, messages: list[FollowUp]) -> None:
        for message in messages:
            self.enqueue(message)

    def _locked_sync(self, shop: str) -> None:
        """One sync per shop at a time. The running one keeps going while new work is flagged;
        a sync that finds the lock taken leaves, since the running one will see the flag.
        Orders still settling when it ends get a sync of their own, a little later."""
        key = _sync_key(shop)
        while True:
            try:
                with self.huey.lock_task(f"sync:{shop}"):
                    while self.huey.get(key) is not None:
                        self._worker.sync.run(shop)
            except TaskLockedException:
                return
            if self.huey.get(key, peek=True) is None:  # flagged between the last run and now?
                break
        if self._worker.sync.has_pending(shop):
            self.sync(shop)

    def sweep(self, services) -> int:
        """Re-enqueue receipts recorded but never processed (a lost enqueue or a killed worker)."""
        ids = services.intake.unprocessed(services.clock() - timedelta(minutes=5))
        for receipt_id in ids:
            self.process_receipt(receipt_id)
        return len(ids)

    def ping(self) -> None:
        self.huey.pending_count()

    def counts(self) -> tuple[int, int]:
        """Tasks (ready to run, scheduled for later)."""
        return self.huey.pending_count(), self.huey.scheduled_count()

    def consumer(self, workers: int, periodic: bool = True, check_worker_health: bool = True):
        """The worker process's consumer, with a thread that takes new receipts into the queue
        (`take_receipts`) every poll interval. Redis hands the consumer a task the moment one is
        queued (a blocking read); on SQLite it polls, and huey's default back-off would let an
        idle worker sleep up to 10 s before it saw a webhook, so it polls at a fixed, short
        interval."""
        return _Consumer(self, self.huey, workers=workers, worker_type="thread",
                         periodic=periodic, check_worker_health=check_worker_health,
                         initial_delay=self._poll_s, backoff=1.0, max_delay=self._poll_s)

    def take_receipts_until(self, stopped: threading.Event) -> None:
        """The receipt taker of a worker process: takes what waits, at once again while there
        was some, else after the poll interval. About once a second it also checkpoints the
        database's log (`Database.checkpoint`), which no writer does. A failure (the database
        away) is logged and tried again: the web keeps recording meanwhile."""
        checkpointed = time.monotonic()
        while not stopped.is_set():
            try:
                taken = self.take_receipts()
                if time.monotonic() - checkpointed >= CHECKPOINT_EVERY_S:
                    self._worker.db.checkpoint()
                    checkpointed = time.monotonic()
            except Exception:
                log.exception("taking new webhook receipts into the queue failed")
                taken = 0
            if not taken:
                stopped.wait(self._poll_s)

    def drain(self, limit: int = 100_000) -> int:
        """Take the waiting receipts, then run every ready task in this process, as a worker
        would (tests and the demo), until neither is left. An empty queue is asked first: on
        Redis a dequeue would wait a second for work to arrive."""
        done = 0
        while done < limit and (self.huey.pending_count() or self.take_receipts()):
            task = self.huey.dequeue()
            if task is None:
                return done
            self.huey.execute(task)
            done += 1
        return done


class _Consumer(Consumer):
    """huey's consumer, and beside its workers the thread that takes new receipts into the
    queue: intake writes receipts only, so without it a worker would never see a webhook."""

    def __init__(self, queue: Queue, huey: Huey, **options):
        super().__init__(huey, **options)
        self._queue = queue
        self._taking = threading.Event()
        self._taker: threading.Thread | None = None

    def start(self):
        super().start()
        self._taking.clear()
        self._taker = threading.Thread(target=self._queue.take_receipts_until,
                                       args=(self._taking,), name="receipt-taker", daemon=True)
        self._taker.start()

    def stop(self, graceful=False):
        self._taking.set()
        if self._taker is not None and graceful:
            self._taker.join()
        super().stop(graceful)
