"""`./dev demo` as a person runs it: it prints the local admin's URL, which loads and frames the
app, serves until stopped, and stops cleanly when asked. And what it shows, whatever the seed:
the arrival fills lines, and some lines end later than promised."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from html import unescape

import pytest
import requests

from app.config import ROOT, load_config
from app.demo import Demo

READY_S = 180


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "term"])
def test_the_serving_demo_prints_a_working_url_and_stops_within_5_s(env, stop):
    demo = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "demo",
                             "--orders", "12"], cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []
    reader = threading.Thread(target=lambda: [(lines.put(line), output.append(line))
                                              for line in demo.stdout], daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + READY_S
        while "Serving; Ctrl-C to stop." not in (line := lines.get(
                timeout=deadline - time.monotonic())):
            if line.startswith("The app in the local admin: "):
                url = line.split(": ", 1)[1].strip()
        app_url = re.search(r"app at (http://\S+)", "".join(output)).group(1)

        page = requests.get(url, timeout=10)
        assert page.status_code == 200
        src = unescape(re.search(r'<iframe id="app" title="[^"]+" src="([^"]+)"',
                                 page.text).group(1))
        assert src.startswith(f"{app_url}/?")
        framed = requests.get(src, timeout=10)
        assert framed.status_code == 200 and 'id="queue-table"' in framed.text

        demo.send_signal(stop)
        started = time.monotonic()
        assert demo.wait(timeout=5) == 0
        assert time.monotonic() - started <= 5
        reader.join(timeout=5)
        assert "Traceback" not in "".join(output)
    finally:
        demo.kill()
        demo.wait()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_arrival_fills_lines_and_some_end_late_whatever_the_seed(env, seed):
    said: list[str] = []
    demo = Demo(load_config({**env, "APP_ENV": "production"}), orders=100, seed=seed,
                echo=said.append)
    try:
        figures = demo.run()
    finally:
        demo.close()
    text = "\n".join(said)
    arrival = re.search(r"arrived \((\d+) lines waited on it, (\d+) of them filled\)", text)
    assert arrival and 0 < int(arrival.group(2)) <= int(arrival.group(1))
    assert figures["filled_by_the_arrival"] == int(arrival.group(2))
    late = re.search(r"PO-\d+ moved by its supplier from \S+ to \S+: (\d+) line\(s\) now later "
                     r"than promised", text)
    assert late and int(late.group(1)) > 0 and figures["later_than_promised"] > 0
