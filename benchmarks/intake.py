"""Webhook intake under load: signed `orders/create` deliveries posted over loopback to the app
served as the README tells operators to serve it (verify, record the receipt), against the same
load on a bare Flask endpoint under the same server (the floor) and, when `INTAKE_PEER_DIR` names
a checkout of a peer webhook server (a Node server, `server.js`, whose secret is `PEER_SECRET`
and port `PORT`), on that peer too, each alone on the machine, one after the other in one run.

The load is wrk's (`apt-get install wrk`) when it is installed: `--connections` keep-alive
connections from one wrk thread for `--seconds`, each delivery with its own event id. Without wrk
the Python senders of `benchmarks.deliveries` send `--count` deliveries, and no peer is measured:
only one load on both makes the two figures comparable.

Every delivery is signed for an installed shop and is a distinct event (its own
`X-Shopify-Event-Id`), so each must be accepted and recorded: the run fails, naming how many and
why, unless every delivery sent to the app (warm-up included) was answered 200 `accepted` and has
its receipt row in the database. A delivery answered `dropped`, `duplicate` or `ignored` is not
throughput.

    python -m benchmarks.intake [--connections 16] [--seconds 15] [--workers 2] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import quantiles

from cryptography.fernet import Fernet
from sqlalchemy import select

from benchmarks.deliveries import Delivery, deliver
from webhooks.signature import sign

SHOP = "bench-shop.myshopify.com"
SECRET = "bench-secret"
TOPIC = "orders/create"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(tmp: Path) -> dict:
    return {
        **os.environ,
        "SHOPIFY_API_SECRET": SECRET,
        "SHOPIFY_API_KEY": "bench-key",
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}",
        "QUEUE_PATH": str(tmp / "queue.db"),
        "APP_ENV": "production",
    }


def prepare(env: dict) -> None:
    from app import create_app
    from app.config import load_config
    from app.services.ports import TokenGrant
    from app.storage.migrate import upgrade

    config = load_config(env)
    upgrade(config.database_url)
    services = create_app(config, migrate=False).extensions["backorders"]
    services.queue.huey.flush()
    now = datetime.now(UTC)
    services.installs.install(SHOP, TokenGrant("shpat_bench", "read_orders", now + timedelta(hours=1),
                                               None, None))
    services.close()


def server_command(target: str, port: int, workers: int, threads: int) -> list[str]:
    """The server as the README tells operators to run it: granian's WSGI interface, `workers`
    processes with `threads` threads each that run the app."""
    return [sys.executable, "-m", "granian", "--interface", "wsgi", "--factory",
            "--workers", str(workers), "--blocking-threads", str(threads),
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
            "--no-access-log", target]


def wait_for(port: int, proc: subprocess.Popen, what: str, secs: float = 30) -> None:
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before it listened")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    stop(proc)
    raise RuntimeError(f"{what} did not listen on {port} within {secs:.0f} s")


def serve(target: str, env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    proc = subprocess.Popen(server_command(target, port, workers, threads), env=env, cwd=ROOT,
                            start_new_session=True)
    wait_for(port, proc, target)
    return proc


def stop(proc: subprocess.Popen) -> None:
    """The server and every process it started."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def peer_server(port: int) -> subprocess.Popen | None:
    """The peer of `INTAKE_PEER_DIR`, started with the benchmark's secret; None (and why, on
    stderr) when there is none to run."""
    folder = os.environ.get("INTAKE_PEER_DIR")
    if not folder:
        print("peer skipped: INTAKE_PEER_DIR is not set", file=sys.stderr)
        return None
    folder = Path(folder)
    local_node = folder / "node_modules/.bin/node"
    node = str(local_node) if local_node.exists() else shutil.which("node")
    if not (folder / "server.js").exists() or not (folder / "node_modules").is_dir() or not node:
        print(f"peer skipped: {folder} has no server.js with its node_modules installed, or no "
              "node is found", file=sys.stderr)
        return None
    proc = subprocess.Popen([node, "server.js"], cwd=folder, start_new_session=True,
                            env={**os.environ, "PEER_SECRET": SECRET, "PORT": str(port)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(port, proc, "the peer")
    return proc


class Load:
    """wrk driving a server with the signed body: the same load for each target."""

    def __init__(self, body: bytes, signature: str, args, tmp: Path):
        self.args = args
        self.body_file = tmp / "body.json"
        self.body_file.write_bytes(body)
        self.env = {**os.environ, "INTAKE_BODY_FILE": str(self.body_file),
                    "INTAKE_HMAC": signature, "INTAKE_SHOP": SHOP}

    def run(self, port: int, seconds: int) -> dict:
        """wrk's figures: requests, seconds, p50_ms, p99_ms, non2xx, socket_errors, accepted."""
        env = {**self.env, "INTAKE_RUN_ID": uuid.uuid4().hex}
        done = subprocess.run(
            ["wrk", "-t", "1", "-c", str(self.args.connections), "-d", f"{seconds}s",
             "--timeout", "5s", "--latency", "-s", str(ROOT / "benchmarks/intake_load.lua"),
             f"http://127.0.0.1:{port}/webhooks"], env=env, capture_output=True, text=True)
        line = [row for row in done.stdout.splitlines() if row.startswith("INTAKE_JSON ")]
        if done.returncode or not line:
            raise RuntimeError(f"wrk failed: {done.stderr[-500:] or done.stdout[-500:]}")
        return json.loads(line[-1].removeprefix("INTAKE_JSON "))

    def measure(self, port: int) -> tuple[dict, dict]:
        """(the measured run, the warm-up before it)."""
        warm_up = self.run(port, self.args.warm_up)
        return self.run(port, self.args.seconds), warm_up


def check_load(runs: list[dict], recorded: int) -> tuple[int, list[str]]:
    """(accepted, problems) of wrk runs on the app: every answer must be 200 `accepted`, none may
    fail, and there must be a receipt row for each (a request still open when wrk stopped may be
    recorded too, so there may be a few more rows than answers)."""
    sent = sum(r["requests"] for r in runs)
    accepted = sum(r["accepted"] for r in runs)
    problems = []
    if accepted != sent:
        problems.append(f"{sent - accepted} of {sent} deliveries were not answered 200 accepted "
                        f"({sum(r['non2xx'] for r in runs)} answered 4xx or 5xx)")
    failed = sum(r["socket_errors"] for r in runs)
    if failed:
        problems.append(f"{failed} requests failed (connect, read, write or timeout)")
    if recorded < accepted:
        problems.append(f"{accepted - recorded} of {accepted} accepted deliveries have no "
                        "receipt row in the database")
    return accepted, problems


def recorded_events(env: dict) -> set[str]:
    """Event ids of the `orders/create` receipts recorded for the shop."""
    from app.config import load_config
    from app.storage.db import Database
    from app.storage.tables import WebhookReceipt

    db = Database(load_config(env).database_url)
    with db.transaction() as s:
        events = set(s.scalars(select(WebhookReceipt.event_id).where(
            WebhookReceipt.shop == SHOP, WebhookReceipt.topic == TOPIC)))
    db.dispose()
    return events


def check_taken(sent: list[Delivery], recorded: set[str]) -> tuple[int, int, list[str]]:
    """(accepted, recorded, problems): every delivery must be answered 200 `accepted` and have
    its receipt row."""
    accepted = [d for d in sent if d.status == 200 and d.outcome == "accepted"]
    refused = Counter((d.status, d.outcome) for d in sent
                      if not (d.status == 200 and d.outcome == "accepted"))
    stored = sum(d.event_id in recorded for d in sent)
    problems = []
    if refused:
        why = ", ".join(f"{n} answered {status or 'no response'} {outcome!r}"
                        for (status, outcome), n in refused.most_common())
        problems.append(f"{len(sent) - len(accepted)} of {len(sent)} deliveries were not "
                        f"accepted ({why})")
    missing = sum(d.event_id not in recorded for d in accepted)
    if missing:
        problems.append(f"{missing} of {len(accepted)} accepted deliveries have no receipt row "
                        "in the database")
    return len(accepted), stored, problems


@contextmanager
def checkpointing(env: dict):
    """What the worker does beside intake besides taking receipts: checkpoint the database's log
    about once a second (`Database.checkpoint`), which no commit does."""
    from app.config import load_config
    from app.jobs import CHECKPOINT_EVERY_S
    from app.storage.db import Database

    db, stopped = Database(load_config(env).database_url), threading.Event()

    def run():
        while not stopped.wait(CHECKPOINT_EVERY_S):
            db.checkpoint()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopped.set()
        thread.join()
        db.dispose()


def with_wrk(args, env, body, signature, tmp: Path) -> dict:
    load = Load(body, signature, args, tmp)
    port = free_port()
    proc = serve("app:create_app", env, port, args.workers, args.threads)
    try:
        with checkpointing(env):
            run, warm_up = load.measure(port)
    finally:
        stop(proc)
    recorded = len(recorded_events(env))
    accepted, problems = check_load([warm_up, run], recorded)
    print(f"deliveries to the app: {warm_up['requests'] + run['requests']} "
          f"({warm_up['requests']} warm-up), {accepted} accepted, {recorded} recorded")
    if problems:
        raise SystemExit("intake benchmark failed: " + "; ".join(problems))
    port = free_port()
    proc = serve("benchmarks.bare_app:create_app", env, port, args.workers, args.threads)
    try:
        bare, _ = load.measure(port)
    finally:
        stop(proc)
    if bare["non2xx"] or bare["socket_errors"]:
        raise SystemExit("intake benchmark failed: the bare endpoint answered "
                         f"{bare['non2xx']} errors and {bare['socket_errors']} failed requests")
    figures = {
        "deliveries": warm_up["requests"] + run["requests"],
        "accepted": accepted,
        "recorded": recorded,
        "webhooks_per_s": round(run["requests"] / run["seconds"], 1),
        "p50_ms": round(run["p50_ms"], 2),
        "p99_ms": round(run["p99_ms"], 2),
        "bare_per_s": round(bare["requests"] / bare["seconds"], 1),
    }
    figures["ratio_to_bare"] = round(figures["webhooks_per_s"] / figures["bare_per_s"], 3)
    port = free_port()
    proc = peer_server(port)
    if proc is not None:
        try:
            peer, _ = load.measure(port)
        finally:
            stop(proc)
        if peer["non2xx"] or peer["socket_errors"]:
            raise SystemExit(f"intake benchmark failed: the peer answered {peer['non2xx']} "
                             f"errors and {peer['socket_errors']} failed requests")
        figures["peer_per_s"] = round(peer["requests"] / peer["seconds"], 1)
        figures["peer_p50_ms"] = round(peer["p50_ms"], 2)
        figures["peer_p99_ms"] = round(peer["p99_ms"], 2)
        figures["ratio_to_peer"] = round(figures["webhooks_per_s"] / figures["peer_per_s"], 3)
    print(f"load: wrk, 1 thread, {args.connections} connections, {args.seconds} s "
          f"(after {args.warm_up} s of warm-up) on each")
    return figures


def measure(target, env, args, body, headers) -> tuple[float, list[Delivery], list[Delivery]]:
    """Without wrk: (elapsed seconds of the measured run, its deliveries, the warm-up's)."""
    port = free_port()
    proc = serve(target, env, port, args.workers, args.threads)
    try:
        _, warm_up = deliver(port, min(500, args.count), args.senders, 4, body, headers)
        elapsed, deliveries = deliver(port, args.count, args.senders, 4, body, headers)
        return elapsed, deliveries, warm_up
    finally:
        stop(proc)


def with_senders(args, env, body, headers) -> dict:
    print("wrk not found (apt-get install wrk): Python senders instead, peer skipped",
          file=sys.stderr)
    elapsed, results, warm_up = measure("app:create_app", env, args, body, headers)
    sent = warm_up + results
    accepted, stored, problems = check_taken(sent, recorded_events(env))
    print(f"deliveries to the app: {len(sent)} ({len(warm_up)} warm-up), {accepted} accepted,"
          f" {stored} recorded")
    if problems:
        raise SystemExit("intake benchmark failed: " + "; ".join(problems))
    bare_elapsed, bare, _ = measure("benchmarks.bare_app:create_app", env, args, body, headers)
    failed = [d for d in bare if d.status != 200]
    if failed:
        raise SystemExit(f"intake benchmark failed: {len(failed)} of {len(bare)} deliveries to "
                         "the bare endpoint were not answered 200")
    cuts = quantiles(sorted(d.latency_s * 1000 for d in results), n=100)
    figures = {
        "deliveries": len(sent),
        "accepted": accepted,
        "recorded": stored,
        "webhooks_per_s": round(len(results) / elapsed, 1),
        "p50_ms": round(cuts[49], 2),
        "p99_ms": round(cuts[98], 2),
        "bare_per_s": round(len(bare) / bare_elapsed, 1),
    }
    figures["ratio_to_bare"] = round(figures["webhooks_per_s"] / figures["bare_per_s"], 3)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--seconds", type=int, default=15, help="wrk: measured seconds per target")
    parser.add_argument("--warm-up", type=int, default=2, help="wrk: seconds before the measure")
    parser.add_argument("--count", type=int, default=20000, help="without wrk: deliveries")
    parser.add_argument("--senders", type=int, default=4, help="without wrk: sending processes")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per server worker")
    args = parser.parse_args()
    order = json.loads((ROOT / "tests/fixtures/payloads/orders_create.2025-10.metadata.json")
                       .read_text())["response"]
    body = json.dumps(order, separators=(",", ":")).encode()
    signature = sign(body, SECRET)
    headers = {"Content-Type": "application/json", "X-Shopify-Topic": TOPIC,
               "X-Shopify-Shop-Domain": SHOP, "X-Shopify-Hmac-Sha256": signature,
               "X-Shopify-API-Version": "2026-10",
               "X-Shopify-Triggered-At": datetime.now(UTC).isoformat()}
    with tempfile.TemporaryDirectory() as tmp:
        env = app_env(Path(tmp))
        prepare(env)
        if shutil.which("wrk"):
            figures = with_wrk(args, env, body, signature, Path(tmp))
        else:
            figures = with_senders(args, env, body, headers)
    peer = (f"; peer: {figures['peer_per_s']}/s p99 {figures['peer_p99_ms']} ms"
            if "peer_per_s" in figures else "")
    print(f"app: {figures['webhooks_per_s']}/s p50 {figures['p50_ms']} ms p99 {figures['p99_ms']} ms;"
          f" bare: {figures['bare_per_s']}/s{peer}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
