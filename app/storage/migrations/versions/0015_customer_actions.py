"""What customers did to their orders from their page: one row per form sent, so a double click
does one edit.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from app.storage.types import UtcDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_actions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("shop", sa.String(255), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=True),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("line_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("to_variant_id", sa.String(100), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("shop", "key", name="uq_customer_actions_key"),
    )
    op.create_index("ix_customer_actions_customer_id", "customer_actions", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_customer_actions_customer_id", table_name="customer_actions")
    op.drop_table("customer_actions")
