"""The outbox (one row per email to send, kept once sent) and each member's choices per kind of mail."""
import peewee

from .. import clock
from ..accounts.models import User
from ..db import BaseModel


class Outbox(BaseModel):
    # Account mails (a reset link, an address check) go to an address that may be no one's account yet.
    user = peewee.ForeignKeyField(User, null=True, on_delete="CASCADE")
    address = peewee.CharField(max_length=254)
    kind = peewee.CharField(max_length=40)
    subject = peewee.CharField(max_length=300)
    text = peewee.TextField()
    html = peewee.TextField()
    headers = peewee.TextField(default="{}")  # JSON: List-Unsubscribe and the like
    message_id = peewee.CharField(max_length=200)  # the same on every try, so a receiver can drop a repeat
    created_at = peewee.DateTimeField(default=clock.now)
    attempts = peewee.IntegerField(default=0)
    # Not before: the back-off after a failure (or a later start asked by the caller).
    next_attempt_at = peewee.DateTimeField(default=clock.now)
    claimed_at = peewee.DateTimeField(null=True)
    claimed_by = peewee.CharField(max_length=40, default="")
    sent_at = peewee.DateTimeField(null=True)
    last_error = peewee.TextField(default="")

    class Meta:
        table_name = "mail_outbox"
        # The claim query: unsent rows that are due, oldest first.
        indexes = ((("sent_at", "next_attempt_at"), False),)


class MailPreference(BaseModel):
    """A member's choice for one category of mail; no row: the category's default (preferences.DEFAULTS)."""
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", index=False)
    category = peewee.CharField(max_length=20)
    frequency = peewee.CharField(max_length=10)

    class Meta:
        table_name = "mail_preference"
        indexes = ((("user", "category"), True),)


class MailDigest(BaseModel):
    """When a member's last daily and weekly digest went (or was skipped, having nothing new): the next one
    covers what came since."""
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", unique=True)
    daily_at = peewee.DateTimeField(null=True)
    weekly_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "mail_digest"


class PendingAccount(BaseModel):
    """A registration waiting for its address to be confirmed. The mailed link names it by id and a random
    nonce, so the chosen password's hash stays here and never travels in a mail."""
    nonce = peewee.CharField(max_length=64)
    username = peewee.CharField(max_length=30)
    email = peewee.CharField(max_length=254)
    display_name = peewee.CharField(max_length=80, default="")
    timezone = peewee.CharField(max_length=64, default="UTC")
    password_hash = peewee.CharField(max_length=255)
    invite = peewee.CharField(max_length=200, default="")
    created_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        table_name = "mail_pending_account"
        indexes = ((("created_at",), False),)  # clearing out the ones whose link has expired
