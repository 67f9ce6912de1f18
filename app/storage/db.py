"""Engine and transactions. Created by the app factory, never at import time."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Table, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

WRITER_PAUSE_S = 0.005
# Rows of each index SQLite's ANALYZE reads: counts good enough for the planner, at a cost of
# some tens of milliseconds however big the tables.
STATISTICS_SAMPLE = 1000
# The unit of work's handle, as the services hold it: they pass it to the storage modules, which
# alone build queries, and never query it themselves.
Tx = Session


class Database:
    """On SQLite every transaction takes the database's only write lock at its start. Writers
    wait for it in turn, each process's threads on a lock of the process and the processes on an
    advisory lock of a file beside the database, which wakes the next one at once. SQLite's own
    busy handler would have them look again after sleeps of up to 100 ms, so that a process
    that commits often keeps the lock from the others for seconds."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = make_engine(url, read_only=True) if self.is_sqlite else self.engine
        self._reads = sessionmaker(self._reader, expire_on_commit=False)
        self._turn = _Turn(url) if self.is_sqlite else None
        self._pending: list[_Insert] = []
        self._pending_lock = threading.Lock()
        self._intake: tuple[int, object] | None = None  # (process id, its intake connection)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def let_writers_in(self) -> None:
        """A pause between the transactions of a long job, long enough for the writers waiting
        in other processes to wake and take their turn."""
        if self.is_sqlite:
            time.sleep(WRITER_PAUSE_S)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One unit of work: everything inside commits together or not at all."""
        with self._turn or nullcontext(), self._sessions.begin() as session:
            yield session

    @contextmanager
    def trial(self) -> Iterator[Tx]:
        """A unit of work that is always rolled back, whatever happens inside it: to see what a
        change would do (re-plans included) before making it. It takes the write lock as a
        transaction does, so what it sees is what the change would meet."""
        with self._turn or nullcontext(), self._sessions() as session:
            session.begin()
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A transaction that only reads: on SQLite it waits for no writer and no writer waits
        for it (WAL gives it a snapshot), and a write inside it fails."""
        with self._reads.begin() as session:
            yield session

    def insert_row(self, table: Table, values: dict) -> int | None:
        """Insert one row through the driver itself and return its id, or None when a unique
        constraint refuses it. This skips SQLAlchemy's execution machinery, which costs more than
        the insert: it is for the webhook hot path only. A row a unique constraint refuses is
        left out by the statement itself (`ON CONFLICT DO NOTHING`), not by an error to roll
        back. On SQLite, the inserts that wait for the write lock go in together when it comes
        (a group commit): a burst of webhooks takes the lock a few times, not once per
        delivery, while another process holds it."""
        columns = ", ".join(values)
        if self.is_sqlite:
            sql = (f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join('?' * len(values))})"
                   " ON CONFLICT DO NOTHING")
            return self._insert_in_group(_Insert(sql, [_sqlite_value(v) for v in values.values()]))
        marks = ", ".join(["%s"] * len(values))
        sql = (f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"
               " ON CONFLICT DO NOTHING RETURNING id")
        conn = self.engine.raw_connection()
        try:
            cursor = conn.cursor()
            try:
                cursor.execute(sql, list(values.values()))
                row = cursor.fetchone()
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
            return None if row is None else row[0]
        finally:
            conn.close()

    def _insert_in_group(self, insert: _Insert) -> int | None:
        with self._pending_lock:
            self._pending.append(insert)
        with self._turn.threads:  # whoever gets the turn writes what waits, its own included
            if not insert.done:
                try:
                    with self._turn.first():
                        with self._pending_lock:
                            group, self._pending = self._pending, []
                        self._insert_group(group)
                except BaseException:
                    with self._pending_lock:  # not written: no later group may write it either
                        self._pending = [other for other in self._pending if other is not insert]
                    raise
        if insert.error is not None:
            raise insert.error
        return insert.row_id

    def _insert_group(self, group: list[_Insert]) -> None:
        """One transaction for the group (a lone insert is its own). A failure of the whole
        transaction is every waiting insert's failure: each is answered, none is left waiting."""
        try:
            self._insert_all(group)
        except Exception as exc:
            for insert in group:
                insert.row_id, insert.error = None, exc
        finally:
            for insert in group:
                insert.done = True

    def _insert_all(self, group: list[_Insert]) -> None:
        """As few statements as the group allows: the turn is held through all of them, and
        after each the thread must win the interpreter back from the requests being parsed."""
        conn = self._intake_connection()
        try:
            cursor = conn.cursor()
            if len(group) == 1:  # autocommit driver mode: one statement, its own transaction
                self._insert_one(cursor, group[0], alone=True)
                return
            cursor.execute("BEGIN IMMEDIATE")
            try:
                for insert in group:
                    self._insert_one(cursor, insert, alone=False)
                cursor.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    cursor.execute("ROLLBACK")
                raise
        except BaseException:
            self._drop_intake_connection()  # the next group starts from a fresh one
            raise

    def _intake_connection(self):
        """The process's connection for intake's inserts, kept open: only the thread holding the
        turn uses it, and its page cache stays warm from one group to the next (each
        connection of the pool would read the pages the others wrote again)."""
        if self._intake is None or self._intake[0] != os.getpid():
            self._intake = (os.getpid(), self.engine.raw_connection())
        return self._intake[1]

    def _drop_intake_connection(self) -> None:
        intake, self._intake = self._intake, None
        if intake is not None and intake[0] == os.getpid():
            intake[1].invalidate()

    def _insert_one(self, cursor, insert: _Insert, alone: bool) -> None:
        """The row's id, or None when a unique constraint left it out. A row that fails otherwise
        fails alone (SQLite undoes the failed statement, not the transaction): its error is kept
        for its caller, and the group goes on. Alone, its failure is the transaction's."""
        try:
            cursor.execute(insert.sql, insert.params)
        except Exception as exc:
            if alone:
                raise
            insert.error = exc
            return
        insert.row_id = cursor.lastrowid if cursor.rowcount == 1 else None

    def checkpoint(self) -> None:
        """On SQLite, copy what the write-ahead log holds into the database file, without waiting
        for readers or writers (a passive checkpoint). No connection does it by itself when it
        commits (see `_sqlite_pragmas`): the worker calls this about once a second, so the writes
        of webhook intake never pay for it. Elsewhere nothing to do."""
        if not self.is_sqlite:
            return
        conn = self.engine.raw_connection()
        try:
            conn.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()

    def refresh_statistics(self) -> None:
        """On SQLite, count what the tables and indexes hold (ANALYZE, sampling each index), so
        the query planner knows which index narrows a read: without counts it takes any index that
        starts with the shop, and a read of a big shop's lines then looks each one up from it.
        The worker does this every hour. PostgreSQL keeps its own counts (autovacuum)."""
        if not self.is_sqlite:
            return
        with self.transaction() as s:
            s.execute(text(f"PRAGMA analysis_limit={STATISTICS_SAMPLE}"))
            s.execute(text("ANALYZE"))

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        if self._intake is not None and self._intake[0] == os.getpid():
            self._intake[1].close()
        self._intake = None
        self.engine.dispose()
        self._reader.dispose()
        if self._turn is not None:
            self._turn.close()


