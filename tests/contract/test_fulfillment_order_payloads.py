"""The fulfillment order topics as Shopify publishes them (2026-07 samples): each names the
fulfillment orders the worker looks the order up by, and none names the order itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.platforms.shopify.payloads import (
    fulfillment_order_ids,
    parse_released,
    parse_split,
    placed_by_us,
)
from app.services.fulfillment_events import KIND
from app.services.ports import FulfillmentOrderSplit
from webhooks.registry import TOPICS

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "payloads-2026-07"


def sample(topic: str) -> dict:
    return json.loads((SAMPLES / f"{topic.replace('/', '_')}.json").read_text())["response"]


def fo(number: int) -> str:
    return f"gid://shopify/FulfillmentOrder/{number}"


@pytest.mark.parametrize("topic,expected", [
    ("fulfillment_orders/hold_released", [fo(1)]),
    ("fulfillment_orders/placed_on_hold", [fo(1), fo(2)]),
    ("fulfillment_orders/split", [fo(1), fo(2), fo(3)]),
    ("fulfillment_orders/merged", [fo(1), fo(2)]),  # merge intents name them by number
    ("fulfillment_orders/moved", [fo(1), fo(2)]),
])
def test_each_sample_names_its_fulfillment_orders(topic, expected):
    payload = sample(topic)
    assert TOPICS[topic] == KIND
    assert fulfillment_order_ids(payload) == expected
    assert "gid://shopify/Order/" not in json.dumps(payload)


def test_a_hold_of_another_app_is_not_taken_for_ours():
    payload = sample("fulfillment_orders/placed_on_hold")
    assert payload["created_fulfillment_hold"]["held_by_requesting_app"] is False
    assert not placed_by_us(payload)
    ours = {**payload, "created_fulfillment_hold": {**payload["created_fulfillment_hold"],
                                                    "held_by_requesting_app": True}}
    assert placed_by_us(ours)


def test_a_split_names_the_fulfillment_order_split_off_and_the_units_it_took():
    payload = sample("fulfillment_orders/split")
    assert parse_split(payload) == FulfillmentOrderSplit(fo(1), fo(2), (1,), replaced=True)
    plain = {**payload, "replacement_fulfillment_order": None}
    assert parse_split(plain) == FulfillmentOrderSplit(fo(1), fo(2), (1,), replaced=False)


@pytest.mark.parametrize("topic", ["fulfillment_orders/hold_released",
                                   "fulfillment_orders/placed_on_hold",
                                   "fulfillment_orders/merged", "fulfillment_orders/moved"])
def test_only_a_split_is_a_split(topic):
    assert parse_split(sample(topic)) is None


@pytest.mark.parametrize("topic", ["fulfillment_orders/split",
                                   "fulfillment_orders/placed_on_hold",
                                   "fulfillment_orders/merged", "fulfillment_orders/moved"])
def test_only_a_release_is_a_release(topic):
    assert parse_released(sample(topic)) is None


def test_a_release_names_the_fulfillment_order_open_again():
    assert parse_released(sample("fulfillment_orders/hold_released")) == fo(1)
