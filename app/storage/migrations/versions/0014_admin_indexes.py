"""Indexes for the admin's queue views on a big shop: one variant's lines, the lines in order
time, and the lines whose priority the merchant moved. None of these columns is written by a
plan (a plan rewrites a line's units, ticket and dates), so re-planning does not maintain them.

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_order_lines_variant", "order_lines", ["shop", "variant_id"])
    op.create_index("ix_order_lines_ordered", "order_lines", ["shop", "ordered_at"])
    op.create_index("ix_order_lines_priority", "order_lines", ["shop", "manual_priority"])


def downgrade() -> None:
    op.drop_index("ix_order_lines_priority", table_name="order_lines")
    op.drop_index("ix_order_lines_ordered", table_name="order_lines")
    op.drop_index("ix_order_lines_variant", table_name="order_lines")
