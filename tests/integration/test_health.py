from __future__ import annotations


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_when_database_and_queue_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json == {"status": "ready"}


def test_readyz_names_what_is_down(client, services):
    def broken():
        raise ConnectionError("database gone")

    services.db.ping = broken
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "database gone" in response.json["problems"]["database"]
    assert "queue" not in response.json["problems"]
