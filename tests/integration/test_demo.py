"""`./dev demo` as a person runs it: it serves until stopped, and stops when asked."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from app.config import ROOT

READY_S = 180


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "term"])
def test_the_serving_demo_stops_within_5_s(env, stop):
    demo = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "demo",
                             "--orders", "12"], cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in demo.stdout], daemon=True).start()
    try:
        deadline = time.monotonic() + READY_S
        while "Serving; Ctrl-C to stop." not in lines.get(timeout=deadline - time.monotonic()):
            pass
        demo.send_signal(stop)
        started = time.monotonic()
        demo.wait(timeout=5)
        assert time.monotonic() - started <= 5
    finally:
        demo.kill()
        demo.wait()
