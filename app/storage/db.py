"""Engine and transactions. Created by the app factory, never at import time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Table, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

WRITER_PAUSE_S = 0.11


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock() if self.is_sqlite else nullcontext()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def let_writers_in(self) -> None:
        """A pause between the transactions of a long job. A writer of another process waits for
        SQLite's lock in its busy handler, which looks again every 100 ms at most; without a
        pause longer than that, a job that commits and begins again keeps the lock."""
        if self.is_sqlite:
            time.sleep(WRITER_PAUSE_S)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: everything inside commits together or not at all."""
        with self._sessions.begin() as session:
            yield session

    def insert_row(self, table: Table, values: dict) -> int | None:
        """Insert one row through the driver itself and return its id, or None when a unique
        constraint refuses it. This skips SQLAlchemy's execution machinery, which costs more than
        the insert: it is for the webhook hot path only. On SQLite, writers of this process queue
        on a lock rather than on SQLite's busy handler, whose sleeps would dominate a burst."""
        columns = ", ".join(values)
        if self.is_sqlite:
            sql = f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join('?' * len(values))})"
            params = [_sqlite_value(v) for v in values.values()]
        else:
            marks = ", ".join(["%s"] * len(values))
            sql = f"INSERT INTO {table.name} ({columns}) VALUES ({marks}) RETURNING id"
            params = list(values.values())
        with self._write_lock:
            conn = self.engine.raw_connection()
            try:
                return self._insert(conn, sql, params)
            finally:
                conn.close()

    def _insert(self, conn, sql: str, params: list) -> int | None:
        cursor = conn.cursor()
        try:
            if self.is_sqlite:  # autocommit driver mode: the transaction is ours to open
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(sql, params)
            row_id = cursor.lastrowid if self.is_sqlite else cursor.fetchone()[0]
        except self.engine.dialect.dbapi.IntegrityError:
            cursor.execute("ROLLBACK") if self.is_sqlite else conn.rollback()
            return None
        cursor.execute("COMMIT") if self.is_sqlite else conn.commit()
        return row_id

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_value(value):
    """Datetimes as SQLAlchemy's SQLite dialect stores them (naive UTC text), so reads agree."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        ensure_sqlite_dir(url)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def ensure_sqlite_dir(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets readers run beside one writer; busy_timeout makes writers queue instead of failing.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin_immediate(conn) -> None:
    # Take the write lock at BEGIN, so a read-then-write transaction cannot deadlock on upgrade:
    # this is what serialises work on one pool when the database is SQLite.
    conn.exec_driver_sql("BEGIN IMMEDIATE")
