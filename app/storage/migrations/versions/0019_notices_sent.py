"""The customer's notices the platform took, one row per order and notice, for the admin's
count of messages sent per kind.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notices_sent",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("shop", sa.String(255), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("shop", "order_id", "key", name="uq_notices_sent_key"),
    )
    op.create_index("ix_notices_sent_time", "notices_sent", ["shop", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_notices_sent_time", table_name="notices_sent")
    op.drop_table("notices_sent")
