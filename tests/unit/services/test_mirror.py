"""The mirror's reading of platform payloads and stock readings, against the platform facts they
rest on (reference: shopify-fidelity.md, facts 1, 3, 4, 14, 15 and 20's neighbours on timing)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from app.platforms.shopify import payloads
from app.services import mirror
from app.services.backorders import edit_stamped
from app.services.ports import StockReading
from app.storage.tables import StockLevel

PAYLOADS = Path(__file__).resolve().parents[2] / "fixtures" / "payloads-2026-07"
T = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)


def item(line_id: int, **fields) -> dict:
    base = {"id": line_id, "variant_id": 7, "quantity": 2, "current_quantity": 2,
            "fulfillable_quantity": 2, "requires_shipping": True, "gift_card": False,
            "variant_inventory_management": "shopify", "name": "Tee"}
    return {**base, **fields}


def order(*items: dict, **fields) -> dict:
    return {"id": 1, "name": "#1001", "order_number": 1001, "created_at": "2026-11-20T12:00:00Z",
            "updated_at": "2026-11-20T12:00:05Z", "customer": {"id": 5}, "line_items": list(items),
            **fields}


def test_a_held_line_still_owes_its_units():
    """A hold makes `fulfillable_quantity` 0; the units are still owed."""
    (line,) = payloads.parse_order(order(item(1, fulfillable_quantity=0))).lines
    assert line.open_quantity == 2


def test_owed_units_are_current_quantity_minus_fulfilled():
    payload = order(item(1, quantity=3, current_quantity=2, fulfillable_quantity=0),
                    fulfillments=[{"status": "success", "line_items": [{"id": 1, "quantity": 1}]},
                                  {"status": "cancelled", "line_items": [{"id": 1, "quantity": 1}]}])
    (line,) = payloads.parse_order(payload).lines
    assert line.open_quantity == 1  # 3 ordered, 1 refunded or edited out, 1 shipped


def test_lines_that_never_wait_on_stock_are_left_out():
    payload = order(item(1), item(2, variant_id=None), item(3, requires_shipping=False),
                    item(4, gift_card=True), item(5, variant_inventory_management=None))
    assert [line.line_id for line in payloads.parse_order(payload).lines] == [
        "gid://shopify/LineItem/1"]


def test_customer_tags_are_unknown_from_a_webhook_and_the_number_is_kept():
    parsed = payloads.parse_order(order(item(1)))
    assert parsed.customer_tags is None and parsed.number == 1001 and parsed.customer_id == "5"


def test_the_2026_07_sample_parses_and_its_untracked_custom_line_waits_for_nothing():
    sample = json.loads((PAYLOADS / "orders_create.json").read_text())
    body = sample.get("response", sample)
    parsed = payloads.parse_order(body)
    assert parsed.order_id == body["admin_graphql_api_id"]
    assert parsed.lines == ()  # its lines have no variant and no tracked inventory
    assert (parsed.customer_name, parsed.customer_email) == ("John Smith", "john@example.com")


def test_the_customer_is_named_by_the_address_when_the_names_are_blank():
    parsed = payloads.parse_order(order(item(1), customer={
        "id": 5, "first_name": None, "last_name": " ", "default_address": {"name": "Ada L"}}))
    assert (parsed.customer_name, parsed.customer_email) == ("Ada L", "")


def test_a_guests_details_are_not_kept():
    """Redaction names the customer by id: what a guest left has nothing to be erased by."""
    parsed = payloads.parse_order(order(item(1), customer=None, email="guest@example.com"))
    assert (parsed.customer_id, parsed.customer_name, parsed.customer_email) == (None, "", "")


def test_lines_added_by_an_edit_are_stamped_with_the_edit():
    parsed = payloads.parse_order(order(item(1), item(2)))
    edit = {"committed_at": "2026-11-20T13:30:00-05:00",
            "line_items": {"additions": [{"id": 2, "delta": 2}], "removals": []}}
    parsed_edit = payloads.parse_order_edit({"order_edit": edit})
    first, added = edit_stamped(parsed, parsed_edit.committed_at, parsed_edit.added_line_ids).lines
    assert first.committed_at is None
    assert added.committed_at == datetime(2026, 11, 20, 18, 30, tzinfo=UTC)


def test_our_own_read_is_exact_when_nothing_changed_yet_in_its_second():
    reading = StockReading("v", "i", "l", 3, updated_at=datetime(2026, 11, 20, 11, 59, 59, tzinfo=UTC))
    stamp = mirror.read_stamp(reading, T.replace(microsecond=500_000))
    assert (stamp.at, stamp.exact) == (T, True)


def test_our_own_read_in_a_busy_second_is_as_of_the_level_change():
    changed = T.replace(microsecond=0)
    reading = StockReading("v", "i", "l", 3, updated_at=changed)
    stamp = mirror.read_stamp(reading, T.replace(microsecond=800_000))
    assert (stamp.at, stamp.exact) == (changed, False)


def level(available: int, at: datetime, exact: bool = False) -> StockLevel:
    return StockLevel(available=available, updated_at=at, exact=exact)


def test_readings_are_ordered_by_their_seconds_not_by_arrival():
    webhook = mirror.Stamp(T)
    assert mirror._verdict(level(5, T.replace(second=1)), webhook, 4) == mirror.DROP
    assert mirror._verdict(level(5, T.replace(minute=0, second=0, hour=11)), webhook, 4) == mirror.TAKE


def test_two_webhooks_of_one_second_that_disagree_cannot_be_ordered():
    assert mirror._verdict(level(5, T), mirror.Stamp(T), 4) == mirror.CONFLICT
    assert mirror._verdict(level(5, T), mirror.Stamp(T), 5) == mirror.SAME


def test_a_webhook_in_the_second_of_an_exact_read_came_after_it():
    assert mirror._verdict(level(5, T, exact=True), mirror.Stamp(T), 4) == mirror.TAKE
    exact_read = mirror.Stamp(T, exact=True, read=True)
    assert mirror._verdict(level(4, T), exact_read, 5) == mirror.DROP
    busy_read = mirror.Stamp(T, read=True)
    assert mirror._verdict(level(4, T), busy_read, 5) == mirror.TAKE
