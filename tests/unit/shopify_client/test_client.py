"""AdminClient against HTTP responses shaped like Shopify's (the HTTP edge is the only fake)."""

from __future__ import annotations

import json
import threading

import pytest
import requests
import responses

from app.platforms.shopify.client import AdminClient
from app.platforms.shopify.errors import (
    GraphQLErrors,
    ShopifyError,
    TransientFailure,
    Unauthorized,
    UserError,
    UserErrors,
)

from .conftest import SHOP, URL, cost, ok, throttled

QUERY = "query Shop { shop { name } }"


def sent_bodies(http) -> list[dict]:
    return [json.loads(call.request.body) for call in http.calls]


def test_success_returns_data_cost_and_bucket(client, credentials, http, clock):
    http.post(URL, json=ok({"shop": {"name": "Test"}}, requested=3, actual=2, available=997))

    result = client.execute(SHOP, credentials, QUERY, {"a": 1}, operation_name="Shop")

    assert result.data == {"shop": {"name": "Test"}}
    assert result.cost == {"requestedQueryCost": 3, "actualQueryCost": 2}
    assert result.throttle_status == {
        "maximumAvailable": 1000.0,
        "currentlyAvailable": 997,
        "restoreRate": 50.0,
    }
    assert result.attempts == 1
    request = http.calls[0].request
    assert request.headers["X-Shopify-Access-Token"] == "token-1"
    assert request.headers["Content-Type"] == "application/json"
    assert sent_bodies(http) == [{"query": QUERY, "variables": {"a": 1}, "operationName": "Shop"}]
    assert client.stats.snapshot() == {
        "requests": 1,
        "throttled": 0,
        "retries": 0,
        "cost_requested": 3,
        "cost_actual": 2,
    }
    assert clock.sleeps == []


def test_endpoint_follows_the_origin_template():
    client = AdminClient("https://{shop}", "2026-10")

    assert client.endpoint(SHOP) == f"https://{SHOP}/admin/api/2026-10/graphql.json"


def test_shop_that_could_redirect_the_token_is_refused(client, credentials, http):
    with pytest.raises(ShopifyError, match="invalid shop domain"):
        client.execute("evil.example/@x", credentials, QUERY)

    assert len(http.calls) == 0


def test_pacing_waits_for_the_bucket_to_hold_the_last_seen_cost(client, credentials, http, clock):
    http.post(URL, json=ok({"shop": {}}, requested=100, actual=90, available=20, rate=50))
    client.execute(SHOP, credentials, QUERY)
    clock.advance(1.0)  # 50 points restored: 70 of the 100 needed

    client.execute(SHOP, credentials, QUERY)

    assert clock.sleeps == [pytest.approx(0.6)]


@pytest.mark.parametrize(("plan", "maximum", "rate", "wait"), [
    ("Standard", 2_000, 100, 9.0), ("Advanced", 4_000, 200, 4.5), ("Plus", 20_000, 1_000, 0.9),
    ("Enterprise", 40_000, 2_000, 0.45)])
def test_pacing_follows_the_plans_own_bucket(client, credentials, http, clock, plan, maximum,
                                             rate, wait):
    """The bucket of each plan, as its `throttleStatus` reports it: a sale on Plus is not paced as
    if it were on Standard (Shopify restores 100, 200, 1,000 and 2,000 points per second)."""
    http.post(URL, json=ok({"shop": {}}, requested=1_000, actual=1_000, available=100,
                           maximum=maximum, rate=rate))
    client.execute(SHOP, credentials, QUERY)

    client.execute(SHOP, credentials, QUERY)

    assert clock.sleeps == [pytest.approx(wait)]


def test_pacing_uses_the_callers_estimate_for_an_unseen_query(client, credentials, http, clock):
    http.post(URL, json=ok({"shop": {}}, requested=5, actual=5, available=100, rate=50))
    client.execute(SHOP, credentials, QUERY)

    client.execute(SHOP, credentials, "query Other { shop { id } }", estimated_cost=250)

    assert clock.sleeps == [pytest.approx(3.0)]


def test_no_pacing_when_the_bucket_is_full_enough(client, credentials, http, clock):
    http.post(URL, json=ok({"shop": {}}, requested=10, actual=10, available=900))

    client.execute(SHOP, credentials, QUERY)
    client.execute(SHOP, credentials, QUERY)

    assert clock.sleeps == []


