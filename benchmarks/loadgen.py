"""A small HTTP load generator: several processes, each with several keep-alive connections,
posting prepared requests and timing each one."""

from __future__ import annotations

import http.client
import multiprocessing
import threading
import time
import uuid
from collections.abc import Callable


def _sender(port: int, count: int, make_headers: Callable[[], dict], body: bytes, out: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(count):
        headers = make_headers()
        started = time.perf_counter()
        conn.request("POST", "/webhooks", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        out.append((time.perf_counter() - started, response.status))
    conn.close()


def _process(args) -> list[tuple[float, int]]:
    port, count, threads, body, headers = args
    results: list[tuple[float, int]] = []
    per_thread = count // threads

    def make_headers() -> dict:
        return {**headers, "X-Shopify-Webhook-Id": str(uuid.uuid4())}

    workers = [threading.Thread(target=_sender, args=(port, per_thread, make_headers, body, results))
               for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results


def run_load(port: int, total: int, processes: int, threads: int, body: bytes,
             headers: dict) -> tuple[float, list[tuple[float, int]]]:
    """(elapsed seconds, [(latency seconds, status)])."""
    per_process = total // processes
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        started = time.perf_counter()
        parts = pool.map(_process, [(port, per_process, threads, body, headers)] * processes)
        elapsed = time.perf_counter() - started
    return elapsed, [r for part in parts for r in part]
