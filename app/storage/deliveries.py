"""Webhook receipts as intake records them and the worker processes them, their failed attempts,
and the shops they come from as far as intake and the worker look at them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.storage.dead_letters import ReceiptFailure
from app.storage.tables import Shop, WebhookReceipt


class FailureRace(Exception):
    """Another worker wrote the receipt's first failure at the same time: count it again."""


# The shops deliveries come from


def shop_installed(tx: Session, shop: str) -> bool | None:
    """Whether the shop is installed; None when we hold no row of it. One column: it is read
    on the webhook hot path."""
    return tx.scalar(select(Shop.installed).where(Shop.shop == shop))


# Receipts


def any_unqueued(tx: Session) -> bool:
    """Whether a receipt waits to be taken into the job queue (a read of the small index of
    those, so an idle worker can ask often)."""
    return tx.scalar(select(WebhookReceipt.id).where(WebhookReceipt.queued_at.is_(None))
                     .limit(1)) is not None


def take_unqueued(tx: Session, at: datetime, limit: int) -> list[int]:
    """Marks up to `limit` receipts not yet taken as taken, oldest first, and returns their ids.
    The outer condition is checked again on each row once it is locked, so two workers taking at
    once never both take one receipt."""
    waiting = (select(WebhookReceipt.id).where(WebhookReceipt.queued_at.is_(None))
               .order_by(WebhookReceipt.id).limit(limit))
    taken = tx.scalars(
        update(WebhookReceipt)
        .where(WebhookReceipt.id.in_(waiting.scalar_subquery()),
               WebhookReceipt.queued_at.is_(None))
        .values(queued_at=at).returning(WebhookReceipt.id))
    return sorted(taken)


def receipt(tx: Session, receipt_id: int) -> WebhookReceipt | None:
    return tx.get(WebhookReceipt, receipt_id)


def receipt_for_update(tx: Session, receipt_id: int) -> WebhookReceipt | None:
    """Locked, so two workers given the same receipt handle it once."""
    return tx.get(WebhookReceipt, receipt_id, with_for_update=True)


def unprocessed(tx: Session, older_than: datetime, limit: int) -> list[int]:
    """Receipts received before `older_than`, taken into the job queue and not processed, oldest
    first, dead letters left out. Those not taken yet wait for a worker to take them."""
    dead = select(ReceiptFailure.receipt_id).where(ReceiptFailure.dead_at.is_not(None))
    return list(tx.scalars(
        select(WebhookReceipt.id)
        .where(WebhookReceipt.processed_at.is_(None), WebhookReceipt.received_at < older_than,
               WebhookReceipt.queued_at.is_not(None),
               WebhookReceipt.id.not_in(dead))
        .order_by(WebhookReceipt.id).limit(limit)))


def mark_processed(tx: Session, receipt_id: int, at: datetime, outcome: str) -> None:
    """The payload is dropped with the mark."""
    tx.execute(
        update(WebhookReceipt).where(WebhookReceipt.id == receipt_id)
        .values(processed_at=at, outcome=outcome, payload=None))


# Failed attempts


def failure_for_update(tx: Session, receipt_id: int) -> ReceiptFailure | None:
    return tx.get(ReceiptFailure, receipt_id, with_for_update=True)


def add_failure(tx: Session, failure: ReceiptFailure) -> None:
    """A receipt's first failure, written at once: FailureRace when another worker's came
    first."""
    tx.add(failure)
    try:
        tx.flush()
    except IntegrityError as exc:
        raise FailureRace(f"receipt {failure.receipt_id} failed in two workers at once") from exc


def dead_letters(tx: Session, shop: str) -> list[tuple[WebhookReceipt, ReceiptFailure]]:
    """The shop's dead receipts not processed since, each with its failures, oldest first."""
    return list(tx.execute(
        select(WebhookReceipt, ReceiptFailure)
        .join(ReceiptFailure, ReceiptFailure.receipt_id == WebhookReceipt.id)
        .where(ReceiptFailure.shop == shop, ReceiptFailure.dead_at.is_not(None),
               WebhookReceipt.processed_at.is_(None))
        .order_by(WebhookReceipt.id)).tuples())
