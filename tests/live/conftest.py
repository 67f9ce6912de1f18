"""The live tier: tests against a real Saleor on this machine (`testbed.saleor`).

Every test here is marked `live`. The tier needs SALEOR_SOURCE (the path of the Saleor source
tarball; `.ci/run` passes it when the tarball is there); without it every test here is skipped.
With it, a test bed that cannot start (no Python 3.12, PostgreSQL down, a broken build) fails the
tests, with the reason. One Saleor serves the whole session; each test makes its own products.

`./dev test` runs the suite twice (SQLite, then PostgreSQL). The app's database does not matter
to these tests, so they run once: in the SQLite pass (DATABASE_URL unset), and are skipped in the
PostgreSQL pass (DATABASE_URL set, POSTGRES_PASS_FOLLOWS not)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from testbed.saleor import Saleor, Store, TestbedError

HERE = Path(__file__).parent
NO_SOURCE = ("SALEOR_SOURCE is not set: the live Saleor tier needs a Saleor source tarball; "
             ".ci/run passes it")
OTHER_PASS = ("the live Saleor tier runs once, in the SQLite pass of ./dev test (DATABASE_URL "
              "is set here and no PostgreSQL pass follows)")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.live)


def pytest_runtest_setup(item) -> None:
    if item.get_closest_marker("live") is None:
        return
    if os.environ.get("DATABASE_URL") and not os.environ.get("POSTGRES_PASS_FOLLOWS"):
        pytest.skip(OTHER_PASS)
    if not os.environ.get("SALEOR_SOURCE"):
        pytest.skip(NO_SOURCE)


@pytest.fixture(scope="session")
def saleor():
    """A running Saleor (built on first use, several minutes; later sessions start in seconds),
    with a staff token (`saleor.token`, sent by `saleor.graphql` by default)."""
    try:
        bed = Saleor.start()
    except TestbedError as exc:
        pytest.fail(f"the Saleor test bed could not start: {exc}", pytrace=False)
    yield bed
    bed.stop()


@pytest.fixture(scope="session")
def saleor_store(saleor) -> Store:
    """A warehouse, a USD channel selling from it with shipping, a product type and a category."""
    return saleor.seed_store()
