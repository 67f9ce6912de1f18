"""Which kinds of notice a shop listens to: on Shopify, the kinds whose Flow trigger starts one
of the shop's enabled workflows, as Flow's lifecycle callbacks say. A row may name something
other than a kind ("*", or a trigger the app does not know): while any such row listens, so
do the kinds without a row of their own. A shop installed before the app heard those callbacks
gets a "*" row that listens, so its notices go on as before until Flow says otherwise.

Revision ID: 0022
Revises: 0021
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

EVERY_KIND = "*"


def upgrade() -> None:
    listeners = op.create_table(
        "notice_listeners",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("kind", sa.String(255), primary_key=True),
        sa.Column("listening", sa.Boolean(), nullable=False),
        sa.Column("stamped_at", sa.DateTime(timezone=True), nullable=False),
    )
    shops = op.get_bind().execute(sa.text("SELECT shop FROM shops")).scalars().all()
    if shops:
        since = datetime(1970, 1, 1, tzinfo=UTC)  # any callback is newer
        op.bulk_insert(listeners, [{"shop": shop, "kind": EVERY_KIND, "listening": True,
                                    "stamped_at": since} for shop in shops])


def downgrade() -> None:
    op.drop_table("notice_listeners")
