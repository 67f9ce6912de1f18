"""App proxy signatures, against the worked examples of Shopify's "Authenticate app proxies"
(shared secret "hush"), and the app's own customer links."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from app.platforms.shopify.app_proxy import (
    LinkRejected,
    ProxyRejected,
    read_link,
    sign_link,
    verify_proxy,
)

NOW = 1317327555
LOGGED_IN = ("extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1"
             "&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555"
             "&signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb")
GUEST = ("extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id="
         "&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555"
         "&signature=e072b6d7e6622d85912a5214b860d3100dc1e73d9bc29f43796ac8c9ff8093cb")


def query(text: str) -> dict[str, list[str]]:
    return parse_qs(text, keep_blank_values=True)


def test_the_documented_requests_check_out_with_their_customer():
    assert verify_proxy(query(LOGGED_IN), ["hush"], NOW).customer_id == "1"
    guest = verify_proxy(query(GUEST), ["hush"], NOW)
    assert guest.shop == "shop-name.myshopify.com" and guest.customer_id is None


def test_the_previous_secret_still_checks_out_during_a_rotation():
    assert verify_proxy(query(LOGGED_IN), ["new-secret", "hush"], NOW).customer_id == "1"


@pytest.mark.parametrize("change", [
    lambda q: q.replace("logged_in_customer_id=1", "logged_in_customer_id=2"),
    lambda q: q.replace("extra=2", "extra=3"),
    lambda q: q.replace("shop=shop-name", "shop=other-name"),
    lambda q: q.replace("signature=4c", "signature=5c"),
])
def test_a_changed_parameter_breaks_the_signature(change):
    with pytest.raises(ProxyRejected, match="signature does not match"):
        verify_proxy(query(change(LOGGED_IN)), ["hush"], NOW)


def test_an_old_request_is_refused():
    with pytest.raises(ProxyRejected, match="too old"):
        verify_proxy(query(LOGGED_IN), ["hush"], NOW + 301)
    assert verify_proxy(query(LOGGED_IN), ["hush"], NOW + 300).customer_id == "1"


@pytest.mark.parametrize("missing", ["shop", "timestamp", "signature"])
def test_a_missing_parameter_is_named(missing):
    kept = "&".join(p for p in LOGGED_IN.split("&") if not p.startswith(f"{missing}="))
    with pytest.raises(ProxyRejected, match=missing):
        verify_proxy(query(kept), ["hush"], NOW)


def test_links_open_one_customers_page_of_one_shop_until_they_expire():
    token = sign_link("secret", "a.myshopify.com", "42")
    assert read_link(token, ["secret"], "a.myshopify.com", 60) == "42"
    assert read_link(token, ["newer", "secret"], "a.myshopify.com", 60) == "42"
    with pytest.raises(LinkRejected, match="another shop"):
        read_link(token, ["secret"], "b.myshopify.com", 60)
    with pytest.raises(LinkRejected, match="not valid"):
        read_link(token[:-2] + "xx", ["secret"], "a.myshopify.com", 60)
    with pytest.raises(LinkRejected, match="not valid"):
        read_link(token, ["other"], "a.myshopify.com", 60)
    with pytest.raises(LinkRejected, match="expired"):
        read_link(token, ["secret"], "a.myshopify.com", -1)
