"""Install: authorization-code grant, token exchange, tokens at rest, refresh, re-install."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import pytest
import responses
import shopify
from sqlalchemy import select, text

from app.storage.tables import OAuthState, Shop
from tests.conftest import API_KEY, API_SECRET, SHOP
from tests.fakes import FakeGateway
from tests.integration.helpers import install

TOKEN_URL = f"https://{SHOP}/admin/oauth/access_token"


def signed_query(params: dict, secret: str = API_SECRET) -> str:
    signer = type("Signer", (shopify.Session,), {"secret": secret})
    return urlencode({**params, "hmac": signer.calculate_hmac(params)})


def session_token(shop=SHOP, aud=API_KEY, secret=API_SECRET, exp_in=60, **claims) -> str:
    now = int(time.time())
    payload = {"iss": f"https://{shop}/admin", "dest": f"https://{shop}", "aud": aud,
               "sub": "42", "exp": now + exp_in, "nbf": now - 1, "iat": now - 1,
               "jti": "jti-1", "sid": "sid-1", **claims}
    return jwt.encode(payload, secret, algorithm="HS256")


def token_response(token="shpat_new", refresh="shprt_new"):
    return {"access_token": token, "scope": "read_orders,write_orders", "expires_in": 3600,
            "refresh_token": refresh, "refresh_token_expires_in": 7776000}


def test_documented_oauth_hmac_example_verifies():
    from app.platforms.shopify.oauth import query_hmac_ok

    params = {"code": "a94a110d86d2452eb3e2af4cfb8a3828", "shop": "some-shop.myshopify.com",
              "timestamp": "1337178173",
              "hmac": "2cb1a277650a659f1b11e92a4a64275b128e037f2c3390e3c8fd2d8721dac9e2"}
    assert query_hmac_ok(params, ("hush",))
    assert not query_hmac_ok({**params, "timestamp": "1337178174"}, ("hush",))
    assert not query_hmac_ok({k: v for k, v in params.items() if k != "hmac"}, ("hush",))


def begin(client) -> str:
    response = client.get("/auth?shop=" + SHOP)
    assert response.status_code == 302
    location = urlparse(response.headers["Location"])
    query = parse_qs(location.query, keep_blank_values=True)
    assert location.netloc == SHOP and location.path == "/admin/oauth/authorize"
    assert query["client_id"] == [API_KEY]
    assert query["redirect_uri"] == ["https://backorders.test/auth/callback"]
    assert "write_orders" in query["scope"][0].split(",")
    return query["state"][0]


def callback_params(clock, state, **overrides) -> dict:
    params = {"code": "code-1", "shop": SHOP, "state": state,
              "timestamp": str(int(clock().timestamp()))}
    params.update(overrides)
    return params


@responses.activate
def test_authorization_code_grant_installs_the_shop(client, services, clock):
    responses.post(TOKEN_URL, json=token_response())
    state = begin(client)
    response = client.get("/auth/callback?" + signed_query(callback_params(clock, state)))
    assert response.status_code == 302
    assert services.installs.is_installed(SHOP)
    assert services.installs.access_token(SHOP) == "shpat_new"
    sent = responses.calls[0].request
    assert b'"code": "code-1"' in sent.body and b'"expiring": "1"' in sent.body


@responses.activate
def test_replayed_callback_with_a_spent_state_is_401(client, services, clock):
    responses.post(TOKEN_URL, json=token_response())
    state = begin(client)
    query = signed_query(callback_params(clock, state))
    assert client.get("/auth/callback?" + query).status_code == 302
    again = client.get("/auth/callback?" + query)
    assert again.status_code == 401 and "state already used" in again.json["message"]
    assert len(responses.calls) == 1


def test_callback_with_an_old_timestamp_is_401(client, services, clock):
    state = begin(client)
    old = str(int(clock().timestamp()) - 3600)
    response = client.get("/auth/callback?" + signed_query(callback_params(clock, state, timestamp=old)))
    assert response.status_code == 401 and "timestamp" in response.json["message"]
    with services.db.transaction() as s:
        assert s.get(OAuthState, state).used_at is None


def test_callback_with_an_unknown_state_is_401(client, clock):
    response = client.get("/auth/callback?" + signed_query(callback_params(clock, "forged")))
    assert response.status_code == 401 and "state" in response.json["message"]


def test_callback_with_a_bad_hmac_is_401(client, clock):
    state = begin(client)
    query = signed_query(callback_params(clock, state), secret="wrong")
    assert client.get("/auth/callback?" + query).status_code == 401


def test_callback_state_of_another_shop_is_401(client, clock):
    state = begin(client)
    params = callback_params(clock, state, shop="other-shop.myshopify.com")
    assert client.get("/auth/callback?" + signed_query(params)).status_code == 401


@pytest.mark.parametrize("shop", ["evil.com", "x.myshopify.com.evil.com", "-x.myshopify.com",
                                  "", "shop.myshopify.com/../evil", "https://a.myshopify.com"])
def test_bad_shop_domains_are_400(client, shop):
    response = client.get("/auth", query_string={"shop": shop})
    assert response.status_code == 400 and response.json["field"] == "shop"


@responses.activate
def test_failed_code_exchange_installs_nothing(client, services, clock):
    responses.post(TOKEN_URL, status=400, json={"error": "invalid_request"})
    state = begin(client)
    response = client.get("/auth/callback?" + signed_query(callback_params(clock, state)))
    assert response.status_code == 401
    assert not services.installs.is_installed(SHOP)


@responses.activate
def test_embedded_load_installs_by_token_exchange(client, services):
    responses.post(TOKEN_URL, json=token_response("shpat_exchanged"))
    token = session_token()
    response = client.get("/", query_string={"shop": SHOP, "id_token": token, "host": "x"})
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == (
        f"frame-ancestors https://{SHOP} https://admin.shopify.com;")
    assert services.installs.access_token(SHOP) == "shpat_exchanged"
    body = responses.calls[0].request.body.decode()
    assert "token-exchange" in body and token in body and "offline-access-token" in body


@pytest.mark.parametrize("make_token,reason", [
    (lambda: session_token(exp_in=-60), "expired"),
    (lambda: session_token(aud="another-app"), "audience"),
    (lambda: session_token(secret="another-secret"), "signature"),
    (lambda: session_token(dest="https://other-shop.myshopify.com"), "issuer"),
    (lambda: "not-a-jwt", "segments"),
])
def test_invalid_session_tokens_get_401_with_retry_header(client, services, make_token, reason):
    install(services)
    response = client.get("/api/shop", headers={"Authorization": f"Bearer {make_token()}"})
    assert response.status_code == 401
    assert response.headers["X-Shopify-Retry-Invalid-Session-Request"] == "1"


def test_session_token_missing_is_401(client):
    assert client.get("/api/shop").status_code == 401


def test_session_token_of_a_shop_not_installed_is_401(client, services):
    install(services)
    token = session_token(shop="other-shop.myshopify.com")
    response = client.get("/api/shop", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_a_shop_sees_only_its_own_data(client, services):
    install(services)
    install(services, "other-shop.myshopify.com")
    for shop in (SHOP, "other-shop.myshopify.com"):
        response = client.get("/api/shop", headers={"Authorization": f"Bearer {session_token(shop)}"})
        assert response.json == {"shop": shop}


def test_tokens_are_not_readable_in_the_raw_database(services):
    install(services, token="shpat_secret_value")
    with services.db.engine.connect() as conn:
        raw = conn.execute(text("SELECT access_token, refresh_token FROM shops")).one()
    assert "shpat_secret_value" not in raw[0] and "shpat_secret_value" not in raw[1]
    assert services.installs.access_token(SHOP) == "shpat_secret_value"


@responses.activate
def test_token_is_refreshed_before_it_expires(services, clock):
    install(services, token="old")
    responses.post(TOKEN_URL, json=token_response("fresh", "shprt_fresh"))
    clock.advance(minutes=56)
    assert services.installs.access_token(SHOP) == "fresh"
    assert b'"refresh_token": "shprt_old"' in responses.calls[0].request.body
    assert services.installs.access_token(SHOP) == "fresh"
    assert len(responses.calls) == 1


@responses.activate
def test_rejected_token_is_refreshed_once(services):
    install(services, token="old")
    responses.post(TOKEN_URL, json=token_response("fresh"))
    assert services.installs.refreshed_token(SHOP, "old") == "fresh"
    # a second worker that also saw "old" rejected gets the new token without another refresh
    assert services.installs.refreshed_token(SHOP, "old") == "fresh"
    assert len(responses.calls) == 1


@responses.activate
def test_failed_refresh_keeps_the_stored_pair(services, clock):
    install(services, token="old")
    responses.post(TOKEN_URL, status=400, json={"error": "invalid_grant"})
    clock.advance(minutes=58)
    with pytest.raises(Exception, match="400"):
        services.installs.access_token(SHOP)
    with services.db.transaction() as s:
        row = s.get(Shop, SHOP)
        assert services.cipher.decrypt(row.refresh_token) == "shprt_old"


def test_reinstall_replaces_the_old_token(services):
    install(services, token="first")
    services.installs.uninstall(SHOP)
    install(services, token="second")
    assert services.installs.access_token(SHOP) == "second"


def test_key_rotation(env, clock, keys):
    from cryptography.fernet import Fernet

    from app import create_app
    from app.config import load_config

    old_app = create_app(load_config(env), clock=clock, migrate=False, gateway=FakeGateway())
    install(old_app.extensions["backorders"], token="kept")
    new_key = Fernet.generate_key().decode()
    rotated = create_app(load_config({**env, "TOKEN_ENCRYPTION_KEYS": f"{new_key},{keys[0]}"}),
                         clock=clock, migrate=False, gateway=FakeGateway())
    services = rotated.extensions["backorders"]
    assert services.installs.access_token(SHOP) == "kept"  # old key still decrypts
    result = rotated.test_cli_runner().invoke(args=["tokens", "rotate"])
    assert "1 shops" in result.output
    only_new = create_app(load_config({**env, "TOKEN_ENCRYPTION_KEYS": new_key}),
                          clock=clock, migrate=False, gateway=FakeGateway())
    assert only_new.extensions["backorders"].installs.access_token(SHOP) == "kept"
    with services.db.transaction() as s:
        assert s.scalar(select(Shop.access_token)) is not None
    for a in (old_app, rotated, only_new):
        a.extensions["backorders"].close()
