"""A second platform: every shop row says which platform it is on, and a Saleor install keeps
what its webhooks and Dashboard tokens are checked with (the app's id there and the cached JWKS).

A Saleor install is a shop whose key is its GraphQL API URL, so planning, queue and settings work
on it unchanged.

A variant whose platform count does not take out what orders hold (a Saleor variant sold without
tracking: its quantity is the stock on hand as last set) counts the units shipped since that
count itself; a line keeps how many of its units were shipped.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from app.storage.types import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("platform", sa.String(length=16), nullable=False,
                                      server_default="shopify"))
    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counts_orders", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column("shipped_since", sa.Integer(), nullable=False,
                                      server_default="0"))
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shipped", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "saleor_installs",
        sa.Column("shop", sa.String(length=255), sa.ForeignKey("shops.shop", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("app_id", sa.String(length=255), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False, server_default=""),
        sa.Column("schema_version", sa.String(length=16), nullable=False, server_default=""),
        sa.Column("jwks", sa.JSON(), nullable=False),
        sa.Column("jwks_fetched_at", UtcDateTime(), nullable=False),
        sa.Column("webhook_secret", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("saleor_installs")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("shipped")
    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.drop_column("shipped_since")
        batch_op.drop_column("counts_orders")
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.drop_column("platform")