@dataclass(slots=True)
class _Insert:
    sql: str
    params: list
    row_id: int | None = None
    error: Exception | None = None
    done: bool = False


class _Turn:
    """The turn to write on one SQLite database: a re-entrant lock for this process's threads,
    and an exclusive advisory lock on `<database>.lock` for the processes, held from the first
    entry of a thread to its last exit.

    Webhook intake goes first (`first()`): it must answer the platform within seconds, whatever
    a job elsewhere is doing. It waits holding `<database>.door` exclusively. Every other writer
    passes through the door (a shared lock, given back at once) before it waits for the turn,
    and looks at the door again once it has the turn: when an intake waits there, it gives the
    turn back and queues behind it. So the next turn is always an intake's when one waits, and
    intake takes only the time of one small insert. An in-memory database has one process:
    the thread lock alone. The files are opened again in a child process: a lock on an inherited
    descriptor would be shared with the parent."""

    def __init__(self, url: str) -> None:
        self.path = sqlite_file(url)
        self.threads = threading.RLock()
        self._depth = 0
        self._files: tuple[int, int] | None = None
        self._pid = 0

    def __enter__(self) -> None:
        self._take(first=False)

    def __exit__(self, *exc) -> None:
        self._depth -= 1
        if self._depth == 0 and self._files is not None:
            fcntl.flock(self._files[1], fcntl.LOCK_UN)
        self.threads.release()

    @contextmanager
    def first(self) -> Iterator[None]:
        self._take(first=True)
        try:
            yield
        finally:
            self.__exit__()

    def _take(self, first: bool) -> None:
        self.threads.acquire()
        if self._depth == 0 and self.path is not None:
            try:
                self._wait_first() if first else self._wait()
            except BaseException:
                self.threads.release()
                raise
        self._depth += 1

    def _wait_first(self) -> None:
        door, turn = self._descriptors()
        fcntl.flock(door, fcntl.LOCK_EX)
        try:
            fcntl.flock(turn, fcntl.LOCK_EX)
        finally:
            fcntl.flock(door, fcntl.LOCK_UN)

    def _wait(self) -> None:
        door, turn = self._descriptors()
        while True:
            fcntl.flock(door, fcntl.LOCK_SH)
            fcntl.flock(door, fcntl.LOCK_UN)
            fcntl.flock(turn, fcntl.LOCK_EX)
            try:
                fcntl.flock(door, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:  # an intake waits: after it
                fcntl.flock(turn, fcntl.LOCK_UN)
                continue
            fcntl.flock(door, fcntl.LOCK_UN)
            return

    def close(self) -> None:
        if self._files is not None and self._pid == os.getpid():
            for descriptor in self._files:
                os.close(descriptor)
        self._files = None

    def _descriptors(self) -> tuple[int, int]:
        if self._files is None or self._pid != os.getpid():
            self._files = tuple(os.open(f"{self.path}.{name}", os.O_RDWR | os.O_CREAT, 0o600)
                                for name in ("door", "lock"))
            self._pid = os.getpid()
        return self._files


def _sqlite_value(value):
    """Datetimes as SQLAlchemy's SQLite dialect stores them (naive UTC text), so reads agree."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def make_engine(url: str, read_only: bool = False) -> Engine:
    """`read_only` (SQLite): connections that refuse writes and begin as readers."""
    if url.startswith("sqlite"):
        ensure_sqlite_dir(url)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        if read_only:
            event.listen(engine, "connect", _sqlite_query_only)
            event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        else:
            event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def ensure_sqlite_dir(url: str) -> None:
    path = sqlite_file(url)
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def sqlite_file(url: str) -> str | None:
    """The file of a SQLite URL; None for an in-memory database."""
    path = url.split("///", 1)[-1]
    return None if not path or path == ":memory:" else path


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets readers run beside one writer; busy_timeout makes writers queue instead of failing.
    # No commit checkpoints the log: SQLite would have the commit that passes 1,000 pages copy
    # them to the database and sync it, holding the write turn meanwhile (each ~300th webhook
    # would wait on the disk, and the writers behind it). The worker checkpoints instead
    # (`Database.checkpoint`); the last connection to close checkpoints too.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_query_only(dbapi_conn, _record) -> None:
    dbapi_conn.execute("PRAGMA query_only = 1")


def _sqlite_begin_immediate(conn) -> None:
    # Take the write lock at BEGIN, so a read-then-write transaction cannot deadlock on upgrade:
    # this is what serialises work on one pool when the database is SQLite.
    conn.exec_driver_sql("BEGIN IMMEDIATE")
