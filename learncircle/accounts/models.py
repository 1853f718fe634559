"""People: accounts, their profile, and the password and session rules that protect them."""
import datetime as dt
import re
import secrets

import peewee
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin

from .. import clock, text
from ..db import BaseModel, database

# OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): affordable on a Raspberry Pi, unlike the
# library's 64 MiB default which makes each login cost a noticeable share of a Pi's memory.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,30}$"
# Kept for `learncircle demo`'s accounts, so seeding the demo never collides with a real person.
DEMO_USERNAME_PREFIX = "demo-"
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
DISPLAY_NAME_MAX, PRONOUNS_MAX, BIO_MAX = 80, 40, 2000
# A suspension "until lifted" ends at this date: one comparison with the clock decides, whatever the kind.
SUSPENDED_INDEFINITELY = dt.datetime(9000, 1, 1)


def is_reserved_username(username):
    """Whether a username is kept for the demo's accounts (registration and create-admin refuse it)."""
    return (username or "").strip().lower().startswith(DEMO_USERNAME_PREFIX)


class SetupAlreadyDone(Exception):
    """The instance already has an account, so first-run setup is over."""


class User(UserMixin, BaseModel):
    username = peewee.CharField(max_length=30, unique=True)  # stored lower-case
    email = peewee.CharField(max_length=254, unique=True)  # stored lower-case
    display_name = peewee.CharField(max_length=80)
    pronouns = peewee.CharField(max_length=40, default="")
    bio = peewee.TextField(default="")
    bio_html = peewee.TextField(default="")
    timezone = peewee.CharField(max_length=64, default="UTC")
    language = peewee.CharField(max_length=16, default="")  # a shipped language's code; empty: the browser's
    password_hash = peewee.CharField(max_length=255)
    # No longer read: every sign-in is a LoginSession row (sessions.py). The column stays in the schema.
    session_token = peewee.CharField(max_length=64, default="")
    is_admin = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=clock.now)
    # Your data (deletion.py): asked to be deleted then (a grace period follows), taking their posts or not; and
    # deleted then: the row stays scrubbed, as the "deleted member" kept posts show (an empty display_name).
    deletion_requested_at = peewee.DateTimeField(null=True)
    deletion_removes_posts = peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")])
    deleted_at = peewee.DateTimeField(null=True)
    # Suspended by an instance admin (admin/accounts.py) until then (SUSPENDED_INDEFINITELY: until lifted), and why:
    # no sign-in and no session meanwhile. It lifts by itself when the clock passes it.
    suspended_until = peewee.DateTimeField(null=True)
    suspended_reason = peewee.CharField(max_length=300, default="", constraints=[peewee.SQL("DEFAULT ''")])

    # Set on the person a request is signed in as (sessions.start and sessions.load).
    login_session = None
    cookie_id = None

    # One person is one account, whichever session it was loaded through: compare as Peewee rows,
    # not by Flask-Login's get_id(), which names a session.
    __eq__ = BaseModel.__eq__
    __ne__ = BaseModel.__ne__
    __hash__ = BaseModel.__hash__

    @property
    def is_suspended(self):
        """Whether an instance admin's suspension holds now."""
        return self.suspended_until is not None and self.suspended_until > clock.now()

    @property
    def suspended_indefinitely(self):
        return self.suspended_until is not None and self.suspended_until >= SUSPENDED_INDEFINITELY

    def get_id(self):
        """What the login cookie carries: the signed-in session, never the account alone."""
        if self.cookie_id is None:
            raise RuntimeError("sign a person in with accounts.sessions.start(), which records the session")
        return self.cookie_id

    @classmethod
    def from_session_id(cls, session_id):
        """Return the user a login cookie names, or None when that session has ended."""
        from .sessions import load
        return load(session_id)

    @classmethod
    def by_login(cls, login):
        """Find an account by username or email, case-insensitively."""
        login = (login or "").strip().lower()
        field = cls.email if "@" in login else cls.username
        return cls.get_or_none(field == login)

    @classmethod
    def by_username(cls, username):
        return cls.get_or_none(cls.username == username.lower())

    @classmethod
    def authenticate(cls, login, password):
        """Return the account that login and password name, or None."""
        user = cls.by_login(login)
        if user is None:
            _verify_nothing(password)  # so the answer time does not tell which accounts exist
            return None
        return user if user.check_password(password) else None

    @classmethod
    def exists(cls):
        return cls.select().limit(1).exists()

    @classmethod
    def create_first_admin(cls, **fields):
        """Create the instance admin; raise SetupAlreadyDone once any account exists."""
        # Check and insert share one write transaction (IMMEDIATE on SQLite): two people sending
        # the setup form at once cannot both become admin.
        with database.atomic():
            if cls.exists():
                raise SetupAlreadyDone()
            return cls.register(is_admin=True, **fields)

    @classmethod
    def register(cls, *, username, email, password, display_name=None, timezone="UTC", is_admin=False,
                 password_hash=None):
        """Create an account; raises peewee.IntegrityError when the username or email is taken.
        password_hash: one made earlier (a registration confirmed by mail), instead of the password."""
        with database.atomic():
            return cls.create(
                username=username.strip().lower(),
                email=email.strip().lower(),
                display_name=(display_name or username).strip(),
                timezone=timezone or "UTC",
                password_hash=password_hash or hash_password(password),
                is_admin=is_admin,
            )

    def check_password(self, password):
        try:
            _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher.check_needs_rehash(self.password_hash):
            self.password_hash = hash_password(password)
            self.save(only=[User.password_hash])
        return True

    def set_password(self, password, keep_session=None):
        """Change the password and end every session of this account but keep_session (an id)."""
        from .sessions import end_all
        with database.atomic():
            self.password_hash = hash_password(password)
            self.save(only=[User.password_hash])
            end_all(self, keep=keep_session)

    def end_all_sessions(self, keep_session=None):
        """Sign the account out everywhere (but the session whose id is keep_session)."""
        from .sessions import end_all
        return end_all(self, keep=keep_session)

    def update_profile(self, *, display_name, bio, timezone, pronouns, language=None):
        """Save the profile; language None leaves it as it is, "" follows the browser."""
        if language is not None:
            self.language = language
        self.display_name = display_name.strip()
        self.bio = bio
        self.bio_html = text.render_markdown(bio)
        self.timezone = timezone
        self.pronouns = pronouns.strip()
        self.save()


def taken_field(error):
    """Name the field ("username" or "email") whose unique constraint an IntegrityError reports."""
    # First line only: PostgreSQL adds a DETAIL line quoting the typed value, which could mislead.
    summary = str(error).splitlines()[0] if str(error) else ""
    return "email" if re.search(r"user[._]email\b", summary) else "username"


_unknown_account_hash = None


def _verify_nothing(password):
    """Spend the time of a real password check against a hash that matches nothing."""
    global _unknown_account_hash
    if _unknown_account_hash is None:
        _unknown_account_hash = hash_password(secrets.token_hex(16))
    try:
        _hasher.verify(_unknown_account_hash, password)
    except (VerificationError, InvalidHashError):
        pass


def hash_password(password):
    """Hash exactly what was typed: no trimming or normalisation."""
    return _hasher.hash(password)
