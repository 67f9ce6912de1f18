"""A seeded store on a manual clock, delivering webhooks synchronously to a recording receiver."""

from __future__ import annotations

import pytest

from devstore import DevStore, ManualClock

from .helpers import API_KEY, API_SECRET, SHOP, Receiver


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def receiver():
    return Receiver()


@pytest.fixture
def store(clock, receiver):
    store = DevStore(app_url="http://app.test", api_key=API_KEY, api_secret=API_SECRET, clock=clock,
                     webhook_client=receiver.app.test_client())
    store.create_shop(SHOP, locations=["Warehouse", "Shop floor"])
    store.seed_catalog(SHOP, "apparel")
    store.install(SHOP)
    return store


@pytest.fixture
def client(store):
    return store.wsgi_app.test_client()


@pytest.fixture
def token(store):
    return store.issue_token(SHOP)["access_token"]
