"""Webhook receipts lose two indexes that every insert paid for and nothing reads by.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_receipts_event_id")
        batch_op.drop_index("ix_webhook_receipts_shop")


def downgrade() -> None:
    with op.batch_alter_table("webhook_receipts", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_receipts_shop", ["shop"], unique=False)
        batch_op.create_index("ix_webhook_receipts_event_id", ["event_id"], unique=False)
