"""Stock readings say how exact their time is; variants say whether they are tracked; orders keep
their number, which orders the queue within one second.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exact", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("unsettled", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tracked", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("number")
    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.drop_column("tracked")
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.drop_column("unsettled")
        batch_op.drop_column("exact")
