"""Each member's private calendar address: a secret in the URL, of which only a hash is stored.

The address reads that member's meetings and nothing else; making a new one ends the old one, and revoking
ends it with no new one. Whoever holds it reads the calendar without signing in (calendar programs cannot),
so the secret is long (32 random bytes); a member who thinks it leaked makes a new one.
"""
import hashlib
import secrets

from .. import clock
from ..accounts.models import User
from ..db import database
from .models import CalendarFeed

TOKEN_BYTES = 32


def _hash(token):
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def make(user):
    """A new secret address for user, replacing any earlier one; returns its token (shown once)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with database.atomic():
        CalendarFeed.delete().where(CalendarFeed.user == user.id).execute()
        CalendarFeed.create(user=user.id, token_hash=_hash(token), created_at=clock.now())
    return token


def revoke(user):
    """End user's address; whether there was one."""
    with database.atomic():
        return CalendarFeed.delete().where(CalendarFeed.user == user.id).execute() > 0


def feed_of(user):
    """user's CalendarFeed row (when it was made), or None."""
    return CalendarFeed.get_or_none(CalendarFeed.user == user.id)


def owner(token):
    """The member a token is the address of, or None (a wrong or revoked token, a suspended or deleted account)."""
    if not token or len(token) > 200:
        return None
    user = (User.select().join(CalendarFeed, on=(CalendarFeed.user == User.id))
            .where(CalendarFeed.token_hash == _hash(token)).first())
    if user is None or user.is_suspended or user.deleted_at is not None:
        return None
    return user
