"""Work a service leaves for later, as typed messages. A service is given the queue's `enqueue`
when it is built, and hands it these; the queue runs each as a job of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SyncShop:
    """Converge the platform on the shop's desired state (orders, policies, substitutes)."""

    shop: str


@dataclass(frozen=True, slots=True)
class SettleStock:
    """Stock readings of one second disagreed: read these items from the platform."""

    shop: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SetUpShop:
    """A new install: the shop's profile, the catalog and its stock."""

    shop: str


@dataclass(frozen=True, slots=True)
class ReplanShop:
    """Plan every pool again (`plans`) and look at every waiting order again (`views`)."""

    shop: str
    reason: str
    plans: bool = True
    views: bool = True


@dataclass(frozen=True, slots=True)
class ReofferShop:
    """Offer every waiting line its alternatives again, in queue order: some lines gave up
    units that lines behind them may now be offered."""

    shop: str


FollowUp = SyncShop | SettleStock | SetUpShop | ReplanShop | ReofferShop
Enqueue = Callable[[FollowUp], None]


def nowhere(message: FollowUp) -> None:
    """An enqueue that drops the message (tests and benchmarks that run no queue)."""


def once(messages: Iterable[FollowUp]) -> list[FollowUp]:
    """Each message once, in the order first seen."""
    return list(dict.fromkeys(messages))
