"""Platform writes that are not an order's go through the same converge loop: per object (a
variant's inventory policy for caps, a product's pinned substitutes), the state wanted and the
state last applied, pending until the platform has it.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "object_sync",
        sa.Column("shop", sa.String(length=255), primary_key=True),
        sa.Column("kind", sa.String(length=32), primary_key=True),
        sa.Column("object_id", sa.String(length=255), primary_key=True),
        sa.Column("desired", sa.JSON(), nullable=False),
        sa.Column("applied", sa.JSON(), nullable=True),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_object_sync_pending", "object_sync", ["shop", "pending"])


def downgrade() -> None:
    op.drop_index("ix_object_sync_pending", table_name="object_sync")
    op.drop_table("object_sync")
