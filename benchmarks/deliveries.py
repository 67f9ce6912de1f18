"""Webhook deliveries under load: several processes, each with several keep-alive connections,
posting one signed body with a fresh `X-Shopify-Webhook-Id` and `X-Shopify-Event-Id` per
delivery (distinct events, as a burst of orders is), timing each and keeping what the endpoint
answered, so a run can show that every delivery was taken, not only answered."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import threading
import time
import uuid
from typing import NamedTuple


class Delivery(NamedTuple):
    event_id: str
    latency_s: float
    status: int  # HTTP status; 0 when the connection failed
    outcome: str  # the body's "status" (accepted, duplicate, dropped, ignored), or what went wrong


def _outcome(body: bytes) -> str:
    try:
        answer = json.loads(body)
    except ValueError:
        return "no JSON answer"
    return str(answer.get("status")) if isinstance(answer, dict) else "no JSON object"


def _sender(port: int, count: int, body: bytes, headers: dict, out: list[Delivery]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(count):
        event_id = str(uuid.uuid4())
        sent = {**headers, "X-Shopify-Webhook-Id": str(uuid.uuid4()),
                "X-Shopify-Event-Id": event_id}
        started = time.perf_counter()
        try:
            conn.request("POST", "/webhooks", body=body, headers=sent)
            response = conn.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            out.append(Delivery(event_id, time.perf_counter() - started, 0,
                                f"{type(exc).__name__}: {exc}"))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latency = time.perf_counter() - started
        out.append(Delivery(event_id, latency, response.status, _outcome(answer)))
    conn.close()


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (k < total % parts) for k in range(parts)]


def _process(args) -> list[Delivery]:
    port, count, threads, body, headers = args
    results: list[Delivery] = []
    workers = [threading.Thread(target=_sender, args=(port, n, body, headers, results))
               for n in _split(count, threads) if n]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results


def deliver(port: int, total: int, processes: int, threads: int, body: bytes,
            headers: dict) -> tuple[float, list[Delivery]]:
    """Posts exactly `total` deliveries; (elapsed seconds, every delivery)."""
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        started = time.perf_counter()
        parts = pool.map(_process, [(port, n, threads, body, headers)
                                    for n in _split(total, processes)])
        elapsed = time.perf_counter() - started
    return elapsed, [d for part in parts for d in part]
