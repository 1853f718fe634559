"""The `learncircle` command, run as an operator would: against an instance folder named by the
environment, checking what it prints and what the database then holds.
"""
import datetime as dt
import os
import socket
import sqlite3
import subprocess
import sys
import time

import click
import pytest
import requests
from click.testing import CliRunner

from learncircle import config, db, demo
from learncircle.accounts.models import User
from learncircle.cli import main

ADMIN_PASSWORD = "a long admin password"


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An empty instance folder; only LEARNCIRCLE_INSTANCE_PATH points the command at it."""
    for name in config.SETTINGS:
        monkeypatch.delenv(f"LEARNCIRCLE_{name}", raising=False)
    folder = tmp_path / "instance"
    monkeypatch.setenv("LEARNCIRCLE_INSTANCE_PATH", str(folder))
    yield folder
    if not db.database.is_closed():
        db.database.close()


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def rows(instance, sql, *params):
    with sqlite3.connect(f"file:{instance / 'learncircle.sqlite3'}?mode=ro", uri=True) as connection:
        return connection.execute(sql, params).fetchall()


def count(instance, table):
    """Rows in a table; 0 when the database or the table was never created."""
    if not (instance / "learncircle.sqlite3").exists():
        return 0
    if not rows(instance, "SELECT 1 FROM sqlite_master WHERE name = ?", table):
        return 0
    return rows(instance, f'SELECT COUNT(*) FROM "{table}"')[0][0]


def create_admin(username="root", email="root@example.org", password=ADMIN_PASSWORD):
    return run("create-admin", username, "--email", email, "--password-stdin", input=password + "\n")


def account(username):
    with db.database.connection_context():
        return User.get_or_none(User.username == username)


# ---- db -----------------------------------------------------------------------------------------

def test_db_upgrade_applies_every_migration_once(instance):
    from learncircle.db import MIGRATIONS

    names = sorted(path.stem for path in MIGRATIONS.glob("[0-9]*.py"))
    assert run("db", "status").output.strip() == "\n".join(f"{name}  pending" for name in names)

    first = run("db", "upgrade")
    assert first.exit_code == 0
    assert all(f"applied {name}" in first.output for name in names)

    status = run("db", "status")
    assert status.exit_code == 0
    assert "0001_initial" in status.output and "applied" in status.output
    assert "pending" not in status.output
    assert run("db", "upgrade").output.strip() == "the database is up to date"


# ---- create-admin -------------------------------------------------------------------------------

def test_create_admin_prompts_twice_and_the_admin_can_log_in(instance):
    result = run("create-admin", "Root", "--email", "Root@Example.org",
                 input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Created the instance admin 'root'" in result.output
    assert ADMIN_PASSWORD not in result.output  # hidden input is never echoed
    admin = account("root")
    assert admin.is_admin and admin.email == "root@example.org"
    assert admin.check_password(ADMIN_PASSWORD)
    assert not admin.check_password("wrong password")


def test_create_admin_refuses_a_confirmation_that_differs(instance):
    result = run("create-admin", "root", "--email", "root@example.org",
                 input=f"{ADMIN_PASSWORD}\nsomething else entirely\n")

    assert result.exit_code != 0
    assert "do not match" in result.output
    assert count(instance, "user") == 0


def test_password_from_stdin_is_kept_exactly_as_typed(instance):
    assert create_admin(password="  spaces count too  ").exit_code == 0

    admin = account("root")
    assert admin.check_password("  spaces count too  ")
    assert not admin.check_password("spaces count too")


@pytest.mark.parametrize("password", ["", "short", "7 chars"])
def test_create_admin_refuses_a_short_password(instance, password):
    result = create_admin(password=password)

    assert result.exit_code != 0
    assert "at least 8 characters" in result.output
    assert count(instance, "user") == 0


@pytest.mark.parametrize("username, email, message", [
    ("ROOT", "other@example.org", "the username 'root' is already taken"),
    ("other", "ROOT@example.org", "an account with the email 'root@example.org' already exists"),
])
def test_create_admin_refuses_a_taken_username_or_email(instance, username, email, message):
    assert create_admin().exit_code == 0

    result = create_admin(username, email)

    assert result.exit_code != 0
    assert message in result.output
    assert count(instance, "user") == 1


@pytest.mark.parametrize("username, email, message", [
    ("no spaces allowed", "a@example.org", "a username has 3 to 30"),
    ("ab", "a@example.org", "a username has 3 to 30"),
    ("someone", "not-an-address", "is not an email address"),
])
def test_create_admin_refuses_malformed_input(instance, username, email, message):
    result = create_admin(username, email)

    assert result.exit_code != 0
    assert message in result.output


# ---- demo ---------------------------------------------------------------------------------------

def test_demo_seeds_a_lived_in_circle(instance):
    started = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    result = run("demo")

    assert result.exit_code == 0, result.output
    assert count(instance, "user") >= 12
    assert count(instance, "thread") >= 20
    assert count(instance, "post") > count(instance, "thread") * 2

    [(name, visibility, purpose, members)] = rows(
        instance, "SELECT name, visibility, purpose, member_count FROM circle")
    assert (name, visibility) == ("Data Science Study Circle", "public")
    assert "weekly projects" in purpose and members == count(instance, "user")
    roles = dict(rows(instance, "SELECT role, COUNT(*) FROM membership GROUP BY role"))
    assert roles == {"owner": 1, "facilitator": 1, "member": members - 2}

    pinned = rows(instance, "SELECT title FROM thread WHERE pinned")
    assert pinned == [("Start here: how this circle works",)]
    answered, unanswered = rows(instance, "SELECT COUNT(answer_id), COUNT(*) - COUNT(answer_id) "
                                          "FROM thread WHERE kind = 'question'")[0]
    assert answered >= 5 and unanswered >= 2
    assert rows(instance, "SELECT COUNT(*) FROM thread WHERE kind = 'discussion'")[0][0] >= 5

    zones = {zone for (zone,) in rows(instance, "SELECT timezone FROM user")}
    assert {"Europe/Berlin", "America/Sao_Paulo", "Asia/Kolkata", "Africa/Lagos", "America/Los_Angeles",
            "Asia/Tokyo", "Australia/Sydney"} <= zones
    assert rows(instance, "SELECT COUNT(*) FROM user WHERE pronouns != '' AND bio_html LIKE '<p>%'")[0][0] >= 5

    times = [dt.datetime.fromisoformat(moment) for (moment,) in rows(instance, "SELECT created_at FROM post")]
    assert max(times) <= started
    assert max(times) - min(times) >= dt.timedelta(weeks=4)
    hours = {moment.hour for moment in times}
    assert len(hours) >= 12  # people write around the clock, not all at one moment

    html = " ".join(body for (body,) in rows(instance, "SELECT body_html FROM post"))
    assert "<table>" in html and "<pre><code>" in html and '<a href="https://' in html and "<ol>" in html

    # What a newcomer is told: who to log in as, and the one password.
    for person in demo.PEOPLE:
        assert person.username in result.output
    assert "demo-password" in result.output
    assert "/login" in result.output
    assert account("demo-lukas").check_password("demo-password")
    assert all(person.username.startswith("demo-") for person in demo.PEOPLE)


def test_demo_refuses_to_seed_twice(instance):
    assert run("demo").exit_code == 0
    threads = count(instance, "thread")

    again = run("demo")

    assert again.exit_code != 0
    assert "already exists" in again.output
    assert count(instance, "thread") == threads
    assert count(instance, "circle") == 1


def test_demo_seeds_beside_real_accounts_with_its_members_names(instance):
    assert create_admin(username="lukas", email="lukas@example.org").exit_code == 0

    result = run("demo")

    assert result.exit_code == 0, result.output
    assert "demo-lukas" in result.output
    assert count(instance, "user") == len(demo.PEOPLE) + 1
    assert account("lukas").is_admin and not account("demo-lukas").is_admin


def test_nobody_else_may_take_a_demo_name(instance):
    taken = create_admin(username="demo-lukas", email="lukas@example.org")
    assert taken.exit_code != 0 and "kept for the demo" in taken.output
    assert count(instance, "user") == 0


def test_demo_changes_nothing_when_a_demo_account_already_exists(instance):
    assert run("db", "upgrade").exit_code == 0
    with db.database.connection_context():  # only a database edited by hand can hold one
        User.register(username="demo-lukas", email="someone@example.org", password=ADMIN_PASSWORD)

    result = run("demo")

    assert result.exit_code != 0
    assert "demo-lukas" in result.output
    assert count(instance, "user") == 1
    assert count(instance, "circle") == 0


CIRCLE_TOML = """
name = "Test Circle"
slug = "test-circle"
purpose = "Trying the demo's content files."
goals = '''
Learn **one** thing.
'''
threads = ["first.md", "second.md"]

