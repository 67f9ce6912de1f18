"""Admin GraphQL client: one POST per call, paced by the shop's cost bucket, retried when the
fault is temporary.

Shopify meters the Admin API per app and shop with a leaky bucket of query-cost points and reports
its state (`extensions.cost.throttleStatus`) on every response. The client keeps that reading per
shop and, before sending, waits just long enough for the bucket to hold the request's expected
cost, so a busy sync slows down instead of being throttled. Requests queue for the points in
the order they come, except those that can wait (the sync's): they take points only when the
bucket holds them at that moment, and never reserve ahead, so the reads a webhook needs before
it can be planned do not queue behind a backlog of writes. Throttling, 429, 5xx and network faults
are retried with exponential backoff and jitter; anything else is raised as a typed error.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests

from app.platforms.shopify.errors import (
    GraphQLErrors,
    ShopifyError,
    TransientFailure,
    Unauthorized,
    UserError,
    UserErrors,
)

_SHOP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
_NETWORK_FAULTS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
_COST_MEMORY = 512


class CredentialsProvider(Protocol):
    """Where the client gets a shop's token, and a fresh one when Shopify rejects it."""

    def access_token(self, shop: str) -> str: ...

    def refreshed_token(self, shop: str, rejected_token: str) -> str: ...


@dataclass
class GraphQLResult:
    """A successful response: `data` plus what it cost and the bucket state it left."""

    data: dict
    cost: dict
    throttle_status: dict
    attempts: int
    shop: str | None = None

    def user_errors(self) -> list[UserError]:
        """The `userErrors` of every root payload, tagged with the root field's response key."""
        errors = []
        for alias, payload in (self.data or {}).items():
            if not isinstance(payload, dict):
                continue
            for error in payload.get("userErrors") or ():
                errors.append(
                    UserError(
                        alias=alias,
                        field=tuple(str(part) for part in error.get("field") or ()),
                        message=str(error.get("message", "")),
                        code=error.get("code"),
                        element_index=error.get("elementIndex"),
                    )
                )
        return errors

    def raise_for_user_errors(self) -> GraphQLResult:
        """Raise `UserErrors` when any payload refused its input; otherwise return self."""
        errors = self.user_errors()
        if errors:
            raise UserErrors(errors, shop=self.shop)
        return self


class ClientStats:
    """Running totals for the demo summary and the benchmarks; safe to share between threads."""

    FIELDS = ("requests", "throttled", "retries", "cost_requested", "cost_actual")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, float] = dict.fromkeys(self.FIELDS, 0)

    def add(self, **amounts: float) -> None:
        with self._lock:
            for name, amount in amounts.items():
                self._values[name] += amount

    def snapshot(self) -> dict[str, float]:
        with self._lock:
            return dict(self._values)

    def _get(self, name: str) -> float:
        with self._lock:
            return self._values[name]

    @property
    def requests(self) -> int:
        return int(self._get("requests"))

    @property
    def throttled(self) -> int:
        return int(self._get("throttled"))

    @property
    def retries(self) -> int:
        return int(self._get("retries"))

    @property
    def cost_requested(self) -> float:
        return self._get("cost_requested")

    @property
    def cost_actual(self) -> float:
        return self._get("cost_actual")


@dataclass
class _Bucket:
    """The last reading of one shop's cost bucket, projected forward by its restore rate, less
    the points of requests sent and not yet answered (`in_flight`): a reading from one answer
    does not yet count what the others still on their way will take."""

    maximum: float = 0.0
    available: float = 0.0
    restore_rate: float = 0.0
    read_at: float | None = None
    in_flight: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def projected(self, now: float) -> float:
        start = now if self.read_at is None else self.read_at
        elapsed = max(0.0, now - start)
        return min(self.maximum, self.available + self.restore_rate * elapsed)


class _Retry(Exception):
    """Internal signal: this attempt failed temporarily; wait at least `floor` seconds."""

    def __init__(self, cause: BaseException | str, floor: float = 0.0) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.floor = floor


GIVE_WAY_S = 0.25  # how often a request that can wait looks at the bucket again


