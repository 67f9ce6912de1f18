"""What every state-changing module shares: the shops, id sequences, the clock, one lock and the
event sink. Webhooks leave through `emit` so the state modules never know how they are delivered."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .model import IdSequence, Shop

Emit = Callable[[Shop, str, dict], None]


class StoreError(ValueError):
    """A request the store refuses (unknown resource, overselling a DENY variant, bad input)."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


class NotFound(StoreError):
    def __init__(self, message: str):
        super().__init__(message, status=404)


@dataclass
class Core:
    clock: object
    emit: Emit
    app_id: int = 1
    routing_delay: float = 0.0  # seconds between an order and its fulfillment orders
    bulk_delay: float = 0.0  # seconds a bulk operation takes to complete
    ids: IdSequence = field(default_factory=IdSequence)
    shops: dict[str, Shop] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    staged_files: dict[str, bytes] = field(default_factory=dict)  # staged uploads, by key
    flow_triggers: dict = field(default_factory=dict)  # the app's trigger extensions, by handle
    flow_lifecycle_url: str | None = None  # where Flow tells the app of workflows turned on/off

    def now(self) -> float:
        return self.clock.now()

    def shop(self, domain: str) -> Shop:
        found = self.shops.get(normalise_domain(domain))
        if found is None:
            raise NotFound(f"shop {domain!r} does not exist")
        return found


def normalise_domain(domain: str) -> str:
    """`demo` and `demo.myshopify.com` name the same shop."""
    domain = domain.strip().lower()
    return domain if "." in domain else f"{domain}.myshopify.com"
