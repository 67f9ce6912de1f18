"""app.toml is the app's configuration in the Shopify CLI format, and the handler registry and its
webhook topics stay equal."""

from __future__ import annotations

from app.config import read_app_toml, toml_topics
from webhooks.registry import TOPICS


def test_topics_in_app_toml_equal_the_registry():
    topics, compliance = toml_topics(read_app_toml())
    assert topics | compliance == set(TOPICS)


def test_app_toml_has_the_cli_keys():
    toml = read_app_toml()
    assert toml["embedded"] is True
    assert len(toml["name"]) <= 30
    assert toml["auth"]["redirect_urls"]
    assert toml["access_scopes"]["scopes"]
    year, month = toml["webhooks"]["api_version"].split("-")
    assert int(year) >= 2026 and month in {"01", "04", "07", "10"}
    for sub in toml["webhooks"]["subscriptions"]:
        assert sub["uri"] == "/webhooks"
        assert sub.get("topics") or sub.get("compliance_topics")


def test_each_compliance_topic_appears_once():
    subs = read_app_toml()["webhooks"]["subscriptions"]
    listed = [t for sub in subs for t in sub.get("compliance_topics", [])]
    assert sorted(listed) == ["customers/data_request", "customers/redact", "shop/redact"]


def test_scopes_reach_old_orders_and_fulfillment_services():
    """Backorders can outlive Shopify's 60-day window, and orders shipped by a fulfillment
    service have fulfillment orders only these scopes show and hold."""
    scopes = set(read_app_toml()["access_scopes"]["scopes"].split(","))
    assert {"read_all_orders", "read_third_party_fulfillment_orders",
            "write_third_party_fulfillment_orders",
            "write_merchant_managed_fulfillment_orders"} <= scopes


def test_changes_of_fulfillment_orders_by_others_are_subscribed():
    topics, _ = toml_topics(read_app_toml())
    assert {f"fulfillment_orders/{t}" for t in ("hold_released", "placed_on_hold", "split",
                                                 "merged", "moved")} <= topics
