"""What is still to do, counted in the tables that hold it."""

from __future__ import annotations

from sqlalchemy import func, select

from app.storage.db import Tx
from app.storage.tables import ObjectSync, OrderSync, WebhookReceipt


def counts(tx: Tx) -> tuple[int, int, int]:
    """Deliveries recorded but not yet processed, and order and object writes the platform does
    not have yet. Each count reads an index (`processed_at`, `(shop, pending)`)."""
    webhooks = tx.scalar(select(func.count()).select_from(WebhookReceipt)
                         .where(WebhookReceipt.processed_at.is_(None)))
    orders = tx.scalar(select(func.count()).select_from(OrderSync).where(OrderSync.pending))
    objects = tx.scalar(select(func.count()).select_from(ObjectSync).where(ObjectSync.pending))
    return webhooks or 0, orders or 0, objects or 0
