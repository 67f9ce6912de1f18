"""Order writes to Shopify: holds and their releases, our tag, our metafields.

Most go paced: the writes of several orders composed into one request (aliases), sized so its
requested cost stays well inside the bucket, the metafields of several orders packed into shared
`metafieldsSet` calls (25 fields, 10 points a call). A backlog that would hold the bucket longer
than `bulk_after_s` goes as bulk mutations instead, which the bucket charges only for starting
them: one staged JSONL file and one `bulkOperationRunMutation` per kind of write (releases, then
holds, then tags and metafields side by side), polled until done, their result files read line
by line. Whatever a bulk operation did not do (a refused line, an operation that failed) is sent
again the paced way, which reports what is still refused.

Facts relied on (the bulk import guide, the 2026-10 schema): the staged target's `key` parameter
is the `stagedUploadPath`; each input line runs on its own and its result line carries
`__lineNumber` (counted from 0); up to five bulk mutations may run at a time per shop from
2026-01; `metafieldsSet` takes at most 25 metafields and is atomic, naming the refused one by
`elementIndex`."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import requests

from app.platforms.shopify.client import AdminClient, CredentialsProvider
from app.platforms.shopify.documents import Document, compose, root_aliases
from app.platforms.shopify.errors import ShopifyError
from app.services.ports import Applied, OrderChange

HOLD_HANDLE = "backorder"
NAMESPACE = "$app:backorders"  # app-owned: only this app writes it
# Where each of the app's fields goes on an order: an app-owned metafield of this type.
METAFIELD_TYPES = {
    "status": "single_line_text_field",
    "eta": "date",
    "lines": "json",
    "alternatives": "list.variant_reference",
    "alternative_reasons": "json",
}
MUTATION_COST = 10
WRITE_COST_BUDGET = 200  # requested cost of one write request (mutations cost 10 each)
METAFIELDS_PER_SET = 25  # metafieldsSet takes at most 25
WRITE_KINDS = {"tags_add": "orders_updated", "tags_remove": "orders_updated",
               "metafields_set": "metafields_updated", "fulfillment_order_hold": "holds_placed",
               "fulfillment_order_release_hold": "holds_released"}
# Bulk operations run in this order: a hold may replace a hold released before it.
BULK_STAGES = (("fulfillment_order_release_hold",), ("fulfillment_order_hold",),
               ("tags_add", "tags_remove", "metafields_set"))
STANDARD_RESTORE_RATE = 100.0  # points/s, until the shop's bucket has been read
BULK_WAIT_S = 600
BULK_POLL_S = 0.5
Errors = dict[str, "str | None"]


@dataclass(frozen=True)
class Write:
    """One mutation call: its document, its variables, and the order of each element it writes
    (one order, or one per metafield of a shared metafieldsSet)."""

    name: str
    variables: dict
    owners: tuple[str, ...]


class OrderWriter:
    def __init__(self, client: AdminClient, credentials: CredentialsProvider,
                 http: requests.Session, docs: dict[str, Document], bulk_after_s: float = 0.0,
                 sleep: Callable[[float], None] = time.sleep):
        """`bulk_after_s`: writes that would take the bucket longer than this go in bulk (0:
        never)."""
        self._client = client
        self._credentials = credentials
        self._http = http
        self._docs = docs
        self._bulk_after_s = bulk_after_s
        self._sleep = sleep
        self.counters: Counter[str] = Counter()  # writes the platform accepted, by kind

    def apply(self, shop: str, changes: Sequence[OrderChange]) -> Applied:
        """Per order, None when everything was written, else what was refused; and what the
        store said it made: the fulfillment orders our holds split off
        (`remainingFulfillmentOrder`, by the one held) and those our releases left open."""
        writes = order_writes(changes)
        errors: Errors = {change.order_id: None for change in changes}
        said = Applied()
        if self._worth_bulk(shop, writes):
            left = self._bulk(shop, writes, errors, said)
        else:
            left = writes
        for chunk in _by_budget(left):
            _merge(errors, self._send(shop, chunk, said))
        return Applied(errors, said.split_off, said.reopened)

    def _worth_bulk(self, shop: str, writes: list[Write]) -> bool:
        if self._bulk_after_s <= 0:
            return False
        rate = self._client.restore_rate(shop) or STANDARD_RESTORE_RATE
        return MUTATION_COST * len(writes) / rate > self._bulk_after_s

    # paced

    def _send(self, shop: str, writes: list[Write], said: Applied) -> Errors:
        """One request. A refused metafieldsSet call wrote none of its fields (it is atomic):
        the orders it did not refuse are sent again without the refused ones. What the store
        said it made of holds and releases is noted in `said`."""
        parts = [(f"w{i}", self._docs[w.name], w.variables) for i, w in enumerate(writes)]
        text, variables = compose(parts, operation_name="SyncOrders")
        try:
            result = self._client.execute(shop, self._credentials, text, variables,
                                          estimated_cost=MUTATION_COST * len(parts),
                                          can_wait=True)
        except ShopifyError as exc:
            return {owner: str(exc) for w in writes for owner in w.owners}
        errors: Errors = {owner: None for w in writes for owner in w.owners}
        refused: dict[int, set[str]] = {}
        aliases = root_aliases(parts)
        for user_error in result.user_errors():
            index = int(aliases[user_error.alias][0][1:])
            for owner in _refused(writes[index].owners, user_error.element_index):
                refused.setdefault(index, set()).add(owner)
                errors[owner] = errors[owner] or _message(user_error.field, user_error.message)
        for index, write in enumerate(writes):
            if index not in refused:
                self._count(write)
                _note(write, (result.data or {}).get(f"w{index}_0"), said)
        again = [w for i, bad in refused.items() if (w := _without(writes[i], bad))]
        if again:
            _merge(errors, self._send(shop, again, said))
        return errors

    def _count(self, write: Write) -> None:
        self.counters[WRITE_KINDS[write.name]] += len(set(write.owners))

    # bulk

    def _bulk(self, shop: str, writes: list[Write], errors: Errors,
              said: Applied) -> list[Write]:
        """The writes bulk operations did not do, stage by stage."""
        left: list[Write] = []
        for stage in BULK_STAGES:
            started = []
            for name in stage:
                mine = [w for w in writes if w.name == name]
                if mine:
                    started.append((mine, self._start(shop, name, mine)))
            for mine, operation_id in started:
                done = self._finish(shop, operation_id) if operation_id else None
                left += mine if done is None else self._undone(mine, done, said)
        return left

    def _start(self, shop: str, name: str, writes: list[Write]) -> str | None:
        """Stages the writes' variables and starts the bulk mutation; its id, or None when the
        store refused (the writes then go paced)."""
        try:
            target = self._client.execute(shop, self._credentials,
                                          self._docs["staged_uploads_create"].text,
                                          {"input": [_staged_input(name)]})
            staged = target.raise_for_user_errors().data["stagedUploadsCreate"]["stagedTargets"][0]
            path = self._upload(staged, writes)
            started = self._client.execute(shop, self._credentials,
                                           self._docs["bulk_operation_run_mutation"].text,
                                           {"mutation": self._docs[name].text,
                                            "stagedUploadPath": path, "clientIdentifier": name})
            operation_id = started.raise_for_user_errors().data["bulkOperationRunMutation"][
                "bulkOperation"]["id"]
            self.counters["bulk_operations"] += 1
            return operation_id
        except (ShopifyError, requests.RequestException, KeyError, IndexError, TypeError):
            return None

    def _upload(self, target: dict, writes: list[Write]) -> str:
        form = {p["name"]: p["value"] for p in target["parameters"]}
        body = "".join(json.dumps(w.variables) + "\n" for w in writes).encode()
        response = self._http.post(target["url"], data=form, timeout=(3.05, 60),
                                   files={"file": ("writes.jsonl", body, "text/jsonl")})
        response.raise_for_status()
        return form["key"]

    def _finish(self, shop: str, operation_id: str) -> list[dict] | None:
        """The result lines once the operation completed; None when it did not."""
        deadline = time.monotonic() + BULK_WAIT_S
        try:
            while True:
                node = self._client.execute(shop, self._credentials,
                                            self._docs["bulk_operation_status"].text,
                                            {"id": operation_id}).data["node"]
                if node["status"] == "COMPLETED":
                    return self._results(node.get("url"))
                if node["status"] in ("FAILED", "CANCELED", "EXPIRED") \
                        or time.monotonic() > deadline:
                    return None
                self._sleep(BULK_POLL_S)
        except (ShopifyError, requests.RequestException, KeyError, TypeError, ValueError):
            return None

    def _results(self, url: str | None) -> list[dict]:
        if not url:
            return []
        response = self._http.get(url, timeout=(3.05, 60))
        response.raise_for_status()
        return [json.loads(line) for line in response.text.splitlines() if line.strip()]

    def _undone(self, writes: list[Write], results: list[dict],
                said: Applied) -> list[Write]:
        """The writes whose line is missing, failed or refused; the others are counted."""
        done = {line.get("__lineNumber"): line for line in results}
        left = []
        for number, write in enumerate(writes):
            line = done.get(number)
            if line is None or line.get("errors") or _user_errors(line):
                left.append(write)
            else:
                self._count(write)
                _note(write, next(iter((line.get("data") or {}).values()), None), said)
        return left


def order_writes(changes: Sequence[OrderChange]) -> list[Write]:
    """Each order's own mutations, then the metafields of all of them packed into shared calls."""
    writes = [Write(name, variables, (change.order_id,))
              for change in changes for name, variables in _order_mutations(change)]
    for group in _metafield_groups(changes):
        writes.append(Write("metafields_set", {"metafields": group},
                            tuple(field["ownerId"] for field in group)))
    return writes


