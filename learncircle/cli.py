"""The `learncircle` command: serve, db upgrade/status, and one command per admin task."""
import os
import re
import sqlite3
import sys
from pathlib import Path
from urllib.parse import quote

import click
import peewee
from babel.numbers import format_decimal
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_babel import get_locale

from . import clock, db, memory, site
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .i18n import ngettext
from .meetings.commands import remind


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


class _Option(click.Option):
    """An option whose help is translated when it is shown: click reads a plain help string once, at import."""

    def __init__(self, *args, help=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._help = help

    @property
    def help(self):
        return None if self._help is None else str(self._help)

    @help.setter
    def help(self, value):
        self._help = value


def _option(*names, **attrs):
    return click.option(*names, cls=_Option, **attrs)


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False,
             load_dotenv=False, set_debug_flag=False,
             help=_l("Run and administer a LearnCircle instance. Settings come from instance/config.py "
                     "and LEARNCIRCLE_* environment variables."))
def main():
    pass


# The app is always LearnCircle, configured by its own settings: Flask's --app, --env-file and
# --debug options would only confuse an operator reading --help.
main.params = [param for param in main.params if param.name not in ("app", "env_file", "debug")]


def _apply_migrations():
    """Bring the database schema up to date, saying what changed."""
    for name in db.upgrade():
        click.echo(_("applied migration %(name)s", name=name))


# ---- serve --------------------------------------------------------------------------------------

@click.command(help=_l("Apply pending migrations and serve with waitress.\n\n"
                       "SIGTERM or Ctrl+C stops taking new connections, finishes the requests that have arrived "
                       "(for at most 10 seconds) and leaves the database in its one file. Connections are limited "
                       "and timed out by the CONNECTION_LIMIT and CONNECTION_TIMEOUT settings."))
@_option("--host", default="127.0.0.1", show_default=True,
         help=_l("Address to listen on (0.0.0.0 for every network interface)."))
@_option("--port", default=5000, show_default=True, type=int, help=_l("Port to listen on."))
@_option("--threads", default=4, show_default=True, type=int,
         help=_l("Worker threads (more rarely help: Python runs one at a time)."))
@with_appcontext
def serve(host, port, threads):
    """Apply pending migrations and serve with waitress (what --help says is above)."""
    from . import housekeeping, logs, serving
    from .mail import sender
    from .reviews import background_allocation

    _apply_migrations()
    logs.configure()
    memory.tune_allocator()
    app = current_app._get_current_object()
    if warning := serving.threads_warning(threads):
        click.echo(_("warning: %(warning)s", warning=warning), err=True)
    wanted = int(app.config["CONNECTION_LIMIT"])
    connections = serving.descriptor_room(wanted)
    if connections < wanted:
        click.echo(ngettext("warning: the open-file limit allows %(num)d connection, not CONNECTION_LIMIT=%(wanted)s; "
                            "raise it (systemd: LimitNOFILE=) to hold more.",
                            "warning: the open-file limit allows %(num)d connections, not CONNECTION_LIMIT=%(wanted)s; "
                            "raise it (systemd: LimitNOFILE=) to hold more.", connections, wanted=wanted), err=True)
    try:
        server = serving.Server(
            memory.returning_freed_memory(app), host=host, port=port, threads=threads,
            connection_limit=connections, connection_timeout=int(app.config["CONNECTION_TIMEOUT"]),
            body_limit=serving.BODY_LIMIT_FACTOR * app.config["MAX_CONTENT_LENGTH"],
            trust_proxy_headers=int(app.config["PROXY_COUNT"]) > 0)
    except OSError as error:
        raise click.ClickException(
            _("cannot listen on %(address)s (%(error)s). Is LearnCircle already running? Choose another port with "
              "--port (make run PORT=…).", address="%s:%s" % (host, port), error=error.strerror or error)) from None
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"
    click.echo(_("LearnCircle is running at %(url)s  (Ctrl+C to stop)", url=url))
    if host in ("0.0.0.0", "::"):
        click.echo(_("listening on every network interface, port %(port)s", port=port))
    memory.settle_after_start()
    # Reviewers are allocated in the background, at each round's deadline (reviews.background_allocation).
    allocation = background_allocation.worker(app)
    allocation.start()
    # The outbox is sent in the background too, when SMTP_HOST is set (mail.sender).
    mail_sender = sender.sender(app)
    mail_sender.start()
    # What has outlived its time (the audit log past its retention…) is deleted hourly (housekeeping).
    keeper = housekeeping.housekeeper(app)
    keeper.start()

    def stopping(busy):
        allocation.stop()  # an allocation under way finishes first, before the database is checkpointed
        mail_sender.stop()
        keeper.stop()
        most = ngettext("%(num)d second", "%(num)d seconds", serving.SHUTDOWN_TIMEOUT)
        click.echo(ngettext("LearnCircle is stopping: finishing %(num)d request in progress (for at most %(most)s)",
                            "LearnCircle is stopping: finishing %(num)d requests in progress (for at most %(most)s)",
                            busy, most=most))

    # systemd stops a service with SIGTERM: it ends like Ctrl+C, with every request that arrived answered.
    server.run(on_stopping=stopping)
    allocation.stop()
    mail_sender.stop()
    keeper.stop()
    click.echo(_("LearnCircle stopped"))


