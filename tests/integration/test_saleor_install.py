"""The Saleor app's manifest, register step and webhooks, through the Flask app. The Saleor
instance is faked at the HTTP edge only (its GraphQL API and its JWKS)."""

from __future__ import annotations

import json

import pytest
import responses
from sqlalchemy import func, select

from app.platforms.saleor.installs import JWKS_COOLDOWN
from app.storage.tables import SaleorInstall, Shop, WebhookReceipt
from tests.saleor_keys import CLOUD, TEST_KEY, jwks, sign

API = "https://shop.saleor.test/graphql/"
JWKS_URL = "https://shop.saleor.test/.well-known/jwks.json"
APP_ID = "QXBwOjE="
TOKEN = "saleor-app-token-123"


def saleor(rsps, app_id: str | None = APP_ID, jwks_body: dict | None = None,
           token_status: int = 200) -> None:
    """The instance: `{ app { id } }` answers for the right token only; the JWKS is served."""
    def app_query(request):
        if request.headers.get("Authorization") != f"Bearer {TOKEN}" or token_status != 200:
            return (token_status if token_status != 200 else 401, {}, "{}")
        return (200, {}, json.dumps({"data": {"app": {"id": app_id} if app_id else None}}))

    rsps.add_callback(responses.POST, API, callback=app_query)
    rsps.add(responses.GET, JWKS_URL, json=jwks_body or jwks())


def register(client, api_url: str = API, token: str | None = TOKEN, **headers):
    body = {"auth_token": token} if token is not None else {}
    return client.post("/saleor/register", json=body, headers={
        "Saleor-Api-Url": api_url, "Saleor-Domain": "shop.saleor.test",
        "Saleor-Schema-Version": "3.23", **headers})


def installed(client, jwks_body: dict | None = None) -> None:
    with responses.RequestsMock() as rsps:
        saleor(rsps, jwks_body=jwks_body)
        assert register(client).status_code == 200


def deliver(client, event: str, payload: dict, signature: str | None = None, api_url: str = API):
    body = json.dumps(payload).encode()
    headers = {"Saleor-Api-Url": api_url, "Saleor-Event": event, "Content-Type": "application/json",
               "Saleor-Domain": "shop.saleor.test"}
    headers["Saleor-Signature"] = sign(body) if signature is None else signature
    return client.post("/saleor/webhooks", data=body, headers=headers)


def receipts(services) -> int:
    with services.db.transaction() as s:
        return s.scalar(select(func.count()).select_from(WebhookReceipt))


ORDER = {"__typename": "OrderCreated", "issuedAt": "2026-12-01T12:00:00+00:00",
         "version": "3.23.28", "issuingPrincipal": {"__typename": "User", "id": "VXNlcjox"},
         "order": {"id": "T3JkZXI6MQ==", "lines": []}}


def test_manifest_names_the_register_step_and_signed_webhooks(client):
    found = client.get("/saleor/manifest")
    assert found.status_code == 200
    manifest = found.json
    assert manifest["tokenTargetUrl"] == "https://backorders.test/saleor/register"
    assert {w["targetUrl"] for w in manifest["webhooks"]} == {"https://backorders.test/saleor/webhooks"}
    assert all("secretKey" not in w for w in manifest["webhooks"])  # signed with JWS
    assert client.get("/saleor/manifest/").status_code == 200  # Saleor follows no redirect


def test_register_stores_the_token_encrypted_with_the_instances_keys(client, services):
    installed(client)
    with services.db.transaction() as s:
        shop, row = s.get(Shop, API), s.get(SaleorInstall, API)
        assert shop.platform == "saleor" and shop.installed
        assert TOKEN not in shop.access_token
        assert row.app_id == APP_ID and row.jwks == jwks() and row.domain == "shop.saleor.test"
    assert services.saleor_installs.token(API) == TOKEN


@pytest.mark.parametrize("status", [401, 403])
def test_register_with_a_token_saleor_does_not_know_is_refused(client, services, status):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        saleor(rsps, token_status=status)
        answer = register(client)
    assert answer.status_code == 401
    assert answer.json["success"] is False and "token" in answer.json["error"]["message"]
    with services.db.transaction() as s:
        assert s.get(Shop, API) is None


def test_register_fails_when_the_jwks_cannot_be_read(client, services):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        saleor(rsps)
        rsps.replace(responses.GET, JWKS_URL, status=502)
        answer = register(client)
    assert answer.status_code == 401 and "jwks.json" in answer.json["error"]["message"]
    with services.db.transaction() as s:
        assert s.get(Shop, API) is None