def test_pacing_reserves_points_for_requests_not_yet_answered(client, credentials, http, clock):
    http.post(URL, json=ok({"shop": {}}, requested=1, actual=1, available=100, rate=50))
    client.execute(SHOP, credentials, QUERY)
    http.post(URL, json={"data": {"shop": {}}})  # no cost reported: the reservation stands

    client.execute(SHOP, credentials, QUERY, estimated_cost=80)  # 100 held: goes at once
    client.execute(SHOP, credentials, QUERY, estimated_cost=80)  # 20 left: 60 short

    assert clock.sleeps == [pytest.approx(1.2)]


def test_a_reading_does_not_free_the_points_of_requests_still_in_flight(client, credentials,
                                                                       http, clock):
    """A takes 80 of 100 points and is on its way; B's answer comes first, and Shopify's reading
    in it does not count A yet. C, wanting 80, must wait for A's points all the same."""
    http.post(URL, json=ok({"shop": {}}, requested=1, actual=1, available=100, rate=50))
    client.execute(SHOP, credentials, QUERY)
    waits: list[float] = []

    def while_a_is_in_flight(request):
        if not waits:
            waits.append(0.0)
            client.execute(SHOP, credentials, "query B { shop { id } }", estimated_cost=1)
            slept = len(clock.sleeps)
            client.execute(SHOP, credentials, "query C { shop { id } }", estimated_cost=80)
            waits[0] = sum(clock.sleeps[slept:])
        return 200, {}, json.dumps(ok({"shop": {}}, requested=1, actual=1, available=100,
                                      rate=50))

    http.remove(responses.POST, URL)
    http.add_callback(responses.POST, URL, callback=while_a_is_in_flight)
    client.execute(SHOP, credentials, QUERY, estimated_cost=80)

    assert waits == [pytest.approx(60 / 50)]  # 100 read by B, less A's 80: 60 short of C's


def test_a_request_that_can_wait_gives_way_to_one_that_cannot(client, credentials, http,
                                                               clock):
    """A webhook's read arriving while the sync's write waits for points goes first, at once:
    the waiting write reserved nothing. The write goes when the bucket holds it again."""
    http.post(URL, json=ok({"shop": {}}, requested=1, actual=1, available=20, rate=50))
    client.execute(SHOP, credentials, QUERY)
    http.post(URL, json=ok({"shop": {}}, requested=20, actual=20, available=0, rate=50))
    order: list[str] = []
    waits = clock.sleeps

    def sleep(seconds: float) -> None:
        if not order:  # the write is waiting: a webhook's read comes in meanwhile
            order.append("read coming")
            slept = len(waits)
            client.execute(SHOP, credentials, QUERY, estimated_cost=20)
            order[0] = "read" if len(waits) == slept else "read waited"
        clock.sleep(seconds)

    client.sleep = sleep
    client.execute(SHOP, credentials, QUERY, estimated_cost=80, can_wait=True)
    order.append("write")

    assert order == ["read", "write"]
    assert waits[0] == pytest.approx(0.25)  # the write looks again soon, holding nothing
    assert sum(waits) == pytest.approx(80 / 50)  # the read's 20 points, then the write's 80


def test_without_other_traffic_a_request_that_can_wait_waits_as_long_as_any(client, credentials,
                                                                            http, clock):
    http.post(URL, json=ok({"shop": {}}, requested=1, actual=1, available=20, rate=50))
    client.execute(SHOP, credentials, QUERY)

    client.execute(SHOP, credentials, QUERY, estimated_cost=80, can_wait=True)

    assert sum(clock.sleeps) == pytest.approx(60 / 50)
    assert len(http.calls) == 2


def test_seconds_until_the_bucket_holds_a_share_again(client, credentials, http, clock):
    assert client.seconds_until_share(SHOP, 0.5) == 0.0  # nothing read yet: nothing known
    http.post(URL, json=ok({"shop": {}}, requested=1, actual=1, available=100,
                           maximum=1000, rate=50))
    client.execute(SHOP, credentials, QUERY)

    assert client.seconds_until_share(SHOP, 0.5) == pytest.approx(8.0)  # 400 short at 50/s
    clock.advance(8.0)
    assert client.seconds_until_share(SHOP, 0.5) == 0.0


