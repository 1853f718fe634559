"""In-app notices: a reminder or news for one person, read or not, linking to where to act.

Stored as a kind and its parameters (kinds.py), and said in the reader's language when shown.
"""
import json

import peewee

from .. import clock
from ..accounts.models import User
from ..circles.models import Circle
from ..db import BaseModel, Prepared, database
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
    def send(cls, users, message, url="", circle=None):
        """Give each of users (accounts or ids) the same notice, a kinds.Message; return how many were sent."""
        if not isinstance(message, kinds.Message):
            raise TypeError("Notice.send takes a message made by learncircle.notices.kinds, not text: "
                            "a notice is said in its reader's language")
        user_ids = list(dict.fromkeys(getattr(user, "id", user) for user in users))
        if not user_ids:
            return 0
        now, params = clock.now(), message.stored()
        rows = [{"user": user_id, "circle": circle, "kind": message.kind, "params": params, "url": url or "",
                 "created_at": now} for user_id in user_ids]
        with database.atomic():
            for start in range(0, len(rows), 100):
                cls.insert_many(rows[start:start + 100]).execute()
        return len(user_ids)

    @classmethod
    def unread_count(cls, user):
        """How many notices a person has not read: the header asks on every page."""
        return cls._unread_count.raw(user.id)[0][0]

    @Prepared
    def _unread_count(user_id):
        return (Notice.select(peewee.fn.COUNT(Notice.id))
                .where((Notice.user == user_id) & Notice.read_at.is_null()))

    @classmethod
    def recent_for(cls, user):
        """All of a person's notices, newest first (paginate it)."""
        return cls.select().where(cls.user == user).order_by(cls.created_at.desc(), cls.id.desc())

    @classmethod
    def mark_read(cls, user):
        """Mark all of a person's notices read; return how many changed."""
        with database.atomic():
            return cls.update(read_at=clock.now()).where((cls.user == user) & cls.read_at.is_null()).execute()