# ---- db -----------------------------------------------------------------------------------------

@click.group("db", help=_l("Database migrations."))
def db_group():
    """Database migrations."""


@db_group.command("upgrade", help=_l("Apply every pending migration."))
@with_appcontext
def db_upgrade():
    """Apply every pending migration."""
    applied = db.upgrade()
    click.echo("\n".join(_("applied %(name)s", name=name) for name in applied) or _("the database is up to date"))


@db_group.command("status", help=_l("List migrations and when each was applied."))
@with_appcontext
def db_status():
    """List migrations and when each was applied."""
    for name, applied in db.status():
        # The moment as ISO 8601 (UTC), the same for every language: it is read by operators and scripts.
        when = applied.strftime("%Y-%m-%d %H:%M") if applied else None
        click.echo(_("%(name)s  %(when)s applied", name=name, when=when) if applied
                   else _("%(name)s  pending", name=name))


# ---- create-admin -------------------------------------------------------------------------------

def _read_password(from_stdin):
    """The password exactly as typed: only the line ending of --password-stdin is removed."""
    from .accounts.models import MIN_PASSWORD_LENGTH

    if from_stdin:
        line = sys.stdin.readline()
        password = line.removesuffix("\n").removesuffix("\r")
    else:
        password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(ngettext("the password must be at least %(num)d character long.",
                                            "the password must be at least %(num)d characters long.",
                                            MIN_PASSWORD_LENGTH))
    return password


@click.command("create-admin", help=_l("Create an instance admin account."))
@click.argument("username")
@_option("--email", required=True, help=_l("The admin's email address."))
@_option("--display-name", default=None, help=_l("Name shown to others (default: the username)."))
@_option("--password-stdin", is_flag=True,
         help=_l("Read the password from the first line of standard input instead of prompting."))
@with_appcontext
def create_admin(username, email, display_name, password_stdin):
    """Create an instance admin account."""
    from .accounts.models import DEMO_USERNAME_PREFIX, USERNAME_PATTERN, User, is_reserved_username

    if not re.fullmatch(USERNAME_PATTERN, username):
        raise click.ClickException(_("a username has 3 to 30 letters, digits, dots, dashes or underscores."))
    if is_reserved_username(username):
        raise click.ClickException(_("usernames beginning with %(prefix)s are kept for the demo circle.",
                                     prefix=repr(DEMO_USERNAME_PREFIX)))
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email.strip()):
        raise click.ClickException(_("%(email)s is not an email address.", email=repr(email)))
    password = _read_password(password_stdin)
    with db.database.connection_context():
        _apply_migrations()
        try:
            user = User.register(username=username, email=email, password=password,
                                 display_name=display_name, is_admin=True)
        except peewee.IntegrityError:
            if User.by_login(username) is not None:
                raise click.ClickException(_("the username %(username)s is already taken.",
                                             username=repr(username.lower()))) from None
            raise click.ClickException(_("an account with the email %(email)s already exists.",
                                         email=repr(email.strip().lower()))) from None
    login_url = f"{site.public_url()}/login"
    click.echo(_("Created the instance admin %(username)s. Log in at %(url)s", username=repr(user.username),
                 url=login_url))


