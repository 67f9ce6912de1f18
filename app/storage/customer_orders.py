"""What a customer's own page reads: their orders' lines that went short, with their dates, the
history of those dates, and the variants offered instead. Always by shop and customer: nothing
here can read another customer's order."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Row, select

from app.storage.db import Tx
from app.storage.tables import EtaChangeRow, Order, OrderLine, Variant


def short_lines(tx: Tx, shop: str, customer_id: str) -> list[Row]:
    """The customer's open order lines that were ever backordered, newest order first."""
    return list(tx.execute(
        select(Order.order_id, Order.name, Order.created_at, OrderLine.line_id, OrderLine.title,
               OrderLine.open_quantity, OrderLine.covered, OrderLine.backordered,
               OrderLine.eta, OrderLine.eta_earliest, OrderLine.eta_latest, OrderLine.eta_slipped,
               OrderLine.alternatives)
        .join(OrderLine, (OrderLine.shop == Order.shop) & (OrderLine.order_id == Order.order_id))
        .where(Order.shop == shop, Order.customer_id == customer_id,
               Order.cancelled_at.is_(None), OrderLine.backordered_at.is_not(None),
               OrderLine.open_quantity > 0)
        .order_by(Order.created_at.desc(), OrderLine.line_id)))


def eta_history(tx: Tx, shop: str, line_ids: Iterable[str]) -> list[Row]:
    """Every change of these lines' dates, oldest first."""
    return list(tx.execute(
        select(EtaChangeRow.line_id, EtaChangeRow.old_eta, EtaChangeRow.new_eta,
               EtaChangeRow.reason, EtaChangeRow.changed_at)
        .where(EtaChangeRow.shop == shop, EtaChangeRow.line_id.in_(list(line_ids)))
        .order_by(EtaChangeRow.changed_at, EtaChangeRow.id)))


def variant_titles(tx: Tx, shop: str, variant_ids: Iterable[str]) -> dict[str, str]:
    rows = tx.execute(select(Variant.variant_id, Variant.product_title, Variant.title)
                      .where(Variant.shop == shop, Variant.variant_id.in_(list(variant_ids))))
    return {v: f"{product} – {title}" if title and title != "Default Title" else product
            for v, product, title in rows}
