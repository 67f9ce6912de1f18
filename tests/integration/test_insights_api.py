"""The insights API over real planned data: series by day, owed by variant, promise accuracy,
and the reorder suggestions with their CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import event

from app.services import dashboard
from tests.conftest import SHOP
from tests.integration.test_install import session_token
from tests.integration.test_queue_api import V, api  # noqa: F401  (the fixture)


def get(api, path: str):  # noqa: F811
    return api.client.get(path, headers={"Authorization": f"Bearer {session_token(SHOP)}"})


def test_insights_series_cover_every_day_of_the_window(api):  # noqa: F811
    data = get(api, "/api/insights?days=7").json
    assert data["days"] == 7 and len(data["backorder_rate"]) == 7
    today = data["backorder_rate"][-1]
    assert today["date"] == "2026-11-20"
    assert (today["lines"], today["backordered"]) == (6, 5)
    assert len(data["eta_changes"]) == 7


def test_the_numbers_count_each_line_of_several_orders_once(api):  # noqa: F811
    m = get(api, "/api/metrics").json
    rate = m["backorder_rate"]
    assert (rate["lines"], rate["backordered_lines"], rate["orders"]) == (6, 5, 5)
    assert (m["open"]["lines"], m["open"]["units"]) == (5, 6)
    assert m["promise_accuracy"]["pending"] == 5


def test_units_owed_and_age_by_variant(api, clock):  # noqa: F811
    clock.advance(days=2)
    rows = {row["sku"]: row for row in get(api, "/api/insights").json["by_variant"]}
    assert set(rows) == {"TEE-BLUE", "TEE-RED"}  # the caps owe nothing
    assert (rows["TEE-BLUE"]["units_owed"], rows["TEE-BLUE"]["lines"]) == (4, 3)
    assert rows["TEE-BLUE"]["oldest_age_days"] == 2 and rows["TEE-BLUE"]["variant"] == "Tee - Blue"


def test_reorder_suggestions_take_off_incoming_and_add_safety_stock(api):  # noqa: F811
    api.services.restocks.create(SHOP, {"sku": "TEE-BLUE", "quantity": 3,
                                        "expected_date": "2026-12-01"})
    rows = get(api, "/api/insights?safety_stock=2").json["reorder"]
    found = {row["sku"]: (row["owed"], row["incoming"], row["suggested"]) for row in rows}
    assert found == {"TEE-BLUE": (4, 3, 3), "TEE-RED": (2, 0, 4)}
    assert [row["sku"] for row in rows] == ["TEE-RED", "TEE-BLUE"]  # the largest first


def test_the_page_gets_the_largest_of_each_list_and_the_csv_has_every_suggestion(
        api, monkeypatch):  # noqa: F811
    monkeypatch.setattr(dashboard, "VARIANTS_SHOWN", 1)
    monkeypatch.setattr(dashboard, "REORDER_SHOWN", 1)
    data = get(api, "/api/insights").json
    assert [row["sku"] for row in data["by_variant"]] == ["TEE-BLUE"]  # owes 4, the red tee 2
    assert data["variants_waiting"] == 2
    assert [row["sku"] for row in data["reorder"]] == ["TEE-BLUE"] and data["reorder_total"] == 2
    rows = list(csv.DictReader(io.StringIO(
        get(api, "/api/insights/reorder.csv").get_data(as_text=True))))
    assert [(r["sku"], r["suggested"]) for r in rows] == [("TEE-BLUE", "4"), ("TEE-RED", "2")]


def test_the_reorder_csv_is_the_same_table(api):  # noqa: F811
    response = get(api, "/api/insights/reorder.csv?safety_stock=1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {(r["sku"], r["suggested"]) for r in rows} == {("TEE-BLUE", "5"), ("TEE-RED", "3")}
    assert all(r["variant_id"] in (V.format(1), V.format(2)) for r in rows)


@pytest.mark.parametrize("path,field", [
    ("/api/insights?days=1", "days"), ("/api/insights?safety_stock=lots", "safety_stock"),
    ("/api/insights/reorder.csv?safety_stock=-3", "safety_stock"), ("/api/insights?x=1", "x"),
])
def test_bad_insights_parameters_are_400(api, path, field):  # noqa: F811
    response = get(api, path)
    assert response.status_code == 400 and response.json["field"] == field


def test_insights_need_a_session_token(api):  # noqa: F811
    assert api.client.get("/api/insights").status_code == 401
    assert api.client.get("/api/insights/reorder.csv").status_code == 401


def test_the_numbers_read_order_lines_through_indexes_alone(api):  # noqa: F811
    """Each of a shop's many lines is counted, so a read of the lines' table itself for each would
    cost a big shop seconds: on SQLite every read of `order_lines` behind the numbers and the
    insights is a covering index's (the plan says so whatever the data)."""
    engine = api.services.db._reader
    if engine.dialect.name != "sqlite":
        pytest.skip("the query plans checked are SQLite's; PostgreSQL plans by its statistics")
    seen: list[tuple[str, tuple]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "order_lines" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        for path in ("/api/metrics", "/api/insights", "/api/insights?days=90&safety_stock=1"):
            assert get(api, path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert len(seen) >= 6
    with engine.connect() as conn:
        for statement, parameters in seen:
            plan = [row[-1] for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters)]
            reads = [step for step in plan if " order_lines " in f"{step} "]
            assert reads and all("COVERING INDEX" in step for step in reads), (statement, plan)