# ---- demo ---------------------------------------------------------------------------------------

@click.command(help=_l("Seed a demo circle with members, threads and replies."))
@with_appcontext
def demo():
    """Seed a demo circle with members, threads and replies."""
    from . import demo as demo_data

    with db.database.connection_context():
        _apply_migrations()
        try:
            seeded = demo_data.seed()
        except demo_data.DemoExists:
            raise click.ClickException(_("the demo circle %(address)s already exists; nothing was changed.",
                                         address="/c/" + demo_data.CIRCLE_SLUG)) from None
        except demo_data.DemoUsernameTaken as taken:
            raise click.ClickException(_("accounts named like the demo's members already exist (%(names)s); "
                                         "nothing was changed.", names=taken)) from None
        has_admin = _has_admin()

    base_url = site.public_url()
    click.echo(_("Seeded %(circle)s: %(members)s, %(threads)s.", circle=repr(seeded.circle.name),
                 members=ngettext("%(num)d member", "%(num)d members", len(seeded.people)),
                 threads=ngettext("%(num)d thread", "%(num)d threads", seeded.thread_count)))
    circle_url, login_url = f"{base_url}/c/{seeded.circle.slug}", f"{base_url}/login"
    click.echo(_("Open %(circle_url)s and log in at %(login_url)s as one of:", circle_url=circle_url,
                 login_url=login_url))
    for person in seeded.people:
        username = f"{person.username:<15}"
        if person.key == demo_data.OWNER:
            line = _("%(username)s %(name)s (%(zone)s, owner)", username=username, name=person.display_name,
                     zone=person.timezone)
        elif person.key in demo_data.FACILITATORS:
            line = _("%(username)s %(name)s (%(zone)s, facilitator)", username=username, name=person.display_name,
                     zone=person.timezone)
        else:
            line = _("%(username)s %(name)s (%(zone)s)", username=username, name=person.display_name,
                     zone=person.timezone)
        click.echo(f"  {line}")
    click.echo(_("Every demo account's password is: %(password)s", password=demo_data.DEMO_PASSWORD))
    if not has_admin:
        click.echo(_("This instance has no admin yet: create one with `learncircle create-admin USERNAME --email …`."))


def _has_admin():
    from .accounts.models import User
    return User.select().where(User.is_admin).exists()


# ---- backup -------------------------------------------------------------------------------------

def _human_size(size):
    if size < 1024:
        return ngettext("%(num)d byte", "%(num)d bytes", size)
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{format_decimal(size, format='#,##0.0', locale=get_locale() or 'en')} {unit}"


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
            raise click.ClickException(_("the copy failed its integrity check: %(verdict)s", verdict=verdict))
        os.replace(partial, target)
    finally:
        live.close()
        partial.unlink(missing_ok=True)
    return target.stat().st_size


@click.command(help=_l("Copy the SQLite database to DEST, safely while the server runs.\n\n"
                       "DEST is a file, or a folder (existing, or written with a trailing slash) that receives a file "
                       "named after the current UTC time, e.g. learncircle-20260302-090000.sqlite3."))
@click.argument("dest", type=click.Path())
@with_appcontext
def backup(dest):
    """Copy the SQLite database to DEST, safely while the server runs (what --help says is above)."""
    is_folder = dest.endswith(("/", os.sep)) or Path(dest).is_dir()
    dest = Path(dest)
    url = current_app.config["DATABASE_URL"]
    database = db.database.obj
    if not isinstance(database, peewee.SqliteDatabase):
        scheme = url.split(":", 1)[0]
        raise click.ClickException(
            _("`learncircle backup` copies SQLite databases only, and this instance uses %(scheme)s. Back up "
              "PostgreSQL with its own tool, e.g. `pg_dump --format=custom --file=learncircle.dump DBNAME`.",
              scheme=scheme))
    source = Path(database.database)
    if database.database == ":memory:" or not source.is_file():
        raise click.ClickException(_("there is no database file at %(path)s to back up.", path=source))
    if is_folder:
        dest = dest / f"learncircle-{clock.now():%Y%m%d-%H%M%S}.sqlite3"
    if dest.exists() and dest.resolve() == source.resolve():
        raise click.ClickException(_("the backup must not overwrite the live database."))
    try:
        size = backup_sqlite(source, dest)
    except (sqlite3.Error, OSError) as error:
        raise click.ClickException(_("the backup failed: %(error)s", error=error)) from None
    click.echo(_("Backed up %(source)s to %(target)s (%(size)s).", source=source, target=dest, size=_human_size(size)))


