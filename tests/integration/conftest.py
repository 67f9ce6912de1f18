"""Fixtures of the integration tests that drive the app against the in-memory platform."""

from __future__ import annotations

import pytest
import responses

from app import create_app
from app.config import load_config
from tests.fakes import FakeGateway
from tests.integration.helpers import install
from tests.saleor_edge import SaleorEdge, register

V1 = "gid://shopify/ProductVariant/1"


@pytest.fixture
def platform() -> FakeGateway:
    gateway = FakeGateway()
    gateway.add_variant(V1, available=-1, vendor="Acme", product_type="Shirts")
    return gateway


@pytest.fixture
def flow(env, clock, platform):
    app = create_app(load_config(env), clock=clock, migrate=False, gateway=platform)
    services = app.extensions["backorders"]
    services.queue.huey.flush()
    install(services)
    yield app.test_client(), services
    services.queue.huey.flush()
    services.close()


@pytest.fixture
def saleor(client):
    """A Saleor instance at the HTTP edge (tests/saleor_edge.py), the app installed in it."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        edge = SaleorEdge(rsps)
        register(client)
        yield edge
