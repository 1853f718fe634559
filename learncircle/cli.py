"""The `learncircle` command: serve, db upgrade/status, and one command per admin task."""
import os
import re
import sqlite3
import sys
from pathlib import Path
from urllib.parse import quote

import click
import peewee
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import clock, db, memory, site


def _create_app():
    from . import create_app
    from .instance import InstanceError

    try:
        return create_app()
    except InstanceError as error:
        # One line and out, for every command and for --help: SystemExit passes the handlers that
        # would print a traceback (Flask's command listing catches every Exception).
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(1) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False,
             load_dotenv=False, set_debug_flag=False,
             help="Run and administer a LearnCircle instance. Settings come from instance/config.py "
                  "and LEARNCIRCLE_* environment variables.")
def main():
    pass


# The app is always LearnCircle, configured by its own settings: Flask's --app, --env-file and
# --debug options would only confuse an operator reading --help.
main.params = [param for param in main.params if param.name not in ("app", "env_file", "debug")]


def _apply_migrations():
    """Bring the database schema up to date, saying what changed."""
    for name in db.upgrade():
        click.echo(f"applied migration {name}")


# ---- serve --------------------------------------------------------------------------------------

@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every network interface).")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=4, show_default=True, type=int,
              help="Worker threads (more rarely help: Python runs one at a time).")
@with_appcontext
def serve(host, port, threads):
    """Apply pending migrations and serve with waitress.

    SIGTERM or Ctrl+C stops taking new connections, finishes the requests that have arrived (for at
    most 10 seconds) and leaves the database in its one file. Connections are limited and timed out
    by the CONNECTION_LIMIT and CONNECTION_TIMEOUT settings.
    """
    from . import logs, serving
    from .reviews import background_allocation

    _apply_migrations()
    logs.configure()
    memory.tune_allocator()
    app = current_app._get_current_object()
    if warning := serving.threads_warning(threads):
        click.echo(f"warning: {warning}", err=True)
    wanted = int(app.config["CONNECTION_LIMIT"])
    connections = serving.descriptor_room(wanted)
    if connections < wanted:
        click.echo(f"warning: the open-file limit allows {connections} connections, not CONNECTION_LIMIT={wanted}; "
                   f"raise it (systemd: LimitNOFILE=) to hold more.", err=True)
    try:
        server = serving.Server(
            memory.returning_freed_memory(app), host=host, port=port, threads=threads,
            connection_limit=connections, connection_timeout=int(app.config["CONNECTION_TIMEOUT"]),
            body_limit=serving.BODY_LIMIT_FACTOR * app.config["MAX_CONTENT_LENGTH"],
            trust_proxy_headers=int(app.config["PROXY_COUNT"]) > 0)
    except OSError as error:
        raise click.ClickException(
            f"cannot listen on {host}:{port} ({error.strerror or error}). "
            f"Is LearnCircle already running? Choose another port with --port (make run PORT=…).") from None
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"
    click.echo(f"LearnCircle is running at {url}  (Ctrl+C to stop)")
    if host in ("0.0.0.0", "::"):
        click.echo(f"listening on every network interface, port {port}")
    memory.settle_after_start()
    # Reviewers are allocated in the background, at each round's deadline (reviews.background_allocation).
    allocation = background_allocation.worker(app)
    allocation.start()

    def stopping(busy):
        allocation.stop()  # an allocation under way finishes first, before the database is checkpointed
        click.echo(f"LearnCircle is stopping: finishing {busy} request(s) in progress "
                   f"(for at most {serving.SHUTDOWN_TIMEOUT} seconds)")

    # systemd stops a service with SIGTERM: it ends like Ctrl+C, with every request that arrived answered.
    server.run(on_stopping=stopping)
    allocation.stop()
    click.echo("LearnCircle stopped")


# ---- db -----------------------------------------------------------------------------------------