[[person]]
key = "ana"
display_name = "Ana Lima"
role = "owner"
timezone = "Europe/Lisbon"
bio = '''
Teacher in Lisbon.
'''

[[person]]
key = "ben"
display_name = "Ben Ito"
timezone = "Asia/Tokyo"
pronouns = "he/him"
bio = '''
Learner in Tokyo.
'''
"""

FIRST_MD = """+++
title = "First steps"
kind = "discussion"
author = "ana"
days_ago = 3
local_hour = 9
pinned = true
+++
Hello **all**.

+++
author = "ben"
hours_later = 2
+++
Hi Ana.
"""

SECOND_MD = """+++
title = "A question"
kind = "question"
author = "ben"
days_ago = 1
local_hour = 20
+++
Why?
"""


@pytest.fixture
def content(tmp_path):
    """A small demo content folder, to seed and to break."""
    folder = tmp_path / "demo_content"
    (folder / "threads").mkdir(parents=True)
    (folder / "circle.toml").write_text(CIRCLE_TOML, encoding="utf-8")
    (folder / "threads" / "first.md").write_text(FIRST_MD, encoding="utf-8")
    (folder / "threads" / "second.md").write_text(SECOND_MD, encoding="utf-8")
    return folder


def test_demo_seeds_what_its_content_files_say(instance, content):
    assert run("db", "upgrade").exit_code == 0

    with db.database.connection_context():
        seeded = demo.seed(content=demo.load(content))

    assert (seeded.circle.slug, seeded.thread_count) == ("test-circle", 2)
    assert rows(instance, "SELECT username, display_name, timezone, pronouns, bio FROM user ORDER BY id") == [
        ("demo-ana", "Ana Lima", "Europe/Lisbon", "", "Teacher in Lisbon.\n"),
        ("demo-ben", "Ben Ito", "Asia/Tokyo", "he/him", "Learner in Tokyo.\n")]
    assert rows(instance, "SELECT name, goals FROM circle") == [("Test Circle", "Learn **one** thing.\n")]
    assert rows(instance, "SELECT role FROM membership ORDER BY user_id") == [("owner",), ("member",)]
    assert rows(instance, "SELECT title, kind, pinned, answered_at IS NULL FROM thread ORDER BY id") == [
        ("First steps", "discussion", 1, 1), ("A question", "question", 0, 1)]
    assert rows(instance, "SELECT body, body_html FROM post ORDER BY id") == [
        ("Hello **all**.\n", "<p>Hello <strong>all</strong>.</p>\n"), ("Hi Ana.\n", "<p>Hi Ana.</p>\n"),
        ("Why?\n", "<p>Why?</p>\n")]


# Each edit breaks one thing; the error names the file and the line where `line` is (None: the file as a whole).
@pytest.mark.parametrize("file, old, new, line, message", [
    ("threads/first.md", 'author = "ben"', 'author = "bob"', 'author = "bob"',
     "author: 'bob' is no person's key in circle.toml"),
    ("threads/first.md", "days_ago = 3", "days_ago 3", "days_ago 3", "Expected '=' after a key in a key/value pair"),
    ("threads/first.md", "local_hour = 9\n", "", "+++", "local_hour: missing"),
    ("threads/first.md", "local_hour = 9", 'local_hour = "nine"', "local_hour",
     "local_hour: should be a whole number, not 'nine'"),
    ("threads/first.md", "local_hour = 9", "local_hour = 25", "local_hour", "local_hour: an hour from 0 to 23"),
    ("threads/first.md", "pinned = true", "pined = true", "pined", "pined: unknown field"),
    ("threads/first.md", 'kind = "discussion"', 'kind = "poll"', "kind",
     "kind: 'poll' is none of discussion, question"),
    ("threads/first.md", "hours_later = 2", "hours_later = -2", "hours_later", "hours_later: cannot be negative"),
    ("threads/first.md", "hours_later = 2", "hours_later = 2\nanswer = true", "answer = true",
     "answer: only a question's reply can be its answer"),
    ("threads/first.md", "Hi Ana.", "", "+++\n\n", "no post text follows this line"),
    ("threads/second.md", "+++\nWhy?", "Why?", "+++", "this +++ opens a block that no +++ line closes"),
    ("threads/second.md", "+++\ntitle", "# A question\n+++\ntitle", "# A question",
     "a thread file begins with a +++ line"),
    ("circle.toml", 'timezone = "Asia/Tokyo"', 'timezone = "Asia/Tokio"', "Asia/Tokio",
     "person 'ben': timezone: 'Asia/Tokio' is no time zone name"),
    ("circle.toml", 'key = "ben"', 'key = "ana"', 'key = "ana"\ndisplay_name = "Ben',
     "person 'ana': key: another person has it already"),
    ("circle.toml", 'key = "ben"', 'key = "Ben"', 'key = "Ben"', "person 'Ben': key: lower-case letters"),
    ("circle.toml", 'key = "ben"', 'key = "ben"\nrole = "owner"', None, 'exactly one person has role = "owner", not 2'),
    ("circle.toml", 'role = "owner"', 'role = "teacher"', "role", "person 'ana': role: 'teacher' is none of owner"),
    ("circle.toml", 'pronouns = "he/him"', "pronouns = he/him", "pronouns", "Invalid value"),
    ("circle.toml", 'display_name = "Ana Lima"', "display_name = 7", "display_name = 7",
     "person 1: display_name: should be text, not 7"),
    ("circle.toml", 'slug = "test-circle"', 'slug = "Test Circle"', "slug", "slug: only lower-case"),
    ("circle.toml", '"second.md"', '"2nd.md"', "threads =", "threads: there is no file threads/2nd.md"),
    ("circle.toml", ', "second.md"', "", "threads =", "threads: second.md in threads/ but not listed"),
])
def test_demo_content_mistakes_are_named_with_their_file_and_line(content, file, old, new, line, message):
    path = content / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")

    with pytest.raises(demo.DemoContentError) as error:
        demo.load(content)

    where = f"{path}, line {text[:text.index(line)].count(chr(10)) + 1}: " if line else f"{path}: "
    assert error.value.message.startswith(where + message), error.value.message
    assert isinstance(error.value, click.ClickException)  # so `learncircle demo` prints it as one line


def test_the_commands_print_the_address_confirmed_at_setup(instance, monkeypatch):
    from learncircle import site

    assert run("db", "upgrade").exit_code == 0
    assert "http://127.0.0.1:5000/login" in create_admin().output  # nothing known yet: serve's default
    with db.database.connection_context():
        site.store_url("http://192.168.1.20:8080/")
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert "Open http://192.168.1.20:8080/c/data-science-study-circle" in result.output
    assert "http://192.168.1.20:8080/login" in create_admin("root2", "root2@example.org").output
    reset = run("reset-password", "root2")
    assert reset.exit_code == 0, reset.output
    assert "http://192.168.1.20:8080/reset-password/" in reset.output

    monkeypatch.setenv("LEARNCIRCLE_BASE_URL", "https://learn.example.org")
    assert "Log in at https://learn.example.org/login" in create_admin("root3", "root3@example.org").output


# ---- backup -------------------------------------------------------------------------------------

def test_backup_copies_a_consistent_snapshot_while_another_connection_writes(instance, tmp_path):
    assert run("demo").exit_code == 0
    expected = {table: count(instance, table) for table in ("user", "circle", "membership", "thread", "post")}

    writer = sqlite3.connect(instance / "learncircle.sqlite3", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE circle SET name = 'not committed yet'")
        writer.execute("DELETE FROM post")
        result = run("backup", str(tmp_path / "backups" / "nightly" / "copy.sqlite3"))
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    assert result.exit_code == 0, result.output
    copy = tmp_path / "backups" / "nightly" / "copy.sqlite3"
    assert f"to {copy} (" in result.output and "KB)" in result.output
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert connection.execute("SELECT name FROM circle").fetchone() == ("Data Science Study Circle",)
        for table, number in expected.items():
            assert connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone() == (number,)
    assert not list(copy.parent.glob(".*partial"))
    assert copy.stat().st_mode & 0o777 == 0o600


def test_backup_into_a_folder_names_the_file_by_time(instance, tmp_path):
    assert create_admin().exit_code == 0

    result = run("backup", str(tmp_path / "backups") + "/")

    assert result.exit_code == 0, result.output
    [copy] = (tmp_path / "backups").iterdir()
    assert copy.name.startswith("learncircle-") and copy.suffix == ".sqlite3"
    with sqlite3.connect(copy) as connection:
        assert connection.execute("SELECT username, is_admin FROM user").fetchall() == [("root", 1)]


def test_backup_refuses_to_overwrite_the_live_database(instance):
    assert create_admin().exit_code == 0

    result = run("backup", str(instance / "learncircle.sqlite3"))

    assert result.exit_code != 0
    assert "must not overwrite the live database" in result.output
    assert count(instance, "user") == 1


def test_backup_refuses_postgresql_and_points_to_pg_dump(instance, tmp_path, monkeypatch):
    monkeypatch.setenv("LEARNCIRCLE_DATABASE_URL", "postgresql://learncircle:secret@localhost/learncircle")

    result = run("backup", str(tmp_path / "copy.sqlite3"))

    assert result.exit_code != 0
    assert "SQLite databases only" in result.output and "pg_dump" in result.output
    assert not (tmp_path / "copy.sqlite3").exists()


def test_backup_of_an_instance_without_a_database_says_so(instance, tmp_path):
    result = run("backup", str(tmp_path / "copy.sqlite3"))

    assert result.exit_code != 0
    assert "no database file" in result.output
    assert not (instance / "learncircle.sqlite3").exists()


# ---- serve --------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """`learncircle serve` in its own process on a fresh instance; yields its base URL."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("LEARNCIRCLE_")}
    env.update(LEARNCIRCLE_INSTANCE_PATH=str(tmp_path / "served"), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-c", "from learncircle.cli import main; main(prog_name='learncircle')",
         "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"serve exited with {process.returncode}:\n{process.stdout.read()}")
            try:
                requests.get(url + "/", allow_redirects=False, timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail("serve did not answer within 20 seconds")
                time.sleep(0.1)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def test_serve_migrates_and_answers_with_secure_compressed_pages(server):
    url, process = server

    start = requests.get(url + "/", allow_redirects=False, timeout=5)
    assert start.status_code == 302
    assert start.headers["Location"].endswith("/setup")
    assert "default-src 'self'" in start.headers["Content-Security-Policy"]
    assert start.headers["X-Content-Type-Options"] == "nosniff"
    assert "Server" not in start.headers and "Via" not in start.headers

    setup = requests.get(url + "/setup", headers={"Accept-Encoding": "gzip"}, timeout=5)
    assert setup.status_code == 200
    assert "Content-Security-Policy" in setup.headers
    assert setup.headers["Content-Encoding"] == "gzip"
    assert len(setup.text) > 500
    assert "<form" in setup.text

    style = requests.get(url + "/static/app.css", headers={"Accept-Encoding": "gzip"}, timeout=5)
    assert style.status_code == 200 and style.headers["Content-Encoding"] == "gzip"

    process.terminate()  # SIGTERM, as systemd stops a service
    output, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "applied migration 0001_initial" in output
    assert f"LearnCircle is running at {url}/" in output
    assert "LearnCircle stopped" in output


def test_serve_explains_a_port_that_is_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {key: value for key, value in os.environ.items() if not key.startswith("LEARNCIRCLE_")}
        env["LEARNCIRCLE_INSTANCE_PATH"] = str(tmp_path / "served")
        result = subprocess.run(
            [sys.executable, "-c", "from learncircle.cli import main; main(prog_name='learncircle')",
             "serve", "--port", str(port)], env=env, capture_output=True, text=True, timeout=30)

    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr


def test_the_command_speaks_the_instances_language(tmp_path):
    """Messages and --help in DEFAULT_LANGUAGE (there is no browser to ask), options' help included."""
    from tests.helpers import PSEUDO_LANGUAGE, pseudo_language_app

    app = pseudo_language_app(tmp_path, DEFAULT_LANGUAGE=PSEUDO_LANGUAGE)
    try:
        runner = app.test_cli_runner()
        with app.app_context():  # as `learncircle` holds one while it shows a command's help
            status = runner.invoke(args=["db", "status"])
            help_text = runner.invoke(args=["serve", "--help"]).output
            short = runner.invoke(args=["--help"]).output
        assert status.exit_code == 0, status.output
        assert "0001_initial  " in status.output and "⟦" in status.output
        assert "⟦Apply pending migrations and serve with waitress." in help_text
        assert "⟦Port to listen on.⟧" in help_text
        assert "⟦Database migrations.⟧" in short
    finally:
        db.close_all()
