"""The customer's name and email on the mirrored order, for the admin's queue search, and what
the merchant did to an order from the admin: holds released by hand, customer updates asked
for, and the record of each action (who, when).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("customer_name", sa.String(255), nullable=True))
        batch.add_column(sa.Column("customer_email", sa.String(255), nullable=True))
        batch.add_column(sa.Column("holds_released_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("updates_asked", sa.Integer(), nullable=False,
                                   server_default="0"))
    op.create_table(
        "order_actions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("shop", sa.String(255), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_order_actions_order", "order_actions", ["shop", "order_id"])


def downgrade() -> None:
    op.drop_index("ix_order_actions_order", table_name="order_actions")
    op.drop_table("order_actions")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("updates_asked")
        batch.drop_column("holds_released_at")
        batch.drop_column("customer_email")
        batch.drop_column("customer_name")
