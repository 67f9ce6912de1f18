"""Failed attempts at handling a webhook receipt, and the dead-letter state they end in.

Kept beside the receipts rather than on them: a receipt row is written on the webhook hot path,
and only the rare receipt whose handler fails ever gets a row here. The table has a `shop`
column, so purging a shop removes its rows with everything else."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.tables import Base
from app.storage.types import UtcDateTime


class ReceiptFailure(Base):
    """How often a receipt's handler failed, the last error, and since when it is dead: a dead
    receipt is no longer re-queued until the merchant retries it."""

    __tablename__ = "webhook_failures"

    receipt_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("webhook_receipts.id", ondelete="CASCADE"), primary_key=True)
    shop: Mapped[str] = mapped_column(String(255), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    dead_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
