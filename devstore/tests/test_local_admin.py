"""The local admin frames the app as Shopify's admin does and hands it fresh session tokens."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import jwt

from devstore.oauth import query_hmac

from .helpers import API_KEY, API_SECRET, SHOP


def test_the_app_is_framed_with_a_signed_launch_url(client):
    page = client.get(f"/{SHOP}/admin/apps/backorders")
    assert page.status_code == 200
    src = unescape(re.search(r'<iframe id="app" title="Backorders" src="([^"]+)"',
                             page.text).group(1))
    assert src.startswith("http://app.test/?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(src).query).items()}
    assert query["shop"] == SHOP and query["embedded"] == "1"
    signed = {k: v for k, v in query.items() if k != "hmac"}
    assert query["hmac"] == query_hmac(signed, API_SECRET)
    claims = jwt.decode(query["id_token"], API_SECRET, algorithms=["HS256"], audience=API_KEY,
                        options={"verify_exp": False, "verify_nbf": False, "verify_iat": False})
    assert claims["dest"] == f"https://{SHOP}" and claims["exp"] - claims["iat"] == 60  # the manual clock's
    # It answers the framed page's requests with tokens from the simulator, not its own.
    assert f'"/_devstore/shops/{SHOP}/session-token"' in page.text
    assert "event.origin !== appOrigin" in page.text


def test_the_stand_in_for_app_bridge_asks_the_framing_admin(client):
    script = client.get(f"/{SHOP}/admin/app-bridge.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert "window.shopify = {" in script.text and "idToken()" in script.text
    assert "event.source !== window.parent" in script.text


def test_an_unknown_shop_has_no_admin(client):
    assert client.get("/nobody.myshopify.com/admin/apps/backorders").status_code == 404
