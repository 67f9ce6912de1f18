"""Goodwill codes given for long waits (one per order), and the money side of a customer's
cancel or swap: refunded by the app, or owed and left to staff.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

from app.storage.types import UtcDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "goodwill_codes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("shop", sa.String(255), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=True),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("amount", sa.String(32), nullable=False),
        sa.Column("worth", sa.String(32), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("shop", "order_id", name="uq_goodwill_codes_order"),
    )
    op.create_index("ix_goodwill_codes_month", "goodwill_codes", ["shop", "month"])
    op.create_index("ix_goodwill_codes_customer_id", "goodwill_codes", ["customer_id"])
    with op.batch_alter_table("customer_actions") as batch:
        batch.add_column(sa.Column("refund", sa.String(16), nullable=True))
        batch.add_column(sa.Column("refund_note", sa.String(500), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("customer_actions") as batch:
        batch.drop_column("refund_note")
        batch.drop_column("refund")
    op.drop_index("ix_goodwill_codes_customer_id", table_name="goodwill_codes")
    op.drop_index("ix_goodwill_codes_month", table_name="goodwill_codes")
    op.drop_table("goodwill_codes")
