"""In-app notices: a reminder or news for one person, read or not, linking to where to act.

Stored as a kind and its parameters (kinds.py), and said in the reader's language when shown.
"""
import json

import peewee

from .. import clock
from ..accounts.models import User
from ..circles.models import Circle
from ..db import BaseModel, Prepared, database
from ..people import models as blocking
from . import kinds


class Notice(BaseModel):
    user = peewee.ForeignKeyField(User, backref="notices", on_delete="CASCADE")
    circle = peewee.ForeignKeyField(Circle, null=True, on_delete="CASCADE")
    kind = peewee.CharField(max_length=40)
    params = peewee.TextField(default="{}")  # JSON: the kind's parameters
    url = peewee.CharField(max_length=500, default="")
    created_at = peewee.DateTimeField(default=clock.now)
    read_at = peewee.DateTimeField(null=True)

    class Meta:
        # Unread ones (the header's count, marking them read), and all of them newest first (the notices page).
        indexes = ((("user", "read_at", "created_at"), False), (("user", "created_at"), False))

    @property
    def is_read(self):
        return self.read_at is not None

    @property
    def text(self):
        """What the notice says, in the language of the page showing it."""
        try:
            params = json.loads(self.params or "{}")
        except ValueError:
            params = {}
        return kinds.render(self.kind, params if isinstance(params, dict) else {})

    @classmethod
    def send(cls, users, message, url="", circle=None, at=None, sender=None):
        """Give each of users (accounts or ids) the same notice, a kinds.Message; return how many were sent.
        `at`: when it happened, if not now (the time the notice is dated and sorted by). `sender`: the person
        (account or id) whose action it tells of, if one did: whoever blocked them is left out, and so gets
        no mail either (one query for all; people/). Moderation and peer review name no sender."""
        if not isinstance(message, kinds.Message):
            raise TypeError("Notice.send takes a message made by learncircle.notices.kinds, not text: "
                            "a notice is said in its reader's language")
        user_ids = list(dict.fromkeys(getattr(user, "id", user) for user in users))
        if user_ids and sender is not None:
            blockers = blocking.blockers_among(user_ids, sender)
            user_ids = [user_id for user_id in user_ids if user_id not in blockers]
        if not user_ids:
            return 0
        now, params = at or clock.now(), message.stored()
        rows = [{"user": user_id, "circle": circle, "kind": message.kind, "params": params, "url": url or "",
                 "created_at": now} for user_id in user_ids]
        from ..mail.notify import notices_sent

        with database.atomic():
            for start in range(0, len(rows), 100):
                cls.insert_many(rows[start:start + 100]).execute()
            notices_sent(user_ids, message, url, at)  # mail for those who want it at once, in this transaction
        return len(user_ids)

    @classmethod
    def unread_about(cls, user_id, kind, url):
        """A person's unread notice of kind about one page, or None: the notice that repeated events (reactions
        to a post) gather in, said anew as they come, until it is read."""
        return (cls.select().where((cls.user == user_id) & cls.read_at.is_null() & (cls.kind == kind)
                                   & (cls.url == url))
                .order_by(cls.id.desc()).first())

    def restate(self, message):
        """Say something new in this notice (a kinds.Message), in its place in the list."""
        self.kind, self.params = message.kind, message.stored()
        self.save(only=[Notice.kind, Notice.params])

    # A notice dated later than now (about a scheduled prompt) waits for its time: every list and count asks
    # the clock, like the prompt itself, so nothing has to run at that moment.

    @classmethod
    def unread_count(cls, user):
        """How many notices a person has not read: the header asks on every page."""
        return cls._unread_count.raw(user.id, _stored_time(clock.now()))[0][0]

    @Prepared
    def _unread_count(user_id, now: str):
        return (Notice.select(peewee.fn.COUNT(Notice.id))
                .where((Notice.user == user_id) & Notice.read_at.is_null() & (Notice.created_at <= now)))

    @classmethod
    def recent_for(cls, user):
        """All of a person's notices, newest first (paginate it)."""
        return (cls.select().where((cls.user == user) & (cls.created_at <= clock.now()))
                .order_by(cls.created_at.desc(), cls.id.desc()))

    @classmethod
    def mark_read(cls, user):
        """Mark all of a person's notices read; return how many changed."""
        now = clock.now()
        with database.atomic():
            return cls.update(read_at=now).where((cls.user == user) & cls.read_at.is_null()
                                                 & (cls.created_at <= now)).execute()

    @classmethod
    def mark_one_read(cls, user, notice_id):
        """Mark one of a person's notices read; False when they have no such notice (or it is not shown yet)."""
        now = clock.now()
        with database.atomic():
            found = cls.update(read_at=peewee.fn.COALESCE(cls.read_at, now)).where(
                (cls.id == notice_id) & (cls.user == user) & (cls.created_at <= now)).execute()
        return found > 0


def _stored_time(moment):
    """A UTC moment written as SQLite's driver stores one (a prepared query's parameter is text; PostgreSQL
    reads the same text as a timestamp)."""
    return moment.isoformat(sep=" ")