@click.group("db")
def db_group():
    """Database migrations."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade():
    """Apply every pending migration."""
    applied = db.upgrade()
    click.echo("\n".join(f"applied {name}" for name in applied) or "the database is up to date")


@db_group.command("status")
@with_appcontext
def db_status():
    """List migrations and when each was applied."""
    for name, applied in db.status():
        click.echo(f"{name}  {applied:%Y-%m-%d %H:%M} applied" if applied else f"{name}  pending")


# ---- create-admin -------------------------------------------------------------------------------

def _read_password(from_stdin):
    """The password exactly as typed: only the line ending of --password-stdin is removed."""
    from .accounts.models import MIN_PASSWORD_LENGTH

    if from_stdin:
        line = sys.stdin.readline()
        password = line.removesuffix("\n").removesuffix("\r")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    return password


@click.command("create-admin")
@click.argument("username")
@click.option("--email", required=True, help="The admin's email address.")
@click.option("--display-name", default=None, help="Name shown to others (default: the username).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input instead of prompting.")
@with_appcontext
def create_admin(username, email, display_name, password_stdin):
    """Create an instance admin account."""
    from .accounts.models import DEMO_USERNAME_PREFIX, USERNAME_PATTERN, User, is_reserved_username

    if not re.fullmatch(USERNAME_PATTERN, username):
        raise click.ClickException("a username has 3 to 30 letters, digits, dots, dashes or underscores.")
    if is_reserved_username(username):
        raise click.ClickException(f"usernames beginning with {DEMO_USERNAME_PREFIX!r} are kept for the demo circle.")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email.strip()):
        raise click.ClickException(f"{email!r} is not an email address.")
    password = _read_password(password_stdin)
    with db.database.connection_context():
        _apply_migrations()
        try:
            user = User.register(username=username, email=email, password=password,
                                 display_name=display_name, is_admin=True)
        except peewee.IntegrityError:
            if User.by_login(username) is not None:
                raise click.ClickException(f"the username {username.lower()!r} is already taken.") from None
            raise click.ClickException(f"an account with the email {email.strip().lower()!r} already exists.") from None
    click.echo(f"Created the instance admin {user.username!r}. Log in at {site.public_url()}/login")


# ---- demo ---------------------------------------------------------------------------------------

@click.command()
@with_appcontext
def demo():
    """Seed a demo circle with members, threads and replies."""
    from . import demo as demo_data

    with db.database.connection_context():
        _apply_migrations()
        try:
            seeded = demo_data.seed()
        except demo_data.DemoExists:
            raise click.ClickException(
                f"the demo circle /c/{demo_data.CIRCLE_SLUG} already exists; nothing was changed.") from None
        except demo_data.DemoUsernameTaken as taken:
            raise click.ClickException(
                f"accounts named like the demo's members already exist ({taken}); nothing was changed.") from None
        has_admin = _has_admin()

    base_url = site.public_url()
    click.echo(f"Seeded {seeded.circle.name!r}: {len(seeded.people)} members, {seeded.thread_count} threads.")
    click.echo(f"Open {base_url}/c/{seeded.circle.slug} and log in at {base_url}/login as one of:")
    roles = {demo_data.OWNER: ", owner", **{name: ", facilitator" for name in demo_data.FACILITATORS}}
    for person in seeded.people:
        click.echo(f"  {person.username:<15} {person.display_name} ({person.timezone}{roles.get(person.key, '')})")
    click.echo(f"Every demo account's password is: {demo_data.DEMO_PASSWORD}")
    if not has_admin:
        click.echo("This instance has no admin yet: create one with `learncircle create-admin USERNAME --email …`.")


def _has_admin():
    from .accounts.models import User
    return User.select().where(User.is_admin).exists()


# ---- backup -------------------------------------------------------------------------------------

def _human_size(size):
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024


def backup_sqlite(source, target):
    """Copy a live SQLite database into one self-contained file with SQLite's online backup API.

    The copy is a consistent snapshot even while the server writes: in WAL mode the backup reads
    one snapshot and never blocks writers. It is written beside the target and renamed into place,
    so a crash never leaves a half-written backup under the final name.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    # mode=rw: a mistyped path must fail instead of creating an empty database.
    live = sqlite3.connect(f"file:{quote(str(source))}?mode=rw", uri=True, timeout=30)
    try:
        partial.touch(mode=0o600)  # a backup holds email addresses and password hashes
        copy = sqlite3.connect(partial)
        try:
            live.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # a single file, with no -wal beside it
            (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
        finally:
            copy.close()
        if verdict != "ok":
            raise click.ClickException(f"the copy failed its integrity check: {verdict}")
        os.replace(partial, target)
    finally:
        live.close()
        partial.unlink(missing_ok=True)
    return target.stat().st_size


@click.command()
@click.argument("dest", type=click.Path())
@with_appcontext
def backup(dest):
    """Copy the SQLite database to DEST, safely while the server runs.

    DEST is a file, or a folder (existing, or written with a trailing slash) that receives a file
    named after the current UTC time, e.g. learncircle-20260302-090000.sqlite3.
    """
    is_folder = dest.endswith(("/", os.sep)) or Path(dest).is_dir()
    dest = Path(dest)
    url = current_app.config["DATABASE_URL"]
    database = db.database.obj
    if not isinstance(database, peewee.SqliteDatabase):
        scheme = url.split(":", 1)[0]
        raise click.ClickException(
            f"`learncircle backup` copies SQLite databases only, and this instance uses {scheme}. "
            "Back up PostgreSQL with its own tool, e.g. `pg_dump --format=custom --file=learncircle.dump DBNAME`.")
    source = Path(database.database)
    if database.database == ":memory:" or not source.is_file():
        raise click.ClickException(f"there is no database file at {source} to back up.")
    if is_folder:
        dest = dest / f"learncircle-{clock.now():%Y%m%d-%H%M%S}.sqlite3"
    if dest.exists() and dest.resolve() == source.resolve():
        raise click.ClickException("the backup must not overwrite the live database.")
    try:
        size = backup_sqlite(source, dest)
    except (sqlite3.Error, OSError) as error:
        raise click.ClickException(f"the backup failed: {error}") from None
    click.echo(f"Backed up {source} to {dest} ({_human_size(size)}).")


# ---- reset-password -----------------------------------------------------------------------------

@click.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True,
              help="Set the password read from the first line of standard input instead of printing a link.")