def test_points_kept_beyond_the_share_never_exceed_the_bucket(client, credentials, http, clock):
    """Room for the holds still coming: 300 points above half wait 6 s more; more than the
    bucket holds waits only until it is full."""
    http.post(URL, json=ok({"shop": {}}, requested=1, actual=1, available=100,
                           maximum=1000, rate=50))
    client.execute(SHOP, credentials, QUERY)

    assert client.seconds_until_share(SHOP, 0.5, 300) == pytest.approx(14.0)
    assert client.seconds_until_share(SHOP, 0.5, 5000) == pytest.approx(18.0)  # 900 to full


def test_buckets_are_kept_per_shop(client, credentials, http, clock):
    other = "other-shop.myshopify.com"
    http.post(URL, json=ok({"shop": {}}, requested=100, actual=100, available=0))
    http.post(URL.replace(SHOP, other), json=ok({"shop": {}}, requested=1, available=1000))
    client.execute(SHOP, credentials, QUERY)

    client.execute(other, credentials, "query Other { shop { id } }", estimated_cost=100)

    assert clock.sleeps == []


def test_throttled_on_200_waits_for_the_bucket_then_succeeds(client, credentials, http, clock):
    http.post(URL, json=throttled(requested=70, available=10, rate=50))
    http.post(URL, json=ok({"shop": {"name": "Test"}}))

    result = client.execute(SHOP, credentials, QUERY)

    assert result.data == {"shop": {"name": "Test"}}
    assert result.attempts == 2
    assert clock.sleeps == [pytest.approx(1.2)]  # (70 - 10) / 50, above the first backoff
    assert client.stats.throttled == 1
    assert client.stats.retries == 1
    assert client.stats.cost_requested == 10  # only the request that ran


def test_throttled_on_429_is_retried(client, credentials, http, clock):
    http.post(URL, status=429, json=throttled(requested=200, available=0, rate=100))
    http.post(URL, json=ok({"shop": {}}))

    result = client.execute(SHOP, credentials, QUERY)

    assert result.attempts == 2
    assert clock.sleeps == [pytest.approx(2.0)]


def test_429_honours_retry_after(client, credentials, http, clock):
    http.post(URL, status=429, body="Too Many Requests", headers={"Retry-After": "2.0"})
    http.post(URL, json=ok({"shop": {}}))

    result = client.execute(SHOP, credentials, QUERY)

    assert result.attempts == 2
    assert clock.sleeps == [2.0]
    assert client.stats.throttled == 1


def test_5xx_is_retried_with_growing_jittered_backoff(client, credentials, http, clock):
    http.post(URL, status=502, body="Bad Gateway")
    http.post(URL, status=503, body="Service Unavailable")
    http.post(URL, json=ok({"shop": {"name": "Test"}}))

    result = client.execute(SHOP, credentials, QUERY)

    assert result.attempts == 3
    first, second = clock.sleeps
    assert 0.25 <= first <= 0.5
    assert 0.5 <= second <= 1.0
    assert client.stats.requests == 3


@pytest.mark.parametrize(
    "fault",
    [
        requests.exceptions.ReadTimeout("read timed out"),
        requests.exceptions.ConnectTimeout("connect timed out"),
        requests.exceptions.ConnectionError("connection refused"),
    ],
)
def test_network_faults_are_retried(client, credentials, http, clock, fault):
    http.post(URL, body=fault)
    http.post(URL, json=ok({"shop": {}}))

    result = client.execute(SHOP, credentials, QUERY)

    assert result.attempts == 2
    assert len(clock.sleeps) == 1


def test_timeouts_are_passed_to_requests(clock, credentials, http):
    client = AdminClient(
        "http://127.0.0.1:9999/{shop}", "2026-10", connect_timeout=1.5, read_timeout=7
    )
    http.post(URL, json=ok({"shop": {}}))

    client.execute(SHOP, credentials, QUERY)

    assert http.calls[0].request.req_kwargs["timeout"] == (1.5, 7)


def test_gives_up_after_max_attempts_with_the_last_cause(client, credentials, http, clock):
    http.post(URL, status=500, body="oops")
    http.post(URL, status=500, body="oops")
    http.post(URL, status=500, body="oops")
    http.post(URL, status=500, body="oops")
    timeout = requests.exceptions.ReadTimeout("read timed out")
    http.post(URL, body=timeout)

    with pytest.raises(TransientFailure) as failure:
        client.execute(SHOP, credentials, QUERY)

    assert failure.value.cause is timeout
    assert failure.value.attempts == 5
    assert failure.value.shop == SHOP
    assert len(clock.sleeps) == 4
    assert client.stats.requests == 5
    assert client.stats.retries == 4


