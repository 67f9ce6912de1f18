"""Failed attempts at handling a webhook receipt, and its dead-letter state: a receipt whose
handler keeps failing stops being re-queued until the merchant retries it.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from app.storage.types import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_failures",
        sa.Column("receipt_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  sa.ForeignKey("webhook_receipts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("shop", sa.String(length=255), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failed_at", UtcDateTime(), nullable=False),
        sa.Column("dead_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_webhook_failures_shop", "webhook_failures", ["shop"])


def downgrade() -> None:
    op.drop_index("ix_webhook_failures_shop", table_name="webhook_failures")
    op.drop_table("webhook_failures")
