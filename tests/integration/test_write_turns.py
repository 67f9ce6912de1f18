"""Writers of one SQLite database take turns: threads of a process on a lock, processes on a
file lock that wakes the next at once; webhook intake goes first and its inserts go in together.
Each `Database` below holds its own file descriptors, so to the file locks it is a process of its
own."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.exc import OperationalError

from app.storage.db import Database

metadata = MetaData()
ROWS = Table("rows", metadata, Column("id", Integer, primary_key=True),
             Column("key", String, unique=True, nullable=False))


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'turns.db'}"
    db = Database(url)
    metadata.create_all(db.engine)
    db.dispose()
    return url


@pytest.fixture
def dbs(url):
    made = []

    def make() -> Database:
        made.append(Database(url))
        return made[-1]

    yield make
    for db in made:
        db.dispose()


@contextmanager
def holding(db: Database, seconds: float):
    """Another writer holds the turn for `seconds` from the moment this enters."""
    held = threading.Event()

    def hold() -> None:
        with db.transaction() as s:
            s.execute(insert(ROWS).values(key="held"))
            held.set()
            time.sleep(seconds)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    try:
        yield
    finally:
        holder.join()


def test_inserts_that_wait_together_each_get_their_own_answer(dbs):
    db, other = dbs(), dbs()
    keys = [f"k{n % 15}" for n in range(30)]  # every key twice: the second is refused
    with holding(other, 0.3), ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(lambda k: (k, db.insert_row(ROWS, {"key": k})), keys))
    ids = [row_id for _, row_id in answers if row_id is not None]
    assert len(ids) == 15 and len(set(ids)) == 15
    assert sorted(k for k, row_id in answers if row_id is not None) == sorted(set(keys))
    with db.transaction() as s:
        stored = dict(s.execute(select(ROWS.c.id, ROWS.c.key)).all())
    assert {stored[row_id] for row_id in ids} == set(keys)


def test_an_insert_that_fails_in_a_group_fails_alone(dbs):
    db, other = dbs(), dbs()
    values = [{"key": f"k{n}"} for n in range(5)] + [{"key": object()}]  # cannot be stored

    def insert_one(row: dict):
        try:
            return db.insert_row(ROWS, row)
        except Exception as exc:  # noqa: BLE001 - the failure is what is looked at
            return exc

    with holding(other, 0.3), ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(insert_one, values))
    assert all(isinstance(answer, int) for answer in answers[:5])
    assert isinstance(answers[5], Exception)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(ROWS)) == 6  # the holder's and five


def test_a_waiting_intake_goes_before_writers_that_waited_longer(dbs):
    job, other_shop, intake = dbs(), dbs(), dbs()

    def write() -> None:
        with other_shop.transaction() as s:
            s.execute(insert(ROWS).values(key="writer"))

    with holding(job, 0.4):
        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.1)  # the writer waits first
        assert intake.insert_row(ROWS, {"key": "intake"}) is not None
        writer.join()
    with job.read() as s:
        keys = list(s.scalars(select(ROWS.c.key).order_by(ROWS.c.id)))
    assert keys == ["held", "intake", "writer"]


def test_a_writer_waits_for_the_turn_of_another_process_instead_of_failing(dbs):
    first, second = dbs(), dbs()
    with holding(first, 0.3):
        began = time.monotonic()
        with second.transaction() as s:
            waited = time.monotonic() - began
            s.execute(insert(ROWS).values(key="after"))
    assert waited >= 0.2
    with second.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ROWS)) == 2


def test_a_read_waits_for_no_writer_and_cannot_write(dbs):
    writer, reader = dbs(), dbs()
    with holding(writer, 0.5):
        began = time.monotonic()
        with reader.read() as s:
            assert s.scalar(select(func.count()).select_from(ROWS)) == 0  # its snapshot
        assert time.monotonic() - began < 0.25
        with pytest.raises(OperationalError, match="readonly"), reader.read() as s:
            s.execute(insert(ROWS).values(key="no"))


def test_intake_inserts_go_on_after_their_connection_broke(dbs):
    """Intake keeps one connection for its inserts; once it fails, the next insert takes a new
    one instead of failing too."""
    db = dbs()
    assert db.insert_row(ROWS, {"key": "before"}) is not None
    db._intake_connection().dbapi_connection.close()  # the connection goes away under intake
    with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises for it
        db.insert_row(ROWS, {"key": "lost"})
    assert db.insert_row(ROWS, {"key": "after"}) is not None
    with db.read() as s:
        assert set(s.scalars(select(ROWS.c.key))) == {"before", "after"}
