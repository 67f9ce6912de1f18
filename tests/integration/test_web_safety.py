"""Headers every response carries, the embedded page kept out of caches, tokens kept out of the
access log, and session tokens that must expire."""

from __future__ import annotations

import logging
import threading
import time
import urllib.request

import jwt
import pytest
from werkzeug.serving import make_server

from tests.conftest import API_KEY, API_SECRET, SHOP
from tests.integration.helpers import install
from tests.integration.test_install import session_token


def no_exp_token() -> str:
    """A session token valid in every way but one: it never expires."""
    payload = {"iss": f"https://{SHOP}/admin", "dest": f"https://{SHOP}", "aud": API_KEY,
               "sub": "42", "nbf": int(time.time()) - 1, "jti": "jti-1", "sid": "sid-1"}
    return jwt.encode(payload, API_SECRET, algorithm="HS256")


@pytest.mark.parametrize("method,path", [
    ("GET", "/healthz"), ("GET", "/readyz"), ("POST", "/webhooks"), ("GET", "/api/settings"),
    ("GET", "/nowhere"), ("GET", "/auth?shop=bad"), ("GET", "/admin/static/admin.js"),
])
def test_every_response_says_nosniff(client, method, path):
    assert client.open(path, method=method).headers["X-Content-Type-Options"] == "nosniff"


def test_the_page_with_the_id_token_is_not_stored(client, services):
    install(services)
    response = client.get(f"/?shop={SHOP}&id_token={session_token()}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_session_token_without_exp_is_refused(client, services):
    install(services)
    token = no_exp_token()
    api = client.get("/api/shop", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401 and api.headers["X-Shopify-Retry-Invalid-Session-Request"] == "1"
    assert client.get(f"/?shop={SHOP}&id_token={token}").status_code == 401


@pytest.fixture
def served(app):
    """The app behind the development server, on a free port of this machine."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_the_id_token_is_not_in_the_access_log(served, services, caplog):
    install(services)
    token = session_token()
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        with urllib.request.urlopen(f"{served}/?shop={SHOP}&id_token={token}", timeout=10) as r:
            assert r.status == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("id_token=[redacted]" in line for line in lines)
    assert token not in caplog.text


def test_gunicorn_access_lines_lose_their_tokens(app, caplog):
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        logging.getLogger("gunicorn.access").info(
            '%(h)s "%(r)s" %(s)s', {"h": "127.0.0.1", "s": "302",
                                    "r": "GET /auth/callback?code=abc123&shop=s&state=x HTTP/1.1"})
    assert "abc123" not in caplog.text and "code=[redacted]&shop=s" in caplog.text


def test_granian_access_lines_lose_their_tokens(app, caplog):
    """The server the README runs: its access lines, when an operator turns them on with the
    query in the format."""
    with caplog.at_level(logging.INFO, logger="granian.access"):
        logging.getLogger("granian.access").info(
            '"%(method)s %(path)s?%(query_string)s" %(status)d',
            {"method": "GET", "path": "/", "status": 200,
             "query_string": "shop=s&id_token=eyJhbGci.secret.sig&host=h"})
    assert "eyJhbGci" not in caplog.text and "id_token=[redacted]&host=h" in caplog.text
