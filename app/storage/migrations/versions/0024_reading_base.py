"""Each stock level keeps the reading it had before its current second: what the current
second's readings took out of it bounds how many lines of that second they include.

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

import app.storage.types

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base_available", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("base_at", app.storage.types.UtcDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.drop_column("base_at")
        batch_op.drop_column("base_available")
