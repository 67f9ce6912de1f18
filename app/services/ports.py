"""What the services need from the outside world, as protocols the platform adapters implement.
The services and the domain never import a platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    scopes: str
    access_expires_at: datetime | None
    refresh_token: str | None
    refresh_expires_at: datetime | None


class TokenIssuer(Protocol):
    def refresh(self, shop: str, refresh_token: str) -> TokenGrant: ...


class JobQueue(Protocol):
    def process_receipt(self, receipt_id: int) -> None: ...
