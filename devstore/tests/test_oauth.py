"""Authorization code grant, token exchange, expiring tokens and refresh, uninstall."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import jwt

from devstore.oauth import query_hmac

from .helpers import API_KEY, API_SECRET, SHOP, gql

TOKEN_URL = f"/{SHOP}/admin/oauth/access_token"
SHOP_QUERY = "query { shop { id } }"


def _authorize(client, state="nonce123"):
    response = client.get(f"/{SHOP}/admin/oauth/authorize", query_string={
        "client_id": API_KEY, "scope": "read_orders,write_orders", "state": state,
        "redirect_uri": "http://app.test/auth/callback"})
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def test_hmac_matches_shopify_docs_vector():
    params = {"code": "a94a110d86d2452eb3e2af4cfb8a3828", "shop": "some-shop.myshopify.com", "timestamp": "1337178173"}
    assert query_hmac(params, "hush") == "2cb1a277650a659f1b11e92a4a64275b128e037f2c3390e3c8fd2d8721dac9e2"


def test_authorization_code_flow(client):
    params = _authorize(client)
    assert params["state"] == "nonce123" and params["shop"] == SHOP and params["host"]
    assert params["hmac"] == query_hmac(params, API_SECRET)
    grant = {"client_id": API_KEY, "client_secret": API_SECRET, "code": params["code"], "expiring": "1"}
    body = client.post(TOKEN_URL, json=grant).get_json()
    assert body["scope"] == "read_orders,write_orders"
    assert body["expires_in"] == 3600 and body["refresh_token_expires_in"] == 7776000
    assert "errors" not in gql(client, body["access_token"], SHOP_QUERY)
    reused = client.post(TOKEN_URL, json=grant)
    assert reused.status_code == 400 and reused.get_json()["error"] == "invalid_grant"


def test_form_encoded_request_and_bad_secret(client):
    params = _authorize(client)
    response = client.post(TOKEN_URL, data={"client_id": API_KEY, "client_secret": "wrong", "code": params["code"]})
    assert response.status_code == 400
    assert set(response.get_json()) == {"error", "error_description"}
    response = client.post(TOKEN_URL, data={"client_id": API_KEY, "client_secret": API_SECRET, "code": params["code"]})
    assert response.status_code == 200 and "refresh_token" not in response.get_json()


def _exchange(client, subject_token):
    return client.post(TOKEN_URL, json={
        "client_id": API_KEY, "client_secret": API_SECRET,
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "subject_token": subject_token,
        "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
        "requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token", "expiring": "1"})


def test_session_token_claims(store, clock):
    claims = jwt.decode(store.session_token(SHOP, user_id=42), API_SECRET, algorithms=["HS256"],
                        audience=API_KEY, options={"verify_exp": False, "verify_nbf": False, "verify_iat": False})
    assert claims["iss"] == f"https://{SHOP}/admin" and claims["dest"] == f"https://{SHOP}"
    assert claims["sub"] == "42" and claims["exp"] - claims["iat"] == 60 and claims["jti"] and claims["sid"]


def test_token_exchange_and_bad_session_tokens(client, store, clock):
    good = _exchange(client, store.session_token(SHOP))
    assert good.status_code == 200 and good.get_json()["refresh_token"]
    forged = jwt.encode({"iss": f"https://{SHOP}/admin", "dest": f"https://{SHOP}", "aud": API_KEY, "sub": "1",
                         "exp": clock.now() + 60, "nbf": clock.now(), "iat": clock.now(), "jti": "x", "sid": "y"},
                        "other-secret", algorithm="HS256")
    assert _exchange(client, forged).status_code == 400
    stale = store.session_token(SHOP)
    clock.advance(120)
    response = _exchange(client, stale)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_subject_token"


def test_expiry_and_refresh_rotation(client, store, clock):
    first = _exchange(client, store.session_token(SHOP)).get_json()
    clock.advance(3601)
    assert gql(client, first["access_token"], SHOP_QUERY, status=401)

    def refresh(token):
        return client.post(TOKEN_URL, json={"client_id": API_KEY, "client_secret": API_SECRET,
                                             "grant_type": "refresh_token", "refresh_token": token})

    second = refresh(first["refresh_token"]).get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert "errors" not in gql(client, second["access_token"], SHOP_QUERY)
    # The old refresh token still works until the new one has been used...
    assert refresh(first["refresh_token"]).status_code == 200
    third = refresh(second["refresh_token"]).get_json()
    assert third["access_token"]
    # ...and not after.
    assert refresh(first["refresh_token"]).status_code == 400


def test_uninstall_revokes_and_announces(client, store, token, receiver):
    store.uninstall(SHOP)
    gql(client, token, SHOP_QUERY, status=401)
    store.request_shop_redact(SHOP)
    store.drain_webhooks()
    assert receiver.topics()[-2:] == ["app/uninstalled", "shop/redact"]
    assert receiver.of("app/uninstalled")[0]["myshopify_domain"] == SHOP
    order_count = len(receiver.received)
    store.receive_stock(SHOP, sorted(store.shop(SHOP).variants)[0], 1)
    store.drain_webhooks()
    assert len(receiver.received) == order_count  # not installed: no more business webhooks
