"""The admin's numbers at 100,000 lines read indexes that hold what they count, not the lines:

- `ix_order_lines_ordered` (shop, ordered_at) also holds when each line went short and its order,
  so the backorder rate by day is counted from the index alone;
- `ix_order_lines_promised` holds each line's first date, when it was filled and its order, for
  promise accuracy;
- `ix_order_lines_waiting` holds the open lines with units owed (a partial index), with their
  variant, when they went short and what they owe, for the units owed by variant and the
  waiting age;
- `ix_eta_changes_time` is ordered by reason before time: the numbers count only dates moved
  later or earlier, a few among the many first promises, and find them by their reason.

Plans write `backordered`, `backordered_at`, `first_eta` and `filled_at`, so these indexes cost
a little on the write of each line a plan changes.

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

WAITING = "backordered > 0 AND open_quantity > 0"

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_order_lines_ordered", table_name="order_lines")
    op.create_index("ix_order_lines_ordered", "order_lines",
                    ["shop", "ordered_at", "backordered_at", "order_id"])
    op.create_index("ix_order_lines_promised", "order_lines",
                    ["shop", "first_eta", "filled_at", "order_id"])
    op.create_index("ix_order_lines_waiting", "order_lines",
                    ["shop", "variant_id", "backordered_at", "backordered", "open_quantity",
                     "order_id"],
                    sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
    op.drop_index("ix_eta_changes_time", table_name="eta_changes")
    op.create_index("ix_eta_changes_time", "eta_changes", ["shop", "reason", "changed_at"])


def downgrade() -> None:
    op.drop_index("ix_eta_changes_time", table_name="eta_changes")
    op.create_index("ix_eta_changes_time", "eta_changes", ["shop", "changed_at", "reason"])
    op.drop_index("ix_order_lines_waiting", table_name="order_lines")
    op.drop_index("ix_order_lines_promised", table_name="order_lines")
    op.drop_index("ix_order_lines_ordered", table_name="order_lines")
    op.create_index("ix_order_lines_ordered", "order_lines", ["shop", "ordered_at"])
