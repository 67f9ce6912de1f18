"""POST /flow/lifecycle: Shopify Flow's word that a shop's enabled workflows do, or no longer
do, start with one of the app's triggers, and what the sync then fires."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import MetaData, Table, insert, select
from sqlalchemy.orm import Session

from app.domain.notices import CREATED, KINDS, READY
from app.storage import notice_listeners as listener_store
from app.storage.db import make_engine
from app.storage.migrate import downgrade, upgrade
from tests.conftest import SHOP, sign

EVERY = frozenset(KINDS)


def callback(client, body: dict | bytes, signature: str | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json",
               "X-Shopify-Hmac-Sha256": signature if signature is not None else sign(raw)}
    return client.post("/flow/lifecycle", data=raw, headers=headers)


def said(trigger: str = "Backorder created", enabled: bool = True,
         at: str = "2026-12-03T10:00:00.500Z", **changes) -> dict:
    """A callback body as Flow sends it (the docs' example: the trigger's title as its id)."""
    return {"flow_trigger_definition_id": trigger, "has_enabled_flow": enabled,
            "shop_id": "690933842", "shopify_domain": SHOP, "timestamp": at, **changes}


def heard(services) -> frozenset[str]:
    with services.db.transaction() as s:
        return listener_store.heard(s, SHOP, EVERY)


def test_a_shop_flow_has_told_nothing_listens_to_nothing(services):
    assert heard(services) == frozenset()


def test_an_enabled_workflow_makes_its_trigger_heard_by_name_or_by_handle(client, services):
    response = callback(client, said("Backorder created"))
    assert response.status_code == 200
    assert response.json == {"status": "recorded", "listener": CREATED, "listening": True}
    assert callback(client, said("backorder-ready")).json["listener"] == READY
    assert heard(services) == {CREATED, READY}


def test_a_workflow_disabled_later_is_no_longer_heard(client, services):
    callback(client, said(enabled=True, at="2026-12-03T10:00:00.100Z"))
    callback(client, said(enabled=False, at="2026-12-03T10:00:00.200Z"))
    assert heard(services) == frozenset()


def test_an_older_word_arriving_late_is_ignored(client, services):
    callback(client, said(enabled=False, at="2026-12-03T10:00:01Z"))
    response = callback(client, said(enabled=True, at="2026-12-03T10:00:00Z"))
    assert response.status_code == 200 and response.json["status"] == "stale"
    assert heard(services) == frozenset()


def test_a_trigger_the_app_does_not_know_speaks_for_every_kind_without_its_own_word(
        client, services):
    """Should Flow name a trigger some other way, every notice goes out while it is enabled,
    rather than none; a kind Flow named on its own still follows its own word."""
    callback(client, said("Backorder ready to ship", enabled=False))
    assert callback(client, said("8f14e45f-ceea-467f-a0e6")).json["listener"] == \
        "flow:8f14e45f-ceea-467f-a0e6"
    assert heard(services) == EVERY - {READY}


@pytest.mark.parametrize("raw, signature, status, field", [
    (said(), "bm90IHRoZSBzaWduYXR1cmU=", 401, None),
    (said(), "", 401, None),
    (b"{not json", None, 400, None),
    (b"[1, 2]", None, 400, None),
    (said(flow_trigger_definition_id=""), None, 422, "flow_trigger_definition_id"),
    (said(has_enabled_flow="yes"), None, 422, "has_enabled_flow"),
    (said(shopify_domain="example.com"), None, 422, "shopify_domain"),
    (said(shopify_domain=None), None, 422, "shopify_domain"),
    (said(at="yesterday"), None, 422, "timestamp"),
    (said(at="2026-12-03T10:00:00"), None, 422, "timestamp"),
])
def test_a_bad_callback_is_refused_saying_why_and_changes_nothing(client, services, raw,
                                                                  signature, status, field):
    response = callback(client, raw, signature)
    assert response.status_code == status, response.json
    assert response.json["message"]
    assert response.json.get("field") == field
    assert heard(services) == frozenset()


def test_shops_installed_before_the_callbacks_keep_every_notice_until_flow_says(tmp_path):
    """A shop's workflows enabled before the app listened for Flow's word were never told of:
    the migration lets such a shop hear every kind until Flow says otherwise for one."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url, "0021")
    engine = make_engine(url)
    shops = Table("shops", MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        conn.execute(insert(shops).values(shop=SHOP, installed=True, scopes="", policy={}))
    upgrade(url)
    later = datetime(2026, 12, 3, 10, tzinfo=UTC)
    with engine.begin() as conn:
        with Session(conn) as s:
            assert listener_store.heard(s, SHOP, EVERY) == EVERY
            assert listener_store.record(s, SHOP, READY, False, later)
            assert listener_store.heard(s, SHOP, EVERY) == EVERY - {READY}
            assert listener_store.heard(s, "new.myshopify.com", EVERY) == frozenset()
            s.commit()
    rows = Table("notice_listeners", MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        assert conn.execute(select(rows.c.kind).where(rows.c.shop == SHOP)
                            .order_by(rows.c.kind)).scalars().all() == ["*", READY]
    downgrade(url, "0021")
    engine.dispose()
