"""Injected Admin API failures on a seeded share of requests: 429, 5xx, timeouts (the response
comes after the client has stopped waiting) and slow responses."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

RATE_LIMITED_BODY = {"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}


@dataclass
class Faults:
    rate_429: float = 0.0
    rate_5xx: float = 0.0
    rate_timeout: float = 0.0
    rate_slow: float = 0.0
    timeout_seconds: float = 6.0
    slow_seconds: float = 0.5
    seed: int = 0
    sleep: object = time.sleep
    counters: dict = field(default_factory=lambda: {"429": 0, "5xx": 0, "timeout": 0, "slow": 0})

    def __post_init__(self):
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def configure(self, **settings) -> None:
        unknown = set(settings) - {"rate_429", "rate_5xx", "rate_timeout", "rate_slow",
                                   "timeout_seconds", "slow_seconds", "seed"}
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        for name, value in settings.items():
            setattr(self, name, value)
        if "seed" in settings:
            self._rng = random.Random(settings["seed"])

    def pick(self) -> tuple[str | None, int]:
        """Which fault (if any) hits this request, and the 5xx status to use."""
        with self._lock:
            roll, status = self._rng.random(), self._rng.choice([500, 502, 503])
        for kind, rate in (("429", self.rate_429), ("5xx", self.rate_5xx),
                           ("timeout", self.rate_timeout), ("slow", self.rate_slow)):
            if roll < rate:
                self.counters[kind] += 1
                return kind, status
            roll -= rate
        return None, 0
