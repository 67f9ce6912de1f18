"""Request bodies are limited (MAX_REQUEST_BYTES; the CSV import 2 MB): a larger body gets 413
before it is read when it says its length, and as soon as the limit is passed when it is chunked.
Chunked requests reach the app as servers such as gunicorn hand them over: no Content-Length, the
stream ended by the server (`wsgi.input_terminated`)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from app import create_app
from app.admin.api import MAX_UPLOAD_BYTES
from app.config import load_config
from tests.conftest import SHOP
from tests.integration.helpers import install
from tests.integration.test_install import session_token

LIMIT = 100_000


class Body(io.RawIOBase):
    """`size` bytes of a CSV-ish body, made as they are read; counts what was read."""

    def __init__(self, size: int):
        self.left, self.read_bytes = size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.left)
        buffer[:n] = b"x" * n
        self.left -= n
        self.read_bytes += n
        return n


@pytest.fixture
def limited(env, clock, platform):
    app = create_app(load_config({**env, "MAX_REQUEST_BYTES": str(LIMIT)}), clock=clock,
                     migrate=False, gateway=platform)
    services = app.extensions["backorders"]
    services.queue.huey.flush()
    install(services)
    yield app.test_client()
    services.queue.huey.flush()
    services.close()


def send(client, path: str, body: Body, chunked: bool, headers: dict | None = None):
    environ = EnvironBuilder(path=path, method="POST", headers={
        "Content-Type": "text/csv", **(headers or {})}).get_environ()
    environ["wsgi.input"] = body
    if chunked:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
        environ["wsgi.input_terminated"] = True
    else:
        environ["CONTENT_LENGTH"] = str(body.left)
    app_iter, status, _headers = run_wsgi_app(client.application, environ, buffered=True)
    return Answer(int(status.split()[0]), json.loads(b"".join(app_iter)))


@dataclass
class Answer:
    status_code: int
    json: dict


@pytest.mark.parametrize("chunked", [False, True])
def test_an_oversize_webhook_is_413_without_being_read(limited, chunked):
    body = Body(64 * LIMIT)  # unsigned, as an attacker would send it
    response = send(limited, "/webhooks", body, chunked)
    assert response.status_code == 413 and response.json["error"] == "too_large"
    assert body.read_bytes <= LIMIT + 65_536


def test_a_body_within_the_limit_is_read(limited):
    response = send(limited, "/webhooks", Body(LIMIT // 2), chunked=True)
    assert response.status_code == 401  # read, then refused for its missing signature


@pytest.mark.parametrize("chunked", [False, True])
def test_an_oversize_csv_import_is_413_naming_the_file(client, services, chunked):
    install(services)
    body = Body(20 * MAX_UPLOAD_BYTES)
    response = send(client, "/api/restocks/import", body, chunked,
                    {"Authorization": f"Bearer {session_token(SHOP)}"})
    assert response.status_code == 413 and response.json["field"] == "file"
    assert body.read_bytes <= MAX_UPLOAD_BYTES + 65_536


def test_an_oversize_multipart_csv_is_413(client, services):
    install(services)
    response = client.post(
        "/api/restocks/import", content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"x" * (MAX_UPLOAD_BYTES + 1)), "restocks.csv")},
        headers={"Authorization": f"Bearer {session_token(SHOP)}"})
    assert response.status_code == 413 and response.json["field"] == "file"
