"""The money a cancel's refund sends back, as read from `Order.suggestedRefund`."""

from __future__ import annotations

from decimal import Decimal

from app.platforms.shopify.gateway import _suggested_money

ORDER = "gid://shopify/Order/1"


def money(amount: str, presentment: str = "USD") -> dict:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"},
            "presentmentMoney": {"amount": amount, "currencyCode": presentment}}


def suggested(amount: str, *transactions: tuple[str, str, str]) -> dict:
    return {"amountSet": money(amount), "suggestedTransactions": [
        {"kind": "SUGGESTED_REFUND", "gateway": "bogus", "amountSet": money(share, presentment),
         "parentTransaction": {"id": parent, "gateway": "bogus"}}
        for parent, share, presentment in transactions]}


def test_the_suggested_transactions_are_sent_as_refunds_of_their_parents():
    sent, total, left = _suggested_money(ORDER, suggested("12.50", ("s1", "10.00", "USD"),
                                                          ("s2", "2.50", "USD")))
    assert sent == [{"orderId": ORDER, "parentId": "s1", "kind": "REFUND", "gateway": "bogus",
                     "amount": "10.00"},
                    {"orderId": ORDER, "parentId": "s2", "kind": "REFUND", "gateway": "bogus",
                     "amount": "2.50"}]
    assert (total, left) == (Decimal("12.50"), None)


def test_no_payment_part_of_it_or_another_currency_is_a_reason():
    assert _suggested_money(ORDER, suggested("5.00")) == (
        [], Decimal(0), "the order has no payment to refund from")
    sent, total, left = _suggested_money(ORDER, suggested("5.00", ("s1", "2.00", "USD")))
    assert (len(sent), total, left) == (1, Decimal("2.00"), "only 2.00 of 5.00 was left of the "
                                                            "payment to refund")
    _, total, left = _suggested_money(ORDER, suggested("5.00", ("s1", "5.00", "EUR")))
    assert total == 0 and "another currency" in left


def test_nothing_to_refund_is_no_money_left():
    assert _suggested_money(ORDER, suggested("0.00")) == ([], Decimal(0), None)
