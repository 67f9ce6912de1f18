from datetime import date

import pytest

from app.domain.errors import InvalidInput
from app.domain.restock_csv import parse_restock_csv


def test_parses_rows_with_optional_columns():
    text = (
        "\ufeffSKU,variant_id,quantity,expected_date,location,reference\n"
        "TEE-S,,12,2026-04-01,Main,PO-7\n"
        ",gid://shopify/ProductVariant/9,3,2026-04-15,,\n"
        "\n"
    )
    rows = parse_restock_csv(text)
    assert [(r.line, r.sku, r.variant_id, r.quantity, r.expected_on) for r in rows] == [
        (2, "TEE-S", "", 12, date(2026, 4, 1)),
        (3, "", "gid://shopify/ProductVariant/9", 3, date(2026, 4, 15)),
    ]
    assert rows[0].location == "Main" and rows[0].reference == "PO-7"


def test_every_bad_row_is_reported_and_nothing_is_imported():
    text = (
        "sku,quantity,expected_date\n"
        "A,5,2026-04-01\n"
        ",5,2026-04-01\n"
        "B,0,2026-04-01\n"
        "C,2.5,2026-4-1\n"
        "D,3,2026-02-30\n"
        "E,3,2026-04-01,extra\n"
        "F,7,2026-04-02\n"
    )
    with pytest.raises(InvalidInput) as err:
        parse_restock_csv(text)
    errors = err.value.details["errors"]
    assert [e["line"] for e in errors] == [3, 4, 5, 6, 7]
    assert "sku or variant_id" in errors[0]["message"]
    assert "quantity" in errors[1]["message"]
    assert "quantity" in errors[2]["message"] and "expected_date" in errors[2]["message"]
    assert "expected_date" in errors[3]["message"]
    assert err.value.field == "file"
    assert err.value.to_dict()["errors"] == errors


def test_line_numbers_count_quoted_newlines():
    text = 'sku,quantity,expected_date,reference\nA,1,2026-04-01,"two\nlines"\nB,-1,2026-04-01,x\n'
    with pytest.raises(InvalidInput) as err:
        parse_restock_csv(text)
    assert err.value.details["errors"][0]["line"] == 4


def test_past_dates_are_refused_when_today_is_given():
    text = "sku,quantity,expected_date\nA,1,2026-03-01\nB,1,2026-03-10\n"
    with pytest.raises(InvalidInput) as err:
        parse_restock_csv(text, today=date(2026, 3, 4))
    assert [e["line"] for e in err.value.details["errors"]] == [2]
    assert len(parse_restock_csv(text)) == 2


@pytest.mark.parametrize(
    "header",
    ["quantity,expected_date", "sku,expected_date", "sku,quantity", "sku,quantity,expected_date,colour"],
)
def test_bad_headers(header):
    with pytest.raises(InvalidInput) as err:
        parse_restock_csv(header + "\n")
    assert err.value.details["errors"][0]["line"] == 1


def test_empty_file_is_refused():
    with pytest.raises(InvalidInput):
        parse_restock_csv("sku,quantity,expected_date\n\n")
