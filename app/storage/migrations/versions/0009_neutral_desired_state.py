"""An order's desired and applied state name the app's fields without a platform's types: a
stored `metafields` of {key: [type, value]} becomes `fields` of {key: value} (the Shopify adapter
knows which metafield type each field has).

Revision ID: 0009
Revises: 0008
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# As 0008 left them: the Shopify metafield type of each field, for the way back.
TYPES = {"status": "single_line_text_field", "eta": "date", "lines": "json",
         "alternatives": "list.variant_reference", "alternative_reasons": "json"}


def upgrade() -> None:
    _rewrite(_to_fields)


def downgrade() -> None:
    _rewrite(_to_metafields)


def _rewrite(convert) -> None:
    conn = op.get_bind()
    table = sa.table("order_sync", sa.column("shop"), sa.column("order_id"),
                     sa.column("desired", sa.JSON()), sa.column("applied", sa.JSON()))
    rows = conn.execute(sa.select(table.c.shop, table.c.order_id, table.c.desired,
                                  table.c.applied)).all()
    for shop, order_id, desired, applied in rows:
        conn.execute(table.update().where(table.c.shop == shop, table.c.order_id == order_id)
                     .values(desired=convert(_json(desired)), applied=convert(_json(applied))))


def _to_fields(state: dict) -> dict:
    if "metafields" not in state:
        return state
    state = dict(state)
    state["fields"] = {key: pair[1] for key, pair in (state.pop("metafields") or {}).items()}
    return state


def _to_metafields(state: dict) -> dict:
    if "fields" not in state:
        return state
    state = dict(state)
    state["metafields"] = {key: [TYPES.get(key, "json"), value]
                           for key, value in (state.pop("fields") or {}).items()}
    return state


def _json(value) -> dict:
    if isinstance(value, str):
        value = json.loads(value)
    return value or {}
