"""Shared pieces for the Admin client tests: a fake clock whose sleep advances time, an in-memory
credentials store, the real Admin schema, and Shopify-shaped response bodies."""

from __future__ import annotations

import gzip
import json
import random
import threading
from pathlib import Path

import pytest
import responses
from graphql import GraphQLSchema, build_client_schema

from app.platforms.shopify.client import AdminClient

SCHEMA = Path(__file__).resolve().parents[3] / "devstore" / "data" / "admin-2026-10.schema.json.gz"
DOCUMENTS = Path(__file__).resolve().parent / "graphql"
SHOP = "backorder-test.myshopify.com"
URL = f"http://127.0.0.1:9999/{SHOP}/admin/api/2026-10/graphql.json"


class FakeClock:
    """Monotonic time that only moves when the code under test sleeps (or a test says so)."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


class MemoryCredentials:
    """Tokens per shop in memory; a refresh issues the next token of a numbered series."""

    def __init__(self, token: str = "token-1") -> None:
        self.token = token
        self.rejected: list[str] = []

    def access_token(self, shop: str) -> str:
        return self.token

    def refreshed_token(self, shop: str, rejected_token: str) -> str:
        self.rejected.append(rejected_token)
        self.token = f"token-{len(self.rejected) + 1}"
        return self.token


def cost(requested=10, actual=8, available=990.0, maximum=1000.0, rate=50.0) -> dict:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": maximum,
                "currentlyAvailable": available,
                "restoreRate": rate,
            },
        }
    }


def ok(data: dict, **bucket) -> dict:
    return {"data": data, "extensions": cost(**bucket)}


def throttled(requested=70, available=10.0, **bucket) -> dict:
    return {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
        ],
        "extensions": cost(requested=requested, actual=None, available=available, **bucket),
    }


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def credentials() -> MemoryCredentials:
    return MemoryCredentials()


@pytest.fixture
def client(clock: FakeClock) -> AdminClient:
    return AdminClient(
        "http://127.0.0.1:9999/{shop}",
        "2026-10",
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(7),
    )


@pytest.fixture
def http():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture(scope="session")
def schema() -> GraphQLSchema:
    with gzip.open(SCHEMA, "rt", encoding="utf-8") as handle:
        return build_client_schema(json.load(handle)["data"])
