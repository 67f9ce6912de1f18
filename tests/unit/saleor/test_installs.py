"""Which Saleor instances may register: https ones, or those this deployment lists."""

from __future__ import annotations

import pytest

from app.platforms.saleor.installs import NotAllowed, checked_api_url


@pytest.mark.parametrize("url, allowed, ok", [
    ("https://shop.saleor.test/graphql/", (), True),
    ("http://shop.saleor.test/graphql/", (), False),  # plain http only when listed
    ("http://127.0.0.1:8000/graphql/", ("http://127.0.0.1:8000/",), True),
    ("https://other.test/graphql/", ("http://127.0.0.1:8000/",), False),  # a list is exclusive
    ("https://" + "a" * 250 + ".test/graphql/", (), False),
    ("javascript:alert(1)", (), False),
])
def test_which_api_urls_may_register(url, allowed, ok):
    if ok:
        assert checked_api_url(url, allowed) == url
    else:
        with pytest.raises(NotAllowed):
            checked_api_url(url, allowed)