def test_backoff_is_capped(clock, credentials, http):
    client = AdminClient(
        "http://127.0.0.1:9999/{shop}",
        "2026-10",
        max_attempts=8,
        backoff_base=1.0,
        backoff_cap=4.0,
        clock=clock,
        sleep=clock.sleep,
    )
    http.post(URL, status=503)

    with pytest.raises(TransientFailure, match="HTTP 503"):
        client.execute(SHOP, credentials, QUERY)

    assert len(clock.sleeps) == 7
    assert all(2.0 <= pause <= 4.0 for pause in clock.sleeps[2:])


def test_401_refreshes_the_token_once_and_retries(client, credentials, http):
    http.post(URL, status=401, json={"errors": "[API] Invalid API key or access token"})
    http.post(URL, json=ok({"shop": {"name": "Test"}}))

    result = client.execute(SHOP, credentials, QUERY)

    assert result.data == {"shop": {"name": "Test"}}
    assert credentials.rejected == ["token-1"]
    tokens = [call.request.headers["X-Shopify-Access-Token"] for call in http.calls]
    assert tokens == ["token-1", "token-2"]


def test_second_401_raises_unauthorized(client, credentials, http):
    http.post(URL, status=401, json={"errors": "[API] Invalid API key or access token"})

    with pytest.raises(Unauthorized) as error:
        client.execute(SHOP, credentials, QUERY)

    assert error.value.shop == SHOP
    assert credentials.rejected == ["token-1"]
    assert len(http.calls) == 2


def test_top_level_errors_raise_without_retry(client, credentials, http):
    errors = [
        {
            "message": "Field 'nope' doesn't exist on type 'Shop'",
            "extensions": {"code": "undefinedField", "typeName": "Shop", "fieldName": "nope"},
        }
    ]
    http.post(URL, json={"errors": errors, "extensions": cost(requested=1, actual=None)})

    with pytest.raises(GraphQLErrors) as error:
        client.execute(SHOP, credentials, "query { shop { nope } }")

    assert error.value.errors == errors
    assert error.value.codes == ["undefinedField"]
    assert len(http.calls) == 1


def test_other_client_errors_are_not_retried(client, credentials, http):
    http.post(URL, status=402, json={"errors": "Unavailable Shop"})

    with pytest.raises(ShopifyError) as error:
        client.execute(SHOP, credentials, QUERY)

    assert error.value.details["status"] == 402
    assert not isinstance(error.value, TransientFailure)
    assert len(http.calls) == 1


def test_user_errors_are_typed_and_tagged_with_their_root_field(client, credentials, http):
    data = {
        "tags_0": {"node": None, "userErrors": [{"field": ["tags"], "message": "Too long"}]},
        "hold_0": {
            "fulfillmentHold": None,
            "userErrors": [
                {
                    "field": ["fulfillmentHold", "fulfillmentOrderLineItems", "0", "quantity"],
                    "message": "Quantity must be greater than zero",
                    "code": "GREATER_THAN_ZERO",
                }
            ],
        },
        "meta_0": {"metafields": [], "userErrors": []},
    }
    http.post(URL, json=ok(data))

    result = client.execute(SHOP, credentials, "mutation M { x }")

    expected = [
        UserError("tags_0", ("tags",), "Too long", None),
        UserError(
            "hold_0",
            ("fulfillmentHold", "fulfillmentOrderLineItems", "0", "quantity"),
            "Quantity must be greater than zero",
            "GREATER_THAN_ZERO",
        ),
    ]
    assert result.user_errors() == expected
    with pytest.raises(UserErrors) as error:
        result.raise_for_user_errors()
    assert error.value.user_errors == expected
    assert error.value.shop == SHOP


def test_no_user_errors_returns_the_result(client, credentials, http):
    http.post(
        URL, json=ok({"tagsAdd": {"node": {"id": "gid://shopify/Order/1"}, "userErrors": []}})
    )

    result = client.execute(SHOP, credentials, "mutation M { x }")

    assert result.user_errors() == []
    assert result.raise_for_user_errors() is result


def test_concurrent_calls_are_all_counted(client, credentials, http):
    http.post(URL, json=ok({"shop": {}}, requested=2, actual=1, available=900))

    def work() -> None:
        for _ in range(10):
            client.execute(SHOP, credentials, QUERY)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert client.stats.requests == 80
    assert client.stats.cost_requested == 160
    assert client.stats.cost_actual == 80