def _order_mutations(change: OrderChange) -> Iterator[tuple[str, dict]]:
    """Releases come before the holds that replace them (one app may not hold one fulfillment
    order twice under the same handle), and holds before the rest, which only describe them.
    Our tag goes through tagsAdd/tagsRemove: `orderUpdate(tags:)` would overwrite the tags of
    the merchant, Flow and other apps."""
    for fo_id, hold_ids in change.release:
        yield "fulfillment_order_release_hold", {"id": fo_id, "holdIds": list(hold_ids)}
    for fo_id, lines, note in change.holds:
        yield "fulfillment_order_hold", {"id": fo_id, "hold": _hold_input(lines, note)}
    if change.tags_add:
        yield "tags_add", {"id": change.order_id, "tags": list(change.tags_add)}
    if change.tags_remove:
        yield "tags_remove", {"id": change.order_id, "tags": list(change.tags_remove)}


def _hold_input(lines: tuple[tuple[str, int], ...], note: str) -> dict:
    """Without lines the hold covers the whole fulfillment order: the only kind the platform
    accepts on one that is already held (FULFILLMENT_ORDER_NOT_SPLITTABLE otherwise)."""
    hold = {"reason": "INVENTORY_OUT_OF_STOCK", "handle": HOLD_HANDLE, "reasonNotes": note,
            "notifyMerchant": False}
    if lines:
        hold["fulfillmentOrderLineItems"] = [{"id": line, "quantity": qty} for line, qty in lines]
    return hold