@with_appcontext
def reset_password(username, password_stdin):
    """Print a one-time link that lets USERNAME set a new password (or set it from standard input).

    The link works once, for 24 hours; a newer link replaces it. Either way, once the new password is
    set every session of the account ends.
    """
    from flask import url_for

    from .accounts import resets
    from .accounts.models import User

    password = _read_password(True) if password_stdin else None
    with db.database.connection_context():
        _apply_migrations()
        user = User.by_login(username)
        if user is None:
            raise click.ClickException(f"there is no account with the username or email {username.strip()!r}.")
        if password is not None:
            resets.set_directly(user, password)
            click.echo(f"Set a new password for {user.username!r}; every session of the account has ended.")
            return
        token = resets.make(user)
    with current_app.test_request_context():
        path = url_for("accounts.reset_password", reset_token=token)
    with db.database.connection_context():
        link = site.absolute(path)  # outside the made-up request: the configured or stored address
    click.echo(f"A link for {user.username!r} to set a new password (it works once, within "
               f"{resets.RESET_LINK_HOURS} hours; pass it on privately):")
    click.echo(link)


COMMANDS = (serve, db_group, create_admin, demo, backup, reset_password)
for _command in COMMANDS:
    main.add_command(_command)


def init_app(app):
    for command in COMMANDS:
        app.cli.add_command(command)

