"""The queue as the worker runs it."""

from __future__ import annotations

import huey.consumer
import pytest
from cryptography.fernet import Fernet

from app.config import ConfigError, load_config
from app.jobs import Queue, make_huey


def config(**env: str):
    return load_config({"SHOPIFY_API_SECRET": "x",
                        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(), **env})


def test_an_idle_worker_never_sleeps_longer_than_the_poll_interval(tmp_path, monkeypatch):
    """huey's default back-off would let an idle worker sleep up to 10 s before it saw a
    webhook on the SQLite queue."""
    settings = config(QUEUE_PATH=str(tmp_path / "queue.db"), WORKER_POLL_SECONDS="0.05")
    worker = Queue(make_huey(settings), settings).consumer(workers=1)._create_worker()
    slept: list[float] = []
    monkeypatch.setattr(huey.consumer.time, "sleep", slept.append)
    for _ in range(200):  # an empty queue, polled for a long while
        worker.loop()
    assert len(slept) == 200 and max(slept) == 0.05


@pytest.mark.parametrize("bad", ["0", "-1", "soon"])
def test_the_poll_interval_must_be_a_positive_number_of_seconds(bad):
    with pytest.raises(ConfigError, match="WORKER_POLL_SECONDS"):
        config(WORKER_POLL_SECONDS=bad)


def test_the_sqlite_queue_makes_its_folder(tmp_path):
    """A database outside `instance/` leaves the queue's default folder uncreated."""
    settings = config(QUEUE_PATH=str(tmp_path / "not" / "yet" / "queue.db"))
    make_huey(settings).pending_count()
    assert (tmp_path / "not" / "yet" / "queue.db").exists()
