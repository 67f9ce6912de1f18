from __future__ import annotations

import pytest

SECRET_URL = "postgresql://backorders:s3cret-password@db.internal:5432/prod"


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_when_database_and_queue_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json == {"status": "ready"}


def broken():
    raise ConnectionError(f"could not connect to {SECRET_URL}")


@pytest.mark.parametrize("part", ["database", "queue"])
def test_readyz_names_what_is_down_and_nothing_more(client, services, part, caplog):
    target = services.db if part == "database" else services.queue
    target.ping = broken
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "down": [part]}
    assert "s3cret" not in response.get_data(as_text=True)
    assert SECRET_URL in caplog.text  # the operator still finds why, in the log