# ---- reset-password -----------------------------------------------------------------------------

@click.command("reset-password",
               help=_l("Print a one-time link that lets USERNAME set a new password (or set it from standard "
                       "input).\n\nThe link works once, for 24 hours; a newer link replaces it. Either way, once the "
                       "new password is set every session of the account ends."))
@click.argument("username")
@_option("--password-stdin", is_flag=True,
         help=_l("Set the password read from the first line of standard input instead of printing a link."))
@with_appcontext
def reset_password(username, password_stdin):
    """Print a one-time link for USERNAME to set a new password (what --help says is above)."""
    from flask import url_for

    from .accounts import resets
    from .accounts.models import User

    password = _read_password(True) if password_stdin else None
    with db.database.connection_context():
        _apply_migrations()
        user = User.by_login(username)
        if user is None:
            raise click.ClickException(_("there is no account with the username or email %(login)s.",
                                         login=repr(username.strip())))
        if password is not None:
            resets.set_directly(user, password)
            click.echo(_("Set a new password for %(username)s; every session of the account has ended.",
                         username=repr(user.username)))
            return
        token = resets.make(user)
    with current_app.test_request_context():
        path = url_for("accounts.reset_password", reset_token=token)
    with db.database.connection_context():
        link = site.absolute(path)  # outside the made-up request: the configured or stored address
    click.echo(ngettext("A link for %(username)s to set a new password (it works once, within %(num)d hour; pass "
                        "it on privately):",
                        "A link for %(username)s to set a new password (it works once, within %(num)d hours; pass "
                        "it on privately):", resets.RESET_LINK_HOURS, username=repr(user.username)))
    click.echo(link)


# ---- send-mail ----------------------------------------------------------------------------------

@click.command("send-mail", help=_l("Send every email that is due from the outbox, then stop.\n\n"
                                    "For cron or a systemd timer, beside or instead of the sending thread of "
                                    "`learncircle serve`: running both is safe, no mail is sent twice. Mail that "
                                    "cannot go out now waits in the outbox and is tried again later."))
@with_appcontext
def send_mail():
    """Send the due mail once through (what --help says is above)."""
    from . import logs, mail
    from .mail import sender

    app = current_app._get_current_object()
    if not mail.enabled(app):
        click.echo(_("This site sends no email: SMTP_HOST is not set."))
        return
    logs.configure()
    with db.database.connection_context():
        _apply_migrations()
    sent, failed = sender.send_all(app)
    click.echo(ngettext("%(num)d email sent.", "%(num)d emails sent.", sent))
    if failed:
        click.echo(ngettext("%(num)d email could not be sent now; it is tried again later.",
                            "%(num)d emails could not be sent now; they are tried again later.", failed), err=True)
        raise SystemExit(1)


# ---- prune --------------------------------------------------------------------------------------

@click.command(help=_l("Delete what has outlived its time, then stop: audit log entries older than "
                       "AUDIT_RETENTION_DAYS, and every other feature's expired rows.\n\nFor cron or a systemd "
                       "timer: `learncircle serve` does the same every hour. Running both is safe."))
@with_appcontext
def prune():
    """Run every housekeeping job once (what --help says is above)."""
    from . import housekeeping

    with db.database.connection_context():
        _apply_migrations()
        done = housekeeping.run()
    for name, count in done.items():
        click.echo(ngettext("%(job)s: %(num)d row deleted", "%(job)s: %(num)d rows deleted", count, job=name))


COMMANDS = (serve, db_group, create_admin, demo, backup, reset_password, send_mail, prune, remind)
for _command in COMMANDS:
    main.add_command(_command)


def init_app(app):
    for command in COMMANDS:
        app.cli.add_command(command)

