"""Small helpers the integration tests share."""

from __future__ import annotations

import json
from datetime import timedelta

from app.services.ports import TokenGrant
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
