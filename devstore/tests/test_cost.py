"""Query cost and the leaky bucket, on a manual clock."""

from __future__ import annotations

from devstore.clock import ManualClock
from devstore.cost import LeakyBucket

from .helpers import SHOP, gql

LOCATIONS = "query { locations(first: 10) { nodes { id name } } }"


def test_bucket_arithmetic():
    clock = ManualClock()
    bucket = LeakyBucket(clock, maximum=100, restore_rate=10)
    assert bucket.take(80) and bucket.status()["currentlyAvailable"] == 20
    assert not bucket.take(30)
    clock.advance(1)
    assert bucket.take(30) and bucket.status()["currentlyAvailable"] == 0
    bucket.refund(25)
    assert bucket.status()["currentlyAvailable"] == 25
    clock.advance(60)
    assert bucket.status()["currentlyAvailable"] == 100


def test_requested_and_actual_cost_with_refund(client, token, store):
    body = gql(client, token, LOCATIONS)
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2 + 10 * 1
    assert cost["actualQueryCost"] == 2 + 2 * 1  # two locations came back
    assert cost["throttleStatus"] == {"maximumAvailable": 2000.0, "currentlyAvailable": 1996, "restoreRate": 100.0}


def test_throttled_when_bucket_is_short_then_recovers(client, token, store, clock):
    store.bucket(SHOP).take(1995)
    body = gql(client, token, LOCATIONS)
    assert body["errors"] == [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}]
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert store.stats()["throttled"] == 1
    clock.advance(0.1)  # 10 points back: enough for a 12-point request
    assert "errors" not in gql(client, token, LOCATIONS)


def test_single_query_over_1000_points_is_refused(client, token):
    body = gql(client, token, "query { products(first: 250) { nodes { variants(first: 10) { nodes { id } } } } }")
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_mutations_cost_ten(client, token, store):
    order = store.place_order(SHOP, [(sorted(store.shop(SHOP).variants)[1], 1)])
    body = gql(client, token, 'mutation ($id: ID!) { tagsAdd(id: $id, tags: ["x"]) { userErrors { message } } }',
               {"id": order["gid"]})
    assert body["extensions"]["cost"]["requestedQueryCost"] == 10


def test_injected_faults_are_seeded(client, token, store):
    store.set_faults(rate_429=1.0)
    response = client.post(f"/{SHOP}/admin/api/2026-10/graphql.json", json={"query": LOCATIONS},
                           headers={"X-Shopify-Access-Token": token})
    assert response.status_code == 429 and response.headers["Retry-After"] == "1.0"
    slept = []
    store.faults.sleep = slept.append
    store.set_faults(rate_429=0.0, rate_timeout=1.0, timeout_seconds=7)
    response = client.post(f"/{SHOP}/admin/api/2026-10/graphql.json", json={"query": LOCATIONS},
                           headers={"X-Shopify-Access-Token": token})
    assert response.status_code == 504 and slept == [7]
    store.set_faults(rate_timeout=0.0, rate_5xx=1.0)
    response = client.post(f"/{SHOP}/admin/api/2026-10/graphql.json", json={"query": LOCATIONS},
                           headers={"X-Shopify-Access-Token": token})
    assert response.status_code in (500, 502, 503)
    assert store.stats()["faults"] == {"429": 1, "5xx": 1, "timeout": 1, "slow": 0}
