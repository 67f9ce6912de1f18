"""`flask --app app demo --platform saleor` without SALEOR_SOURCE: one line saying what to set,
a non-zero exit, and nothing started."""

from __future__ import annotations


def test_the_saleor_demo_needs_saleor_source(app, monkeypatch):
    monkeypatch.delenv("SALEOR_SOURCE", raising=False)
    result = app.test_cli_runner().invoke(args=["demo", "--platform", "saleor"])
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [
        "Error: SALEOR_SOURCE is not set: the Saleor demo runs a real Saleor built from its "
        "source tarball; set SALEOR_SOURCE to the path of saleor-3.23.28.tar.gz"]
