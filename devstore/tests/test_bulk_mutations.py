"""Bulk mutations as the bulk import guide describes them: a staged JSONL file of variables, one
run of the mutation per line, results with `__lineNumber`, at most five running per shop."""

from __future__ import annotations

import io
import json

from .helpers import SHOP, document, gql, variant

TAGS_ADD = document("tags_add")


def staged(client, token, lines: list) -> str:
    """Stages the lines as a JSONL file the way an app does; the `key` parameter."""
    created = gql(client, token, document("staged_uploads_create"), {"input": [{
        "resource": "BULK_MUTATION_VARIABLES", "filename": "vars.jsonl", "mimeType": "text/jsonl",
        "httpMethod": "POST"}]})["data"]["stagedUploadsCreate"]
    target = created["stagedTargets"][0]
    form = {p["name"]: p["value"] for p in target["parameters"]}
    body = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    form["file"] = (io.BytesIO(body.encode()), "vars.jsonl")
    uploaded = client.post(target["url"].replace("http://localhost", ""), data=form,
                           content_type="multipart/form-data")
    assert uploaded.status_code == 201
    return form["key"]


def run(client, token, mutation: str, path: str) -> dict:
    answer = gql(client, token, document("bulk_operation_run_mutation"),
                 {"mutation": mutation, "stagedUploadPath": path})
    assert "errors" not in answer, answer
    return answer["data"]["bulkOperationRunMutation"]


def status(client, token, operation_id: str) -> dict:
    return gql(client, token, document("bulk_operation_status"), {"id": operation_id})["data"]["node"]


def results(client, url: str) -> list[dict]:
    text = client.get(url.replace("http://localhost", "")).get_data(as_text=True)
    return [json.loads(line) for line in text.splitlines()]


def test_each_line_runs_on_its_own_when_the_operation_completes(client, token, store, clock):
    store.core.bulk_delay = 5
    orders = [store.place_order(SHOP, [(variant(store), 1)]) for _ in range(2)]
    path = staged(client, token, [{"id": orders[0]["gid"], "tags": ["backordered"]},
                                  {"id": "gid://shopify/Order/999999", "tags": ["backordered"]},
                                  {"id": orders[1]["gid"], "tags": ["backordered"]}])

    started = run(client, token, TAGS_ADD, path)
    assert started["userErrors"] == [] and started["bulkOperation"]["status"] == "CREATED"
    assert "backordered" not in store.order_state(SHOP, orders[0]["id"])["tags"]  # not yet run
    clock.advance(5)
    done = status(client, token, started["bulkOperation"]["id"])

    assert done["status"] == "COMPLETED"
    lines = results(client, done["url"])
    assert [line["__lineNumber"] for line in lines] == [0, 1, 2]
    assert lines[0]["data"]["tagsAdd"]["userErrors"] == []
    assert lines[1]["data"]["tagsAdd"]["userErrors"] or lines[1].get("errors")
    for order in orders:
        assert "backordered" in store.order_state(SHOP, order["id"])["tags"]


def test_a_sixth_running_bulk_mutation_is_refused(client, token, store):
    store.core.bulk_delay = 60
    order = store.place_order(SHOP, [(variant(store), 1)])
    path = staged(client, token, [{"id": order["gid"], "tags": ["x"]}])
    for _ in range(5):
        assert run(client, token, TAGS_ADD, path)["userErrors"] == []

    refused = run(client, token, TAGS_ADD, path)

    assert refused["bulkOperation"] is None
    assert refused["userErrors"][0]["code"] == "LIMIT_REACHED"


def test_refusals_name_what_is_wrong(client, token, store):
    order = store.place_order(SHOP, [(variant(store), 1)])
    good = staged(client, token, [{"id": order["gid"], "tags": ["x"]}])
    two_fields = ("mutation M($id: ID!, $tags: [String!]!) { a: tagsAdd(id: $id, tags: $tags) "
                  "{ userErrors { message } } b: tagsRemove(id: $id, tags: $tags) "
                  "{ userErrors { message } } }")

    assert run(client, token, TAGS_ADD, "tmp/1/bulk/none/vars.jsonl")["userErrors"][0]["code"] \
        == "NO_SUCH_FILE"
    assert run(client, token, two_fields, good)["userErrors"][0]["code"] == "INVALID_MUTATION"
    assert run(client, token, "mutation { nope }", good)["userErrors"][0]["code"] \
        == "INVALID_MUTATION"
    broken = staged(client, token, ['{"id": "x"', "[1, 2]"])
    assert run(client, token, TAGS_ADD, broken)["userErrors"][0]["code"] \
        == "INVALID_STAGED_UPLOAD_FILE"


def test_only_bulk_mutation_variables_are_staged(client, token):
    created = gql(client, token, document("staged_uploads_create"), {"input": [{
        "resource": "IMAGE", "filename": "a.png", "mimeType": "image/png",
        "httpMethod": "POST"}]})["data"]["stagedUploadsCreate"]
    assert created["stagedTargets"] == [] and "BULK_MUTATION_VARIABLES" in created["userErrors"][0]["message"]
