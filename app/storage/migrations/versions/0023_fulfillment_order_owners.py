"""The order each fulfillment order the app split or reopened belongs to. Fulfillment order
webhooks name fulfillment orders only; the app's own holds split fulfillment orders and its
releases reopen them, and the webhooks that announce those would otherwise each cost a read of
the platform to find their order.

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fulfillment_order_owners",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("fulfillment_order_id", sa.String(255), primary_key=True),
        sa.Column("order_id", sa.String(255), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("fulfillment_order_owners")
