"""The Flow triggers the app fires match the trigger extensions it deploys: one extension per
kind of notice, and every payload carries exactly the extension's fields, each of its type."""

from __future__ import annotations

from pathlib import Path

from app.domain.notices import KINDS, Notice
from app.platforms.shopify import flow as app_flow
from devstore import flow as store_flow

EXTENSIONS = Path(__file__).resolve().parents[2] / "extensions"
SAMPLE = {"units": 2, "lines": "2 × Mug", "eta": "2026-12-10", "earliest": "2026-12-08",
          "latest": "2026-12-14", "previous": "2026-12-01", "days": 9,
          "reason": "the restock is late", "backorders": 1}


def extensions() -> dict[str, store_flow.TriggerExtension]:
    return {e.handle: e for e in store_flow.load_extensions(EXTENSIONS)}


def test_one_extension_per_kind_of_notice():
    assert sorted(handle for handle, _ in app_flow.TRIGGERS.values()) == sorted(extensions())
    assert set(app_flow.TRIGGERS) == set(KINDS)


def test_every_payload_fits_its_extension():
    found = extensions()
    for kind in KINDS:
        values = dict(SAMPLE)
        handle, payload = app_flow.trigger("gid://shopify/Order/1001", Notice(kind, kind, values))
        assert payload["order_id"] == 1001
        assert list(store_flow.check_payload(found[handle], payload)) == [], kind


def test_an_empty_text_value_is_still_sent_and_a_long_one_is_cut():
    handle, payload = app_flow.trigger("gid://shopify/Order/7", Notice(
        "created", "created:1", {"units": 1, "lines": "x" * 60_000}))
    assert payload["Expected ship date"] == ""
    assert len(payload["Backordered items"]) == app_flow.TEXT_LIMIT
    assert list(store_flow.check_payload(extensions()[handle], payload)) == []


def test_each_kind_knows_its_trigger_by_the_name_its_extension_gives_it():
    found = extensions()
    for kind, (handle, _) in app_flow.TRIGGERS.items():
        assert app_flow.NAMES[kind] == found[handle].name


def test_flow_tells_the_app_of_workflows_at_a_path_the_app_serves():
    from flask import Flask

    from webhooks.flow_lifecycle import bp

    url = store_flow.lifecycle_url(EXTENSIONS, "https://backorders.example")
    assert url == "https://backorders.example/flow/lifecycle"
    served = Flask(__name__)
    served.register_blueprint(bp)
    assert any(rule.rule == "/flow/lifecycle" and "POST" in rule.methods
               for rule in served.url_map.iter_rules())
