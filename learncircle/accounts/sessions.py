"""Signed-in browsers: one row per sign-in, named by the login and remember-me cookies.

A cookie carries "<row id>:<secret>"; the row keeps only the secret's SHA-256, so a copy of the
database does not sign anyone in. Signing out deletes the row, after which a copied cookie names
nothing. A session ends when it has not been used for SESSION_IDLE_DAYS, and in any case
REMEMBER_DAYS after its sign-in, which is also how long the remember-me cookie lasts.
"""
import datetime as dt
import functools
import hashlib
import re
import secrets

import peewee
from flask import current_app, has_app_context

from .. import clock, config
from ..db import BaseModel, Prepared, database
from ..i18n import gettext
from .models import User

# "Last seen" is a convenience for the sessions list, so it is written at most this often: a page
# view that only reads stays a read.
LAST_SEEN_EVERY = dt.timedelta(hours=1)
BROWSER_MAX = 80
_LARGEST_ID = 2**63 - 1


class LoginSession(BaseModel):
    user = peewee.ForeignKeyField(User, backref="login_sessions", on_delete="CASCADE")
    secret_hash = peewee.CharField(max_length=64)
    remembered = peewee.BooleanField(default=False)
    browser = peewee.CharField(max_length=BROWSER_MAX, default="")
    created_at = peewee.DateTimeField(default=clock.now)
    last_seen_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        table_name = "login_session"
        indexes = ((("user", "last_seen_at"), False),)

    @Prepared
    def _with_user(session_id):
        """The session and its person in one query: it runs for every signed-in request."""
        return (LoginSession.select(LoginSession.id, LoginSession.user, LoginSession.secret_hash,
                                    LoginSession.created_at, LoginSession.last_seen_at, User)
                .join(User).where(LoginSession.id == session_id).limit(1))


def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def _lifetimes():
    """(how long unused, how long at most) a session lives: the settings, or their defaults outside the app."""
    settings = current_app.config if has_app_context() else config.defaults("")
    return _as_days(settings["SESSION_IDLE_DAYS"], settings["REMEMBER_DAYS"])


@functools.lru_cache(maxsize=8)
def _as_days(idle, longest):
    return dt.timedelta(days=int(idle)), dt.timedelta(days=int(longest))


def _is_live(row, now):
    idle, longest = _lifetimes()
    return now - row.last_seen_at < idle and now - row.created_at < longest


def start(user, *, user_agent="", remember=False):
    """Record a sign-in of user; return the value the login cookie carries and attach it to user."""
    secret = secrets.token_urlsafe(24)
    now = clock.now()
    with database.atomic():
        _forget_ended(user, now)
        row = LoginSession.create(user=user, secret_hash=_digest(secret), remembered=remember,
                                  browser=describe_browser(user_agent), created_at=now, last_seen_at=now)
    user.login_session = row
    user.cookie_id = f"{row.id}:{secret}"
    return user.cookie_id


def _forget_ended(user, now):
    """Delete the person's sessions that have ended, so the table holds live ones only (give or take)."""
    idle, longest = _lifetimes()
    (LoginSession.delete()
     .where((LoginSession.user == user)
            & ((LoginSession.last_seen_at <= now - idle) | (LoginSession.created_at <= now - longest)))
     .execute())


def load(cookie_id):
    """The person a login cookie names, with .login_session set; None once that session has ended."""
    session_id, _, secret = str(cookie_id).partition(":")
    if not session_id.isdigit() or not secret or int(session_id) > _LARGEST_ID:
        return None
    row = LoginSession._with_user.first(int(session_id))
    if row is None or not secrets.compare_digest(row.secret_hash, _digest(secret)):
        return None
    now = clock.now()
    if not _is_live(row, now):
        return None
    # Suspending ends the sessions; this refuses one begun meanwhile, and a copied cookie. Read, not written.
    if row.user.suspended_until is not None and row.user.suspended_until > now:
        return None
    if now - row.last_seen_at >= LAST_SEEN_EVERY:
        _seen(row, now)
    user = row.user
    user.login_session = row
    user.cookie_id = str(cookie_id)
    return user


def _seen(row, now):
    """Move last seen forward; best effort, as a busy database must not fail the page for it."""
    try:
        LoginSession.update(last_seen_at=now).where(LoginSession.id == row.id).execute()
    except peewee.OperationalError:
        current_app.logger.warning("could not record that session %s was used (the database is busy)", row.id)
        return
    row.last_seen_at = now


def active(user):
    """The person's live sessions, the most recently used first."""
    now = clock.now()
    idle, longest = _lifetimes()
    return list(LoginSession.select()
                .where((LoginSession.user == user) & (LoginSession.last_seen_at > now - idle)
                       & (LoginSession.created_at > now - longest))
                .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc()))


def end(user, session_id):
    """End one of the person's sessions; False when it is not theirs or already over."""
    return bool(LoginSession.delete()
                .where((LoginSession.id == session_id) & (LoginSession.user == user)).execute())


def end_all(user, keep=None):
    """End every session of the person, except the one whose id is keep."""
    query = LoginSession.delete().where(LoginSession.user == user)
    if keep is not None:
        query = query.where(LoginSession.id != keep)
    return query.execute()


# ---- what the sessions list calls a browser -----------------------------------------------------

# Checked in order: Edge and Opera say "Chrome" too, and Chrome says "Safari".
_BROWSERS = (("Edge?", "Edge"), ("OPR", "Opera"), ("SamsungBrowser", "Samsung Internet"), ("Firefox", "Firefox"),
             ("FxiOS", "Firefox"), ("CriOS", "Chrome"), ("Chromium", "Chromium"), ("Chrome", "Chrome"),
             ("Safari", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("CrOS", "ChromeOS"),
            ("Windows", "Windows"), ("Macintosh", "macOS"), ("Linux", "Linux"))


def describe_browser(user_agent):
    """A short, honest name for a User-Agent, such as "Firefox on Android"; "Unknown browser" otherwise.

    Only the few families people recognise are told apart: the sessions list needs a hint to tell
    one's phone from one's laptop, not an exact version.
    """
    agent = user_agent or ""
    browser = next((name for token, name in _BROWSERS if re.search(rf"\b{token}/", agent)), None)
    system = next((name for token, name in _SYSTEMS if token in agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "Unknown browser")


_DESCRIBED = re.compile(r"^(?:A browser|(?P<browser>.+?)) on (?P<system>.+)$")


def browser_label(described):
    """A stored description (describe_browser's words, kept as they were) in the reader's language."""
    found = _DESCRIBED.match(described or "")
    if found is None:
        return described if described and described != "Unknown browser" else gettext("Unknown browser")
    if found["browser"] is None:
        return gettext("A browser on %(system)s", system=found["system"])
    # TRANSLATORS: a browser and the system it runs on, such as "Firefox on Android".
    return gettext("%(browser)s on %(system)s", browser=found["browser"], system=found["system"])
