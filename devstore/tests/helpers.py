"""Shared test helpers: the recording webhook receiver and small Admin API shortcuts."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask, request

from devstore.webhooks import sign

API_KEY = "test-api-key"
API_SECRET = "test-api-secret"
SHOP = "demo.myshopify.com"
DOCUMENTS = Path(__file__).resolve().parents[2] / "app" / "platforms" / "shopify" / "graphql"


class Receiver:
    """Stands in for the app's /webhooks endpoint and remembers what arrived."""

    def __init__(self):
        self.received: list[dict] = []
        self.fail_next = 0
        self.app = Flask("receiver")
        self.app.add_url_rule("/webhooks", "hook", self.hook, methods=["POST"])

    def hook(self):
        if self.fail_next:
            self.fail_next -= 1
            return "boom", 500
        raw = request.get_data()
        self.received.append({"headers": dict(request.headers), "raw": raw, "body": json.loads(raw),
                              "topic": request.headers["X-Shopify-Topic"]})
        return "", 200

    def topics(self) -> list[str]:
        return [r["topic"] for r in self.received]

    def of(self, topic: str) -> list[dict]:
        return [r["body"] for r in self.received if r["topic"] == topic]

    def signature_ok(self, record: dict) -> bool:
        return sign(record["raw"], API_SECRET) == record["headers"]["X-Shopify-Hmac-Sha256"]


def variant(store, index: int = 0, policy: str = "CONTINUE", available: int = 2) -> int:
    """A variant with known stock at the first location and the given inventory policy."""
    variant_id = sorted(store.shop(SHOP).variants)[index]
    store.set_inventory_policy(SHOP, variant_id, policy)
    store.set_stock(SHOP, variant_id, available)
    return variant_id


def gql(client, token: str, query: str, variables: dict | None = None, status: int = 200) -> dict:
    response = client.post(f"/{SHOP}/admin/api/2026-10/graphql.json", json={"query": query, "variables": variables or {}},
                           headers={"X-Shopify-Access-Token": token})
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def document(name: str) -> str:
    return (DOCUMENTS / f"{name}.graphql").read_text()


def levels(store, variant_id: int) -> dict:
    state = store.state(SHOP)
    found = next(v for v in state["variants"] if v["id"] == variant_id)
    return found["levels"][store.shop(SHOP).primary_location.id]