class AdminClient:
    """Shopify Admin GraphQL over a pooled `requests` session, for any number of shops."""

    def __init__(
        self,
        admin_origin: str,
        api_version: str,
        *,
        session: requests.Session | None = None,
        connect_timeout: float = 3.05,
        read_timeout: float = 20,
        max_attempts: int = 5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
    ) -> None:
        if "{shop}" not in admin_origin:
            raise ValueError("admin_origin must contain {shop}")
        self.admin_origin = admin_origin.rstrip("/")
        self.api_version = api_version
        self.session = session or requests.Session()
        self.timeout = (connect_timeout, read_timeout)
        self.max_attempts = max(1, max_attempts)
        self.clock = clock
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.stats = ClientStats()
        self._buckets: dict[str, _Bucket] = {}
        self._buckets_lock = threading.Lock()
        self._costs: OrderedDict[str, float] = OrderedDict()
        self._costs_lock = threading.Lock()

    def endpoint(self, shop: str) -> str:
        """The shop's GraphQL URL; the shop is checked so it cannot redirect the token elsewhere."""
        if not _SHOP.match(shop):
            raise ShopifyError(f"invalid shop domain {shop!r}", shop=shop)
        origin = self.admin_origin.replace("{shop}", shop)
        return f"{origin}/admin/api/{self.api_version}/graphql.json"

    def execute(
        self,
        shop: str,
        credentials: CredentialsProvider,
        query: str,
        variables: dict | None = None,
        *,
        operation_name: str | None = None,
        estimated_cost: float | None = None,
        can_wait: bool = False,
    ) -> GraphQLResult:
        """Send one GraphQL request, pacing, refreshing the token once and retrying as needed.
        `can_wait`: the request gives way to every other one for the shop's points."""
        body: dict[str, Any] = {"query": query, "variables": variables or {}}
        if operation_name:
            body["operationName"] = operation_name
        url = self.endpoint(shop)
        token = credentials.access_token(shop)
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            reserved = self._pace(shop, query, estimated_cost, can_wait)
            try:
                return self._attempt(shop, url, token, body, query, attempt, reserved)
            except Unauthorized:
                if refreshed:
                    raise
                refreshed = True
                token = credentials.refreshed_token(shop, token)
            except _Retry as retry:
                if attempt >= self.max_attempts:
                    raise TransientFailure(
                        f"gave up after {attempt} attempts: {retry.cause}",
                        shop=shop,
                        cause=retry.cause,
                        attempts=attempt,
                    ) from (retry.cause if isinstance(retry.cause, BaseException) else None)
                self.stats.add(retries=1)
                self.sleep(max(retry.floor, self._backoff(attempt)))

    def _attempt(
        self, shop: str, url: str, token: str, body: dict, query: str, attempt: int,
        reserved: float,
    ) -> GraphQLResult:
        """One HTTP round trip, turned into a result or one of the errors `execute` handles.
        `reserved`: the points pacing set aside for it, in flight until it is answered."""
        headers = {"X-Shopify-Access-Token": token, "Accept": "application/json"}
        self.stats.add(requests=1)
        try:
            response = self.session.post(url, json=body, headers=headers, timeout=self.timeout)
        except _NETWORK_FAULTS as exc:
            raise _Retry(exc) from exc
        finally:
            self._answered(shop, reserved)  # before the reading, which counts this request
        payload = _json_or_none(response)
        throttle_wait = self._read_cost(shop, query, payload)
        if response.status_code == 401:
            raise Unauthorized("access token rejected (HTTP 401)", shop=shop, body=response.text)
        if response.status_code == 429 or _is_throttled(payload):
            self.stats.add(throttled=1)
            floor = max(throttle_wait, _retry_after(response))
            raise _Retry(f"throttled (HTTP {response.status_code})", floor)
        if response.status_code >= 500:
            raise _Retry(f"HTTP {response.status_code}")
        if response.status_code != 200 or not isinstance(payload, dict):
            raise ShopifyError(
                f"unexpected HTTP {response.status_code}",
                shop=shop,
                status=response.status_code,
                body=response.text[:2000],
            )
        if payload.get("errors"):
            raise GraphQLErrors(_errors(payload), shop=shop, data=payload.get("data"))
        cost = _cost(payload)
        self.stats.add(
            cost_requested=cost.get("requestedQueryCost") or 0,
            cost_actual=cost.get("actualQueryCost") or 0,
        )
        return GraphQLResult(
            data=payload.get("data") or {},
            cost={k: v for k, v in cost.items() if k != "throttleStatus"},
            throttle_status=cost.get("throttleStatus") or {},
            attempts=attempt,
            shop=shop,
        )

    def restore_rate(self, shop: str) -> float:
        """Points per second the shop's bucket refills, as last read (0 before any reading)."""
        bucket = self._bucket(shop)
        with bucket.lock:
            return bucket.restore_rate

    def _bucket(self, shop: str) -> _Bucket:
        with self._buckets_lock:
            return self._buckets.setdefault(shop, _Bucket())

    def _pace(self, shop: str, query: str, estimated_cost: float | None,
              can_wait: bool = False) -> float:
        """Wait until the shop's bucket should hold this request's cost, and reserve that cost;
        the points reserved.

        The reservation lowers the local reading, so threads sending to the same shop queue up
        behind each other instead of all seeing the same points; the next response corrects it.
        A request that can wait reserves nothing while it waits: it looks again, and goes when
        the points are there and no one else has taken them.
        """
        cost = estimated_cost if estimated_cost is not None else self._known_cost(query)
        bucket = self._bucket(shop)
        while True:
            with bucket.lock:
                if not cost or bucket.read_at is None or bucket.restore_rate <= 0:
                    return 0.0
                now = self.clock()
                start = max(now, bucket.read_at)
                needed = min(cost, bucket.maximum)
                available = bucket.projected(start)
                ready_at = start + max(0.0, (needed - available) / bucket.restore_rate)
                if not can_wait or ready_at <= now:
                    bucket.available = available + (ready_at - start) * bucket.restore_rate - needed
                    bucket.read_at = ready_at
                    bucket.in_flight += needed
                    break
            self.sleep(min(ready_at - now, GIVE_WAY_S))
        if ready_at > now:
            self.sleep(ready_at - now)
        return needed

    def seconds_until_share(self, shop: str, share: float, points: float = 0.0) -> float:
        """How long until the shop's bucket, as last read and less what requests reserved,
        holds `share` of its size and `points` more again (never more than it holds full); 0
        before any reading."""
        bucket = self._bucket(shop)
        with bucket.lock:
            if bucket.read_at is None or bucket.restore_rate <= 0:
                return 0.0
            now = self.clock()
            start = max(now, bucket.read_at)
            wanted = min(bucket.maximum, share * bucket.maximum + points)
            missing = wanted - bucket.projected(start)
            return max(0.0, start - now + missing / bucket.restore_rate)

    def _answered(self, shop: str, reserved: float) -> None:
        """A request's points are no longer in flight: it was answered, or never arrived."""
        if reserved:
            bucket = self._bucket(shop)
            with bucket.lock:
                bucket.in_flight = max(0.0, bucket.in_flight - reserved)

    def _read_cost(self, shop: str, query: str, payload: Any) -> float:
        """Record the bucket and the query's cost; return how long the bucket needs to afford it.
        The reading counts this request, not those still in flight: their points stay set
        aside."""
        cost = _cost(payload)
        status = cost.get("throttleStatus") or {}
        requested = cost.get("requestedQueryCost")
        if requested is not None:
            with self._costs_lock:
                self._costs[query] = float(requested)
                self._costs.move_to_end(query)
                while len(self._costs) > _COST_MEMORY:
                    self._costs.popitem(last=False)
        if not {"maximumAvailable", "currentlyAvailable", "restoreRate"} <= set(status):
            return 0.0
        bucket = self._bucket(shop)
        with bucket.lock:
            bucket.maximum = float(status["maximumAvailable"])
            bucket.available = float(status["currentlyAvailable"]) - bucket.in_flight
            bucket.restore_rate = float(status["restoreRate"])
            bucket.read_at = self.clock()
        if requested is None or bucket.restore_rate <= 0:
            return 0.0
        return max(0.0, (float(requested) - bucket.available) / bucket.restore_rate)

    def _known_cost(self, query: str) -> float | None:
        with self._costs_lock:
            return self._costs.get(query)

    def _backoff(self, attempt: int) -> float:
        """Exponential delay with jitter: half fixed, half random, so retries spread out."""
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return delay / 2 + self.rng.uniform(0, delay / 2)


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _cost(payload: Any) -> dict:
    if not isinstance(payload, dict):
        return {}
    return (payload.get("extensions") or {}).get("cost") or {}


def _errors(payload: Any) -> list[dict]:
    """Top-level errors as a list of dicts (Shopify sometimes sends a bare string instead)."""
    if not isinstance(payload, dict) or not payload.get("errors"):
        return []
    errors = payload["errors"]
    if not isinstance(errors, list):
        errors = [errors]
    return [error if isinstance(error, dict) else {"message": str(error)} for error in errors]


def _is_throttled(payload: Any) -> bool:
    return any(
        (error.get("extensions") or {}).get("code") == "THROTTLED" for error in _errors(payload)
    )


def _retry_after(response: requests.Response) -> float:
    """Seconds from a numeric `Retry-After` header; 0 when absent or not a number."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return 0.0
