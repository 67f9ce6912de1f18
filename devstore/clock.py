"""Time as the simulator sees it. Token expiry, bucket refill and delayed routing read this clock
so tests can move time forward instead of sleeping."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SystemClock:
    """Wall-clock time; `sleep` really waits (used for slow and timed-out responses)."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class ManualClock:
    """A clock that only moves when told to; `sleep` advances it instantly."""

    def __init__(self, start: float | datetime = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)):
        self._now = start.timestamp() if isinstance(start, datetime) else float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)


def utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def graphql_time(timestamp: float | None) -> str | None:
    """GraphQL DateTime: UTC with a Z suffix, whole seconds, as the Admin API returns it."""
    if timestamp is None:
        return None
    return utc(timestamp).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def rest_time(timestamp: float | None, offset_minutes: int = 0) -> str | None:
    """REST/webhook timestamps carry the shop's UTC offset, e.g. 2025-03-03T04:00:00-05:00."""
    if timestamp is None:
        return None
    local = utc(timestamp).replace(microsecond=0) + timedelta(minutes=offset_minutes)
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{hours:02d}:{minutes:02d}"