@pytest.mark.parametrize("headers, body_token, status, field", [
    ({"Saleor-Api-Url": ""}, TOKEN, 400, "Saleor-Api-Url"),
    ({}, None, 400, "auth_token"),
    ({"Saleor-Api-Url": "http://shop.saleor.test/graphql/"}, TOKEN, 403, "Saleor-Api-Url"),
    ({"Saleor-Api-Url": "file:///etc/passwd"}, TOKEN, 403, "Saleor-Api-Url"),
])
def test_malformed_or_unwanted_registers_are_refused_before_any_call(client, headers, body_token,
                                                                     status, field):
    with responses.RequestsMock():  # any call out would fail the test
        answer = register(client, token=body_token, **headers)
    assert answer.status_code == status
    assert answer.json["success"] is False


def test_a_signed_webhook_is_recorded_once_and_queued(client, services):
    installed(client)
    first = deliver(client, "order_created", ORDER)
    assert first.status_code == 200 and first.json["status"] == "accepted"
    again = deliver(client, "order_created", ORDER)  # Saleor's retry: the same body
    assert again.json["status"] == "duplicate"
    with services.db.transaction() as s:
        receipt = s.scalars(select(WebhookReceipt)).one()
        assert (receipt.shop, receipt.topic) == (API, "saleor/order_created")
        assert receipt.triggered_at == ORDER["issuedAt"]


@pytest.mark.parametrize("signature", ["", "forged", sign(b'{"other": "body"}')])
def test_a_forged_or_missing_signature_is_refused(client, services, signature):
    installed(client)
    answer = deliver(client, "order_created", ORDER, signature=signature)
    assert answer.status_code == 401 and answer.json["success"] is False
    assert receipts(services) == 0


def test_a_webhook_from_an_instance_not_installed_is_refused(client, services):
    answer = deliver(client, "order_created", ORDER)
    assert answer.status_code == 401 and "not installed" in answer.json["error"]["message"]
    assert receipts(services) == 0


def test_a_rotated_key_is_fetched_once_and_kept(client, services, clock):
    installed(client, jwks_body=jwks(CLOUD))  # the instance signed with another key then
    clock.advance(seconds=JWKS_COOLDOWN.total_seconds() + 1)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, JWKS_URL, json=jwks(TEST_KEY))
        answer = deliver(client, "order_created", ORDER)
        assert len(rsps.calls) == 1
    assert answer.json["status"] == "accepted"
    with services.db.transaction() as s:
        assert s.get(SaleorInstall, API).jwks == jwks(TEST_KEY)


def test_a_stale_key_is_refused_and_forgeries_do_not_make_the_app_fetch_again(client, services,
                                                                            clock):
    installed(client, jwks_body=jwks(CLOUD))
    clock.advance(seconds=JWKS_COOLDOWN.total_seconds() + 1)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, JWKS_URL, json=jwks(CLOUD))  # the old key is gone for good
        first = deliver(client, "order_created", ORDER)
        clock.advance(seconds=5)
        second = deliver(client, "order_updated", ORDER)
        assert len(rsps.calls) == 1  # within the cooldown, no second fetch
    assert first.status_code == second.status_code == 401
    assert receipts(services) == 0


def test_the_apps_own_changes_and_unhandled_events_are_not_recorded(client, services):
    installed(client)
    own = dict(ORDER, issuingPrincipal={"__typename": "App", "id": APP_ID})
    assert deliver(client, "order_updated", own).json["status"] == "ignored"
    assert deliver(client, "checkout_created", ORDER).json["status"] == "ignored"
    assert receipts(services) == 0


def test_app_deleted_uninstalls_and_later_webhooks_are_refused(client, services):
    installed(client)
    answer = deliver(client, "app_deleted", {"__typename": "AppDeleted", "app": {"id": APP_ID}})
    assert answer.json["status"] == "accepted"
    services.queue.drain()
    with services.db.transaction() as s:
        assert not s.get(Shop, API).installed and s.get(Shop, API).access_token is None
    assert deliver(client, "order_created", ORDER).status_code == 401


def test_bad_bodies_are_refused_with_400(client, services):
    installed(client)
    for body in (b"not json", b"[1, 2]"):
        answer = client.post("/saleor/webhooks", data=body, headers={
            "Saleor-Api-Url": API, "Saleor-Event": "order_created", "Saleor-Signature": sign(body)})
        assert answer.status_code == 400
    assert receipts(services) == 0
