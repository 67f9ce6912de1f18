"""Small helpers the integration tests share."""

from __future__ import annotations

import json
from datetime import timedelta

from app.services.ports import TokenGrant
from app.storage.tables import Pool
from tests.conftest import SHOP, webhook_headers


def install(services, shop: str = SHOP, token: str = "shpat_first", expires_in_s: int = 3600) -> None:
    now = services.clock()
    services.installs.install(shop, TokenGrant(
        access_token=token, scopes="read_orders,write_orders",
        access_expires_at=now + timedelta(seconds=expires_in_s),
        refresh_token=f"shprt_{token}", refresh_expires_at=now + timedelta(days=90)))


def post_webhook(client, topic: str, payload, shop: str = SHOP, **headers):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post("/webhooks", data=body, headers=webhook_headers(topic, body, shop, **headers))


def queue_position(s, row) -> int | None:
    """A line's place in its pool's queue, as the admin shows it: its ticket less its pool's
    offset."""
    if row.queue_ticket is None:
        return None
    return row.queue_ticket - s.get(Pool, (row.shop, row.pool)).position_offset
