"""Planning keeps enough state to skip work: per pool, the units covered, the open units, the
waiting lines, the key of the queue's last line and the offset of its queue tickets; per line,
what the store was last told of it. Lines are indexed by pool and time, so the lines of a pool
newer than a stock reading are found without a scan.

A line's stored queue place becomes a ticket: its position plus its pool's offset, so filling the
head of a queue moves the offset instead of rewriting every waiting line.

Revision ID: 0006
Revises: 0005
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.alter_column("queue_position", new_column_name="queue_ticket")
        batch_op.add_column(sa.Column("told_ready", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("told_quantity", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.drop_index("ix_order_lines_pool")
        batch_op.create_index("ix_order_lines_pool_time", ["shop", "pool", "ordered_at"])
    with op.batch_alter_table("pools", schema=None) as batch_op:
        batch_op.add_column(sa.Column("units_covered", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("open_units", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lines_waiting", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("position_offset", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("tail", sa.JSON(), nullable=True))
    _told_from_sync_state()


def _told_from_sync_state() -> None:
    """What each order was last shown (or is being shown, on its first write), as the planner
    read it from the sync state until now."""
    conn = op.get_bind()
    lines = sa.table("order_lines", sa.column("shop"), sa.column("line_id"),
                     sa.column("told_ready"), sa.column("told_quantity"))
    rows = conn.execute(sa.text("SELECT shop, applied, desired FROM order_sync"))
    for shop, applied, desired in rows:
        applied = _json(applied)
        shown = applied if "metafields" in applied else (
            _json(desired) if applied.get("written") else {})
        detail = (shown.get("metafields") or {}).get("lines")
        for entry in json.loads(detail[1]) if detail else ():
            conn.execute(lines.update().where(lines.c.shop == shop,
                                              lines.c.line_id == entry["line_id"])
                         .values(told_ready=entry.get("ready", 0),
                                 told_quantity=entry.get("quantity", 0)))


def _json(value) -> dict:
    if isinstance(value, str):
        value = json.loads(value)
    return value or {}


def downgrade() -> None:
    with op.batch_alter_table("pools", schema=None) as batch_op:
        for column in ("tail", "position_offset", "lines_waiting", "open_units", "units_covered"):
            batch_op.drop_column(column)
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_order_lines_pool_time")
        batch_op.create_index("ix_order_lines_pool", ["shop", "pool"])
        batch_op.drop_column("told_quantity")
        batch_op.drop_column("told_ready")
        batch_op.alter_column("queue_ticket", new_column_name="queue_position")
