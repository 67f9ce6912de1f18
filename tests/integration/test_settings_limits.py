"""A settings save with oversized lists is refused at once with 422 naming the field, and
changes nothing."""

from __future__ import annotations

import time

from tests.conftest import SHOP
from tests.integration.helpers import install
from tests.integration.test_install import session_token


def test_twenty_thousand_priority_tags_are_422_at_once(client, services):
    install(services)
    auth = {"Authorization": f"Bearer {session_token(SHOP)}"}
    current = client.get("/api/settings", headers=auth).json
    bad = {**current, "policy": {**current["policy"],
                                 "priority_tags": [f"tag-{i}" for i in range(20_000)]}}
    started = time.perf_counter()
    response = client.put("/api/settings", headers=auth, json=bad)
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 422 and response.json["field"] == "priority_tags"
    assert client.get("/api/settings", headers=auth).json == current
