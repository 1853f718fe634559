"""One-time form keys: a thread or reply sent twice (double click, retry) is stored once.

Each form carries a fresh random key. The write that a form causes records its key in the same
transaction, so a second arrival of the same key hits the unique constraint and the view answers
with what the first one created instead of storing it again. Keys older than KEEP_FOR are forgotten
by a claim at most once every PRUNE_EVERY: a write that happens anyway, never a page view.
"""
import datetime as dt
import secrets
import threading

import peewee
from flask_wtf import FlaskForm
from wtforms import HiddenField

from . import clock
from .accounts.models import User
from .db import BaseModel

KEEP_FOR = dt.timedelta(days=2)
PRUNE_EVERY = dt.timedelta(hours=1)

_pruning = threading.Lock()
_last_pruned = None  # when this process last forgot old keys (clock time)


class UsedFormKey(BaseModel):
    key = peewee.CharField(max_length=64, unique=True)
    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    result_url = peewee.CharField(max_length=500, default="")
    used_at = peewee.DateTimeField(default=clock.now, index=True)


class DuplicateSubmission(Exception):
    """The form with this key was already handled; result_url is where its result lives."""

    def __init__(self, result_url):
        super().__init__(result_url)
        self.result_url = result_url


def new_key():
    return secrets.token_urlsafe(24)


def claim(key, user):
    """Record key as used by user inside the caller's transaction, or raise DuplicateSubmission.

    Call inside database.atomic(); the savepoint keeps the caller's transaction usable.
    """
    from .db import database

    if not key:
        return None
    try:
        with database.atomic():
            claimed = UsedFormKey.create(key=key[:64], user=user)
    except peewee.IntegrityError:
        previous = UsedFormKey.get_or_none(UsedFormKey.key == key[:64])
        raise DuplicateSubmission(previous.result_url if previous else "") from None
    if _prune_due():
        forget_old()
    return claimed


def _prune_due():
    """True once per PRUNE_EVERY in this process (and again whenever the clock was set back)."""
    global _last_pruned
    now = clock.now()
    with _pruning:
        if _last_pruned is not None and _last_pruned <= now < _last_pruned + PRUNE_EVERY:
            return False
        _last_pruned = now
        return True


def record_result(claimed, url):
    if claimed is not None:
        UsedFormKey.update(result_url=url).where(UsedFormKey.id == claimed.id).execute()


def forget_old():
    """Drop keys too old to be a retry of anything."""
    return UsedFormKey.delete().where(UsedFormKey.used_at < clock.now() - KEEP_FOR).execute()


class OneTimeForm(FlaskForm):
    """A form that carries a fresh one-time key (kept when the form is re-shown with errors)."""

    form_key = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.form_key.data:
            self.form_key.data = new_key()

    @classmethod
    def blank(cls):
        """An empty form to show under a page (the thread page's reply box).

        Without its own CSRF field: the templates write the token with csrf_token(), and building the
        field costs a tenth of a short page. A submitted form is still checked by CSRFProtect.
        """
        return cls(formdata=None, meta={"csrf": False})


def init_app(app):
    # `one_time_key()` in a template: a fresh key for a form written by hand (no form object).
    app.jinja_env.globals["one_time_key"] = new_key