def _metafield_groups(changes: Sequence[OrderChange]) -> list[list[dict]]:
    """The orders' metafields, at most 25 to a call, an order's fields kept in one call where
    they fit, so that a refused order holds back as few others as possible."""
    groups: list[list[dict]] = []
    for change in changes:
        fields = [{"ownerId": change.order_id, "namespace": NAMESPACE, "key": key,
                   "type": METAFIELD_TYPES[key], "value": value}
                  for key, value in sorted(change.fields.items())]
        if fields and groups and len(groups[-1]) + len(fields) <= METAFIELDS_PER_SET:
            groups[-1].extend(fields)
            continue
        for start in range(0, len(fields), METAFIELDS_PER_SET):
            groups.append(fields[start:start + METAFIELDS_PER_SET])
    return groups


def _note(write: Write, payload, said: Applied) -> None:
    """What the store made of a hold or a release it took. A hold of some lines splits the
    fulfillment order: the held units stay on it, the rest go to the `remainingFulfillmentOrder`
    the payload names (FulfillmentOrderHoldPayload). A release that leaves the fulfillment order
    no longer ON_HOLD reopens it (`fulfillment_orders/hold_released` follows)."""
    if not isinstance(payload, dict):
        return
    if write.name == "fulfillment_order_hold":
        remaining = (payload.get("remainingFulfillmentOrder") or {}).get("id")
        if remaining:
            said.split_off[write.variables["id"]] = remaining
    elif write.name == "fulfillment_order_release_hold":
        status = (payload.get("fulfillmentOrder") or {}).get("status")
        if status and status != "ON_HOLD":
            said.reopened.add(write.variables["id"])


def _refused(owners: tuple[str, ...], element_index: int | None) -> list[str]:
    """The orders a user error names: the owner of the element at `elementIndex` in a shared
    call, else every order of the call."""
    if element_index is not None and 0 <= element_index < len(owners):
        return [owners[element_index]]
    return list(dict.fromkeys(owners))


def _without(write: Write, refused: set[str]) -> Write | None:
    """A shared metafieldsSet call again, without the refused orders' fields; None for a call
    of one order."""
    if write.name != "metafields_set":
        return None
    kept = [f for f in write.variables["metafields"] if f["ownerId"] not in refused]
    if not kept:
        return None
    return Write(write.name, {"metafields": kept}, tuple(f["ownerId"] for f in kept))


def _by_budget(writes: list[Write]) -> Iterator[list[Write]]:
    per_request = WRITE_COST_BUDGET // MUTATION_COST
    for start in range(0, len(writes), per_request):
        yield writes[start:start + per_request]


def _staged_input(name: str) -> dict:
    return {"resource": "BULK_MUTATION_VARIABLES", "filename": f"{name}.jsonl",
            "mimeType": "text/jsonl", "httpMethod": "POST"}


def _user_errors(line: dict) -> list:
    payloads = (line.get("data") or {}).values()
    return [e for payload in payloads if isinstance(payload, dict)
            for e in payload.get("userErrors") or ()]


def _message(field: Sequence[str], message: str) -> str:
    return f"{'.'.join(field)}: {message}"


def _merge(errors: Errors, more: Errors) -> None:
    """The first refusal of an order stands; an order written in one request and refused in
    another is refused."""
    for owner, error in more.items():
        errors[owner] = errors.get(owner) or error
