"""Intake records a delivery with one insert: the receipt is the queue entry. A worker takes the
receipts not taken yet (`queued_at` unset) into the job queue. Receipts already there were queued
by the intake that recorded them.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from app.storage.types import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_receipts") as batch:
        batch.add_column(sa.Column("queued_at", UtcDateTime(timezone=True), nullable=True))
    op.execute("UPDATE webhook_receipts SET queued_at = received_at")
    op.create_index("ix_webhook_receipts_unqueued", "webhook_receipts", ["id"],
                    sqlite_where=sa.text("queued_at IS NULL"),
                    postgresql_where=sa.text("queued_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_webhook_receipts_unqueued", table_name="webhook_receipts")
    with op.batch_alter_table("webhook_receipts") as batch:
        batch.drop_column("queued_at")
