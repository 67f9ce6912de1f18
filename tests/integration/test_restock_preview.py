"""The preview of a restock CSV import: the same checks as the import, an answer of what it would
create and change, and nothing written; an import after it writes what it said."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.storage.tables import Base
from tests.integration.test_admin_api import GOOD_CSV, LINE11, api, platform  # noqa: F401

PREVIEW = "/api/restocks/import?preview=1"


def snapshot(services) -> dict[str, list]:
    """Every row of every table, as sorted tuples: two snapshots are equal when nothing changed."""
    with services.db.transaction() as s:
        return {table.name: sorted(tuple(map(repr, row)) for row in s.execute(select(table)))
                for table in Base.metadata.sorted_tables}


def preview(api, text: str, query: str = "?preview=1"):
    return api.call("POST", f"/api/restocks/import{query}", data=text, content_type="text/csv")


def test_the_preview_answers_what_the_import_would_do_and_writes_nothing(api):
    before = snapshot(api.services)
    response = preview(api, GOOD_CSV)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["preview"] is True
    assert [(r["line"], r["variant"], r["quantity"], r["expected_date"], r["reference"])
            for r in body["rows"]] == [(2, "Tee - Blue", 4, "2026-11-24", "PO-9"),
                                       (3, "Tee - Red", 2, "2026-11-27", "")]
    blue, red = body["variants"]
    # Order #1 waits for 1 blue tee: the 4 coming on the 24th would fill it, a day sooner.
    assert blue == {"variant_id": "gid://shopify/ProductVariant/1", "variant": "Tee - Blue",
                    "restocks": 1, "units": 4, "waiting_lines": 1, "units_owed": 1,
                    "lines_filled": 1, "units_filled": 1, "eta_earlier": 1, "eta_later": 0}
    assert red["waiting_lines"] == 0 and red["lines_filled"] == 0 and red["units"] == 2
    assert body["totals"]["restocks"] == 2 and body["totals"]["lines_filled"] == 1
    assert snapshot(api.services) == before
    assert api.restocks() == [] and api.eta() == api.lead_time_eta


def test_an_import_after_the_preview_writes_what_the_preview_said(api):
    said = preview(api, GOOD_CSV).json
    response = api.call("POST", "/api/restocks/import", data=GOOD_CSV, content_type="text/csv")
    assert response.status_code == 201
    made = response.json["restocks"]
    keys = ("variant_id", "variant", "quantity", "expected_date", "source", "reference")
    assert [{k: r[k] for k in keys} for r in made] == [{k: r[k] for k in keys}
                                                       for r in said["rows"]]
    (line,) = [x for x in api.queue() if x["line_id"] == LINE11]
    assert line["eta"]["date"] < api.lead_time_eta  # the date the preview said would move earlier
    assert line["eta"]["source"] == "restock"


def test_a_bad_file_previews_the_same_errors_as_it_imports_and_writes_nothing(api):
    text = "sku,quantity,expected_date\nTEE-BLUE,4,2026-11-24\nGHOST,1,2026-11-24\n"
    before = snapshot(api.services)
    previewed = preview(api, text)
    assert previewed.status_code == 422 and previewed.json["field"] == "file"
    assert previewed.json["errors"] == [{"line": 3, "message": "unknown SKU 'GHOST'"}]
    assert snapshot(api.services) == before
    imported = api.call("POST", "/api/restocks/import", data=text, content_type="text/csv")
    assert imported.json["errors"] == previewed.json["errors"]


@pytest.mark.parametrize("query", ["?preview=yes", "?preview=2", "?preview="])
def test_a_bad_preview_flag_is_a_400_naming_it(api, query):
    before = snapshot(api.services)
    response = preview(api, GOOD_CSV, query)
    assert response.status_code == 400 and response.json["field"] == "preview"
    assert snapshot(api.services) == before


def test_a_preview_needs_a_session(api):
    response = api.client.post(PREVIEW, data=GOOD_CSV, content_type="text/csv")
    assert response.status_code == 401
