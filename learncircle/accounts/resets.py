"""One-time links to set a new password, made by `learncircle reset-password` until LearnCircle sends mail.

Only the SHA-256 of a link's token is stored, so a copy of the database opens no account. A link
works once and for RESET_LINK_HOURS; making a new one for the same person replaces the old one.
"""
import datetime as dt
import hashlib
import secrets

import peewee

from .. import clock
from ..db import BaseModel, database
from .models import User

RESET_LINK_HOURS = 24
_TOKEN_MAX = 100


class LinkUsed(Exception):
    """The link was used (or replaced) between showing the form and sending it."""


class PasswordReset(BaseModel):
    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    token_hash = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField(default=clock.now)
    expires_at = peewee.DateTimeField()

    class Meta:
        table_name = "password_reset"


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def make(user):
    """A new link's token for user (shown once, never stored); earlier links of theirs stop working."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with database.atomic():
        PasswordReset.delete().where(PasswordReset.user == user).execute()
        PasswordReset.create(user=user, token_hash=_digest(token), created_at=now,
                             expires_at=now + dt.timedelta(hours=RESET_LINK_HOURS))
    return token


def find(token):
    """The unexpired reset a link's token names (with its person), or None."""
    if not token or len(token) > _TOKEN_MAX or not token.isascii():
        return None
    reset = (PasswordReset.select(PasswordReset, User).join(User)
             .where(PasswordReset.token_hash == _digest(token)).first())
    if reset is None or reset.expires_at <= clock.now():
        return None
    return reset


def use(reset, password):
    """Set the new password, end every session of the account, and spend the link (LinkUsed if it was)."""
    with database.atomic():
        spent = PasswordReset.delete().where(PasswordReset.id == reset.id).execute()
        if not spent:
            raise LinkUsed()
        reset.user.set_password(password)
        PasswordReset.delete().where(PasswordReset.user == reset.user).execute()


def set_directly(user, password):
    """Set a password typed by the operator: every session ends and any outstanding link stops working."""
    with database.atomic():
        user.set_password(password)
        PasswordReset.delete().where(PasswordReset.user == user).execute()
