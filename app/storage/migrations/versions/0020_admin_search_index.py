"""The admin at 100,000 waiting lines: the queue's search finds its candidates in trigram
indexes instead of looking for the text in every waiting line, and the numbers find a shop's few
cancelled orders in an index of their own instead of looking up each line's order, and count the
date changes of a window in an index that holds what they read (time and reason).

- SQLite: two FTS5 tables with the trigram tokenizer (SQLite 3.34 or later), over the orders'
  name and customer (id, name, email) and over the lines' titles. They hold no copy of the text
  (`content=` the table itself) and are kept by triggers, keyed by the rowid. A migration that
  rebuilds `orders` or `order_lines` (a batch alter on SQLite copies the table and drops its
  triggers) must run `search_index_sqlite()` again: it creates what is missing and rebuilds.
- PostgreSQL: pg_trgm GIN indexes on the same columns, which `ILIKE '%…%'` uses. Where the
  extension cannot be created (not installed, or not allowed) the indexes are left out: the
  search gives the same answers, from a scan.

Revision ID: 0020
Revises: 0019
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

ORDER_COLUMNS = ("name", "customer_id", "customer_name", "customer_email")
# (index table, base table, columns)
SEARCHED = (("orders_search", "orders", ORDER_COLUMNS), ("order_lines_search", "order_lines", ("title",)))


def upgrade() -> None:
    op.create_index("ix_orders_cancelled", "orders", ["shop", "order_id"],
                    sqlite_where=sa.text("cancelled_at IS NOT NULL"),
                    postgresql_where=sa.text("cancelled_at IS NOT NULL"))
    op.create_index("ix_eta_changes_time", "eta_changes", ["shop", "changed_at", "reason"])
    if op.get_bind().dialect.name == "sqlite":
        search_index_sqlite()
    else:
        search_index_postgresql()


def search_index_sqlite() -> None:
    for index, table, columns in SEARCHED:
        listed = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        op.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5({listed}, "
                   f"content='{table}', content_rowid='rowid', tokenize='trigram')")
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {index}_insert AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {index}(rowid, {listed}) VALUES (new.rowid, {new}); END")
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {index}_delete AFTER DELETE ON {table} BEGIN "
                   f"INSERT INTO {index}({index}, rowid, {listed}) "
                   f"VALUES ('delete', old.rowid, {old}); END")
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {index}_update AFTER UPDATE OF {listed} "
                   f"ON {table} BEGIN "
                   f"INSERT INTO {index}({index}, rowid, {listed}) "
                   f"VALUES ('delete', old.rowid, {old}); "
                   f"INSERT INTO {index}(rowid, {listed}) VALUES (new.rowid, {new}); END")
        op.execute(f"INSERT INTO {index}({index}) VALUES ('rebuild')")


def search_index_postgresql() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:
        log.warning("pg_trgm is not available (%s): the queue's search scans instead",
                    error.orig)
        return
    for _, table, columns in SEARCHED:
        for column in columns:
            op.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_{column}_trgm ON {table} "
                       f"USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for index, _, _ in SEARCHED:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {index}_{event}")
            op.execute(f"DROP TABLE IF EXISTS {index}")
    else:
        for _, table, columns in SEARCHED:
            for column in columns:
                op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")
    op.drop_index("ix_eta_changes_time", table_name="eta_changes")
    op.drop_index("ix_orders_cancelled", table_name="orders")
