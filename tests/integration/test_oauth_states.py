"""`/auth` stores a state for anyone who asks: a periodic job deletes the states too old to be
spent, so the table does not grow without end."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.storage.tables import OAuthState
from tests.conftest import SHOP


def states(services) -> int:
    with services.db.transaction() as s:
        return len(list(s.scalars(select(OAuthState.nonce))))


def run_periodic(services, name: str) -> None:
    """Run a periodic job as the worker does when its minute comes."""
    huey = services.queue.huey
    at = datetime(2026, 11, 20, 12, 0)  # a minute every */5, */10 and */15 job runs in
    [task] = [t for t in huey.read_periodic(at) if t.name == name]
    huey.execute(task)


def test_expired_oauth_states_are_purged_periodically(client, services, clock):
    for _ in range(3):
        assert client.get(f"/auth?shop={SHOP}").status_code == 302
    clock.advance(minutes=11)
    assert client.get(f"/auth?shop={SHOP}").status_code == 302  # still fresh
    assert states(services) == 4
    run_periodic(services, "purge_oauth_states")
    assert states(services) == 1
    clock.advance(minutes=9)
    run_periodic(services, "purge_oauth_states")
    assert states(services) == 1  # not yet too old to be spent
