"""An order whose holds changed is marked, so the sync places holds before it writes tags and
fields: in a burst, a short line must not be picked while the store waits for the rest.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_sync") as batch:
        batch.add_column(sa.Column("holds_due", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_index("ix_order_sync_holds_due", "order_sync", ["shop", "holds_due"])


def downgrade() -> None:
    op.drop_index("ix_order_sync_holds_due", table_name="order_sync")
    with op.batch_alter_table("order_sync") as batch:
        batch.drop_column("holds_due")
