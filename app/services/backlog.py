"""Whether the app has caught up: for operators watching a sale, and for scripts that must wait
until every webhook has reached the store as holds, tags and fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from app.storage import backlog as backlog_store
from app.storage.db import Database


@dataclass(frozen=True)
class BacklogStatus:
    webhooks: int  # recorded, not yet processed
    jobs_ready: int  # queued, waiting for a worker
    jobs_scheduled: int  # queued to run later (a delayed sync, a retry)
    order_syncs: int  # orders whose desired state the platform does not have yet
    object_syncs: int  # variants' and products' writes likewise

    @property
    def settled(self) -> bool:
        return not any(asdict(self).values())

    def as_dict(self) -> dict:
        return {**asdict(self), "settled": self.settled}


class Backlog:
    def __init__(self, db: Database, jobs: Callable[[], tuple[int, int]]):
        """`jobs` counts the queue's (ready, scheduled) tasks."""
        self._db = db
        self._jobs = jobs

    def status(self) -> BacklogStatus:
        with self._db.read() as tx:
            webhooks, orders, objects = backlog_store.counts(tx)
        ready, scheduled = self._jobs()
        return BacklogStatus(webhooks, ready, scheduled, orders, objects)
