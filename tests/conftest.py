"""Shared fixtures: an app on a temporary SQLite file with the real migrations, a client, people.

Helpers create rows through the domain (User.register, Circle.found, Membership.join) so tests
start from states the application itself can produce.
"""
import datetime as dt
import itertools
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from waitress.server import create_server

from argon2 import PasswordHasher

from learncircle import clock, create_app, db
from learncircle.accounts import models as account_models
from learncircle.accounts import sessions
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, MEMBER, OWNER, PUBLIC, Circle, Membership

PASSWORD = "correct horse battery"
# Peer review's shared world of rounds (world, in_request).
pytest_plugins = ["tests.fixtures_reviews", "tests.fixtures_mail"]  # and email's SMTP server


@pytest.fixture(autouse=True)
def fast_password_hashing(request, monkeypatch):
    """Hash with tiny argon2 costs so tests that create many people stay fast.

    Tests about the production parameters themselves are marked `real_password_hashing`.
    """
    if request.node.get_closest_marker("real_password_hashing") is None:
        monkeypatch.setattr(account_models, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


def in_schema(url, schema):
    """A PostgreSQL URL whose connections make new tables (and read unqualified names) in `schema`."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "options"]
    return urlunsplit(parts._replace(query=urlencode(query + [("options", f"-c search_path={schema}")])))


def _postgresql_schema():
    """The schema of the test database this process's PostgreSQL tests use. `make test` runs the suite on every
    CPU (pytest-xdist): each worker gets a schema of its own in the one database, so that one worker emptying
    its schema for a test never pulls the tables from under another's."""
    url, worker = os.environ.get("LEARNCIRCLE_TEST_POSTGRES_URL"), os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return "public"
    schema = f"learncircle_{worker}"
    os.environ["LEARNCIRCLE_TEST_POSTGRES_URL"] = in_schema(url, schema)  # before any test module reads it
    return schema


POSTGRESQL_SCHEMA = _postgresql_schema()


TEST_CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A SQLite file every migration was applied to, once per run: each test's database starts as a copy of it
    (running two dozen migrations for each of two thousand tests would take minutes)."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.sqlite3"
    create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    db.upgrade()
    with db.database.connection_context():
        db.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close_all()
    return path


@pytest.fixture
def app(tmp_path, migrated_database):
    path = tmp_path / "test.sqlite3"
    shutil.copy(migrated_database, path)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    assert db.upgrade() == []  # the copy is up to date; a migration it lacked would be applied here
    yield app
    db.close_all()


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def frozen_clock():
    """Freeze time at a known moment; advance it with clock.advance(hours=…)."""
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, 0))
    yield clock
    clock.freeze(None)


_sequence = itertools.count(1)


@pytest.fixture
def make_user(app):
    def make(username=None, *, is_admin=False, timezone="UTC", password=PASSWORD, display_name=None):
        username = username or f"user{next(_sequence)}"
        with db.database.connection_context():
            return User.register(username=username, email=f"{username}@example.org", password=password,
                                 display_name=display_name or username.title(), timezone=timezone,
                                 is_admin=is_admin)
    return make


@pytest.fixture
def make_circle(app, make_user):
    def make(owner=None, *, name="Rust Study Group", visibility=PUBLIC, slug=None, purpose=None):
        owner = owner or make_user()
        with db.database.connection_context():
            return Circle.found(owner=owner, name=name, slug=slug or Circle.unique_slug(name),
                                purpose=purpose or "Learn Rust together by building small tools.",
                                goals="Ship one tool each.", visibility=visibility)
    return make


@pytest.fixture
def add_member(app):
    def add(circle, user, role=MEMBER):
        with db.database.connection_context():
            membership = Membership.join(user=user, circle=circle)
            if role != MEMBER:
                Membership.update(role=role).where(Membership.id == membership.id).execute()
            return membership
    return add


class Auth:
    """Sign a test client in as a user without going through the login form."""

    def __init__(self, client):
        self.client = client

    def login(self, user, remember=False):
        """Sign in as the login form would: a real session record, named by the session cookie."""
        with db.database.connection_context():
            cookie_id = sessions.start(user, user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
                                       remember=remember)
        with self.client.session_transaction() as session:
            session["_user_id"] = cookie_id
            session["_fresh"] = True
        return user

    def logout(self):
        with self.client.session_transaction() as session:
            session.clear()


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def roles(app, make_user, make_circle, add_member):
    """A circle with one person in every role, plus an outsider and the instance admin."""
    def build(visibility=PUBLIC):
        owner = make_user("owner")
        circle = make_circle(owner, visibility=visibility)
        facilitator, member = make_user("facilitator"), make_user("member")
        add_member(circle, facilitator, FACILITATOR)
        add_member(circle, member, MEMBER)
        return {"circle": circle, OWNER: owner, FACILITATOR: facilitator, MEMBER: member,
                "outsider": make_user("outsider"), "admin": make_user("admin", is_admin=True)}
    return build


# ---- a real server and a real browser ----------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive the system's Chromium (Debian's package); Playwright's own browser download is not used."""
    if not Path(CHROMIUM).exists():
        reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def live_server(tmp_path):
    """LearnCircle served by waitress on a free loopback port, CSRF on as in production."""
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
        "SECRET_KEY": "live-secret",
        "RATELIMIT_ENABLED": False,
    })
    db.upgrade()
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = app.config["BASE_URL"] = f"http://127.0.0.1:{server.effective_port}"
    yield app
    # Workers first: one still answering would write to the server's wake-up pipe after close() shut it, and
    # its file descriptor may by then belong to the next test's server or connection.
    server.task_dispatcher.shutdown(timeout=5)
    # The browser keeps its connections open (its pool outlives the page): closed here as waitress closes idle
    # ones, by its loop, so the loop's map empties and its thread ends now rather than at the join's timeout.
    for channel in list(server.active_channels.values()):
        channel.will_close = True
    server.pull_trigger()
    server.close()
    thread.join(timeout=5)


@pytest.fixture
def pg_app():
    """An app on the PostgreSQL database LEARNCIRCLE_TEST_POSTGRES_URL names, emptied and migrated."""
    url = os.environ.get("LEARNCIRCLE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("set LEARNCIRCLE_TEST_POSTGRES_URL to an empty PostgreSQL database to run the PostgreSQL tests")
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "pg", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    with db.database.connection_context():
        db.database.execute_sql(f'DROP SCHEMA IF EXISTS "{POSTGRESQL_SCHEMA}" CASCADE')
        db.database.execute_sql(f'CREATE SCHEMA "{POSTGRESQL_SCHEMA}"')
    assert len(db.upgrade()) >= 2
    yield app
    if not db.database.is_closed():
        db.database.close()
