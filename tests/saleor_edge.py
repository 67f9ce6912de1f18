"""A Saleor instance at the HTTP edge, for tests: the app's GraphQL calls answered from memory
(order metadata, variants and their stock as `variants` holds them), its metadata writes kept,
its JWKS served."""

from __future__ import annotations

import json

import responses

from tests.saleor_keys import jwks

API = "https://shop.saleor.test/graphql/"
JWKS_URL = "https://shop.saleor.test/.well-known/jwks.json"
APP_ID = "QXBwOjE="
TOKEN = "saleor-app-token-123"


class SaleorEdge:
    def __init__(self, rsps: responses.RequestsMock):
        self.metadata: dict[str, dict[str, str]] = {}  # object id -> key -> value
        self.writes: list[tuple[str, dict[str, str]]] = []
        self.variants: dict[str, dict] = {}  # variant id -> node, as the Variants query answers
        rsps.add_callback(responses.POST, API, callback=self._graphql)
        rsps.add(responses.GET, JWKS_URL, json=jwks())

    def _graphql(self, request):
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return 401, {}, "{}"
        body = json.loads(request.body)
        query, variables = body["query"], body.get("variables") or {}
        if "app {" in query or "app{" in query:
            data = {"app": {"id": APP_ID}}
        elif "updateMetadata" in query:
            entries = {e["key"]: e["value"] for e in variables["input"]}
            self.metadata.setdefault(variables["id"], {}).update(entries)
            self.writes.append((variables["id"], entries))
            data = {"updateMetadata": {"errors": []}}
        elif "OrderMetadata" in query:
            data = {"orders": {"edges": [
                {"node": {"id": i, "metadata": [{"key": k, "value": v} for k, v in
                                                self.metadata.get(i, {}).items()]}}
                for i in variables["ids"]]}}
        elif "query Variants" in query:
            ids = variables.get("ids") or list(self.variants)  # no ids: the whole catalog
            data = {"productVariants": {"pageInfo": {"hasNextPage": False, "endCursor": None},
                                        "edges": [{"node": self.variants[i]}
                                                  for i in ids if i in self.variants]}}
        else:
            return 400, {}, json.dumps({"errors": [{"message": "not known to this fake"}]})
        return 200, {}, json.dumps({"data": data})


def register(client) -> None:
    answer = client.post("/saleor/register", json={"auth_token": TOKEN}, headers={
        "Saleor-Api-Url": API, "Saleor-Domain": "shop.saleor.test",
        "Saleor-Schema-Version": "3.23"})
    assert answer.status_code == 200, answer.json
