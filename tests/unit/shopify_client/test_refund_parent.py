"""Which payment of an order a money refund is made from, as read from `Order.transactions`."""

from __future__ import annotations

from decimal import Decimal

from app.platforms.shopify.gateway import _refund_parent


def payment(id_: str, kind: str, amount: str, status: str = "SUCCESS", parent: str | None = None,
            presentment: str = "USD") -> dict:
    return {"id": id_, "kind": kind, "status": status, "gateway": "bogus",
            "amountSet": {"shopMoney": {"amount": amount, "currencyCode": "USD"},
                          "presentmentMoney": {"amount": amount, "currencyCode": presentment}},
            "parentTransaction": {"id": parent} if parent else None}


def test_the_successful_sale_or_capture_with_most_left_is_the_parent():
    transactions = [payment("s1", "SALE", "20.00"), payment("r1", "REFUND", "15.00", parent="s1"),
                    payment("c1", "CAPTURE", "10.00"), payment("s2", "SALE", "99.00", "FAILURE")]
    assert _refund_parent(transactions, Decimal("8.00"))["id"] == "c1"


def test_no_payment_too_little_left_or_another_currency_is_a_reason():
    assert "no payment" in _refund_parent([payment("a1", "AUTHORIZATION", "9.00")], Decimal(1))
    spent = [payment("s1", "SALE", "5.00"), payment("r1", "REFUND", "4.50", parent="s1")]
    assert _refund_parent(spent, Decimal("1.00")).startswith("only 0.50")
    assert "another currency" in _refund_parent([payment("s1", "SALE", "5.00", presentment="EUR")],
                                                Decimal(1))
