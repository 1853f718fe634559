"""Faults of the machine: a full disk and a held write lock answer 503 with what happened, save
nothing, log the real cause, and pass by themselves; writers wait for a lock as long as promised.
"""
import logging
import sqlite3
import threading
from pathlib import Path

import peewee
import pytest

from learncircle import db
from learncircle.discussions.models import Post, Thread
from tests.helpers import html

HTMX = {"HX-Request": "true"}
LONG_REPLY = " ".join(["A reply long enough to need pages of its own."] * 150)  # 7 KB: more than a page holds
SQLITE_MAX_PAGES = 1073741823  # SQLite's default max_page_count


@pytest.fixture
def people(roles):
    return roles()


@pytest.fixture
def thread(people):
    with db.database.connection_context():
        return Thread.start(circle=people["circle"], author=people["owner"], title="Out of room",
                            kind="discussion", body="Opening words.")


def posts_in(thread):
    with db.database.connection_context():
        return [post.body for post in Post.select().where(Post.thread == thread.id).order_by(Post.number)]


def database_file():
    return Path(db.database.obj.database)


def every_connection(pragma, value):
    """Set a pragma on every connection the app will use: the pool's idle ones are closed, new ones get it."""
    db.close_all()
    with db.database.connection_context():
        db.database.pragma(pragma, value, permanent=True)


def fill_the_database():
    """Let the database file grow no further, and fill every page it has: it is full as a full disk makes it."""
    with db.database.connection_context():
        db.database.execute_sql("CREATE TABLE filler (data BLOB)")
    every_connection("max_page_count", 1)  # SQLite keeps it at the pages the file has
    with db.database.connection_context():
        for size in (4000, 500, 60, 8, 1):
            while True:
                try:
                    db.database.execute_sql("INSERT INTO filler VALUES (randomblob(?))", (size,))
                except peewee.OperationalError as error:
                    assert "database or disk is full" in str(error)
                    break


def test_a_full_disk_answers_503_saves_nothing_and_recovers_when_space_returns(client, auth, people, thread,
                                                                                caplog):
    auth.login(people["member"])
    fill_the_database()
    data = {"body": LONG_REPLY, "form_key": "full-1"}

    with caplog.at_level(logging.ERROR):
        response = client.post(f"/t/{thread.id}/reply", data=data)
    assert response.status_code == 503
    page = html(response)
    assert "out of disk space" in page.select_one(".error-box").get_text()
    assert "nothing was saved" in page.select_one(".error-box").get_text()
    assert posts_in(thread) == ["Opening words."]
    logged = [record.getMessage() for record in caplog.records]
    assert sum("database or disk is full" in line for line in logged) == 1
    assert not any("cannot rollback" in line or "no such savepoint" in line for line in logged)
    assert all(record.exc_info is None for record in caplog.records)  # one line, not a traceback

    fragment = client.post(f"/t/{thread.id}/reply", data=data, headers=HTMX)
    assert fragment.status_code == 503
    assert "<html" not in fragment.get_data(as_text=True)
    assert "out of disk space" in html(fragment).select_one(".error-box").get_text()
    assert posts_in(thread) == ["Opening words."]

    every_connection("max_page_count", SQLITE_MAX_PAGES)  # the disk has room again
    again = client.post(f"/t/{thread.id}/reply", data=data)
    assert again.status_code == 303
    assert posts_in(thread) == ["Opening words.", LONG_REPLY]


def test_a_lock_held_past_the_busy_timeout_answers_503_busy_and_the_same_post_then_works(client, auth, people,
                                                                                       thread, caplog):
    auth.login(people["member"])
    every_connection("busy_timeout", 50)  # the real wait is 10 s; the answer after it is what is tested
    holder = sqlite3.connect(database_file(), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    data = {"body": "Written while someone else writes.", "form_key": "busy-1"}
    try:
        with caplog.at_level(logging.ERROR):
            response = client.post(f"/t/{thread.id}/reply", data=data)
        assert response.status_code == 503
        message = html(response).select_one(".error-box").get_text()
        assert "busy" in message and "nothing was saved" in message
        assert any("database is locked" in record.getMessage() for record in caplog.records)
        fragment = client.post(f"/t/{thread.id}/reply", data=data, headers=HTMX)
        assert fragment.status_code == 503 and "<html" not in fragment.get_data(as_text=True)
    finally:
        holder.rollback()
        holder.close()
    assert posts_in(thread) == ["Opening words."]
    assert client.post(f"/t/{thread.id}/reply", data=data).status_code == 303
    assert posts_in(thread) == ["Opening words.", "Written while someone else writes."]


def test_only_space_and_lock_faults_are_503s_and_the_real_cause_is_named():
    from learncircle.errors import machine_fault

    assert machine_fault(peewee.OperationalError("no such table: post")) is None
    assert machine_fault(OSError(2, "No such file or directory")) is None
    try:
        try:
            raise peewee.OperationalError("database or disk is full")
        except peewee.OperationalError:
            raise peewee.OperationalError("cannot rollback - no transaction is active")  # noqa: B904 (the chain is the point)
    except peewee.OperationalError as error:
        (title, _), _, cause = machine_fault(error)
    assert title == "Out of space" and cause == "database or disk is full"


def test_every_sqlite_connection_waits_10_seconds_for_a_lock(app, tmp_path):
    with db.database.connection_context():
        assert db.database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 10_000
    for url in (f"sqlite:///{tmp_path / 'a.sqlite3'}", f"sqlite+pool:///{tmp_path / 'b.sqlite3'}"):
        other = db.open_database(url)
        other.connect()
        try:
            assert other.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 10_000
        finally:
            other.close()


def test_a_reply_waits_out_a_write_lock_held_for_7_seconds(client, auth, people, thread):
    """Real time, on purpose: SQLite's busy handler runs on the wall clock."""
    auth.login(people["member"])
    holder = sqlite3.connect(database_file(), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    answers = []
    poster = threading.Thread(target=lambda: answers.append(
        client.post(f"/t/{thread.id}/reply", data={"body": "Patience.", "form_key": "wait-1"})))
    try:
        poster.start()
        poster.join(timeout=7)
        assert poster.is_alive(), f"the reply gave up while the lock was held: {answers}"
    finally:
        holder.rollback()
        holder.close()
    poster.join(timeout=10)
    assert [answer.status_code for answer in answers] == [303]
    assert posts_in(thread) == ["Opening words.", "Patience."]
