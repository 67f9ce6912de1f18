"""The insights page's figures and the reorder suggestions, as pure functions."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from app.domain.errors import BadParameter
from app.domain.insights import (
    backorder_rate_by_day,
    eta_changes_by_day,
    owed_by_variant,
    parse_insights_query,
    reorder_csv,
    reorder_suggestions,
)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def test_reorder_is_owed_less_incoming_plus_safety_stock_never_below_zero():
    rows = reorder_suggestions({"a": 10, "b": 2}, {"a": 4, "c": 5}, safety_stock=3)
    assert [(r["variant_id"], r["owed"], r["incoming"], r["suggested"]) for r in rows] == [
        ("a", 10, 4, 9), ("b", 2, 0, 5), ("c", 0, 5, 0)]


def test_reorder_csv_has_a_header_and_defuses_formulas():
    text = reorder_csv([{"sku": "=HYPERLINK(1)", "variant": "Tee - Blue", "variant_id": "v1",
                         "owed": 3, "incoming": 1, "safety_stock": 0, "suggested": 2}])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["sku", "variant", "variant_id", "owed", "incoming", "safety_stock",
                       "suggested"]
    assert rows[1] == ["'=HYPERLINK(1)", "Tee - Blue", "v1", "3", "1", "0", "2"]


def test_backorder_rate_by_day_counts_each_day_and_leaves_empty_days_blank():
    series = backorder_rate_by_day([(at(18), True), (at(18), False), (at(20), False)],
                                   date(2026, 11, 18), date(2026, 11, 20))
    assert [(d["date"], d["lines"], d["backordered"], d["rate"]) for d in series] == [
        ("2026-11-18", 2, 1, 0.5), ("2026-11-19", 0, 0, None), ("2026-11-20", 1, 0, 0.0)]


def test_eta_changes_by_day_counts_moves_not_promises():
    series = eta_changes_by_day([(at(19), "later: restock moved"), (at(19), "earlier: stock"),
                                 (at(19), "promised: order #1"), (at(20), "later: slip")],
                                date(2026, 11, 19), date(2026, 11, 20))
    assert [(d["later"], d["earlier"]) for d in series] == [(1, 1), (1, 0)]


def test_owed_by_variant_gives_units_lines_and_the_oldest_wait():
    figures = owed_by_variant([("a", 3, 2, date(2026, 11, 10)), ("b", 4, 1, date(2026, 11, 20))],
                              date(2026, 11, 20))
    assert figures["a"] == {"units_owed": 3, "lines": 2, "oldest_age_days": 10}
    assert figures["b"]["oldest_age_days"] == 0


@pytest.mark.parametrize("args,field", [
    ({"days": "6"}, "days"), ({"days": "366"}, "days"), ({"days": "x"}, "days"),
    ({"safety_stock": "-1"}, "safety_stock"), ({"safety_stock": "9" * 40}, "safety_stock"),
    ({"weeks": "2"}, "weeks"),
])
def test_bad_insights_parameters_are_named(args, field):
    with pytest.raises(BadParameter) as error:
        parse_insights_query(args)
    assert error.value.field == field


def test_insights_parameters_default_to_30_days_and_no_safety_stock():
    query = parse_insights_query({})
    assert (query.days, query.safety_stock) == (30, 0)
    assert parse_insights_query({"days": "90", "safety_stock": "5"}).safety_stock == 5


def test_the_series_take_rows_counted_by_day_as_the_database_sums_them():
    from datetime import date as day_of

    start = end = day_of(2026, 11, 18)
    counted = backorder_rate_by_day([(start, True, 3), (start, False, 1)], start, end)
    assert counted == [{"date": "2026-11-18", "lines": 4, "backordered": 3, "rate": 0.75}]
    moved = eta_changes_by_day([(start, "later: restock changed", 2),
                                (start, "earlier: restocks imported", 5),
                                (start, "new: order", 9)], start, end)
    assert moved == [{"date": "2026-11-18", "later": 2, "earlier": 5}]
