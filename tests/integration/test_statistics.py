"""Every hour the worker has SQLite count its tables and indexes, so the query planner picks the
index that narrows a read (without counts it takes any index that starts with the shop)."""

from __future__ import annotations

from sqlalchemy import text

from tests.integration.test_oauth_states import run_periodic
from tests.integration.test_queue_api import api  # noqa: F401  (the fixture)


def test_the_hourly_job_counts_what_the_lines_indexes_hold(api):  # noqa: F811
    db = api.services.db
    run_periodic(api.services, "refresh_statistics")
    if not db.is_sqlite:
        return  # PostgreSQL keeps its own counts: the job leaves it alone, and must not fail
    with db.read() as s:
        counted = dict(s.execute(text(
            "SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'order_lines'")).all())
    assert {"ix_order_lines_waiting", "ix_order_lines_ordered", "ix_order_lines_variant"} <= set(counted)
    assert counted["ix_order_lines_waiting"].split()[0] == "5"  # the five lines waiting
