"""Webhook receipts are deduplicated on the event id (per shop and topic), as Shopify says
duplicates are recognised; the webhook id stays as a record. Receipts without an event id take
their webhook id, as new deliveries without the header do.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE webhook_receipts SET event_id = webhook_id WHERE event_id IS NULL")
    with op.batch_alter_table("webhook_receipts", schema=None) as batch_op:
        batch_op.alter_column("event_id", existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_constraint("uq_webhook_receipts_webhook_id", type_="unique")
        batch_op.create_unique_constraint("uq_webhook_receipts_event",
                                          ["shop", "topic", "event_id"])


def downgrade() -> None:
    with op.batch_alter_table("webhook_receipts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_webhook_receipts_event", type_="unique")
        batch_op.create_unique_constraint("uq_webhook_receipts_webhook_id", ["webhook_id"])
        batch_op.alter_column("event_id", existing_type=sa.String(length=255), nullable=True)
