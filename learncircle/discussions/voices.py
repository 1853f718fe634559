""""Every voice": what a circle's facilitators see of who has not been heard, and their welcomes and check-ins.

Four lists, each computed from the clock in one query (its rows, at most LIST_CAP, and how many there are in
all, through a window count), newest first:

- questions: a question with no accepted answer and no reply at all, asked more than QUESTION_WAIT ago,
  whose opening post is neither deleted nor hidden;
- unanswered first posts: a member whose first post in the circle (opening or reply; deleted ones do not
  count) got no shown reply after it in its thread from anyone else, QUESTION_WAIT after it was written;
- silent: a member who joined more than SILENT_AFTER ago and has no post in the circle (deleted ones do not
  count);
- quiet: a member whose last post in the circle is older than QUIET_AFTER.

"Members" are the circle's people with the member role: facilitators and the owner are the ones looking.
A welcome or a check-in is a notice to the member; one member hears from the circle's facilitators at most
once in GREETING_GAP (the Greeting row, one per member and circle, refuses the next).
"""
import datetime as dt
from dataclasses import dataclass

import peewee

from .. import clock
from ..accounts.models import User
from ..circles.models import MEMBER, Circle, Membership
from ..db import BaseModel, database
from ..notices import kinds
from ..notices.models import Notice
from .models import QUESTION, Post, Thread


class Greeting(BaseModel):
    """A facilitator's welcome or check-in to a member of a circle: the latest one
    only, one row per member and circle, so a second one within a day is refused by the row itself."""
    circle = peewee.ForeignKeyField(Circle, on_delete="CASCADE", backref="+")
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    kind = peewee.CharField(max_length=20)
    sent_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    sent_at = peewee.DateTimeField()

    class Meta:
        indexes = ((("circle", "user"), True),)


LIST_CAP = 50
QUESTION_WAIT = dt.timedelta(hours=24)  # a question, or a first post, waits this long before it is listed
SILENT_AFTER = dt.timedelta(days=3)     # a member who joined this long ago and never posted
QUIET_AFTER = dt.timedelta(days=21)     # a member whose last post is this old
GREETING_GAP = dt.timedelta(days=1)     # one welcome or check-in per member and circle in this time

WELCOME, CHECK_IN = "welcome", "check_in"
GREETINGS = (WELCOME, CHECK_IN)


class AlreadyGreeted(Exception):
    """The member heard from the circle's facilitators less than GREETING_GAP ago."""


@dataclass(slots=True)
class Listed:
    """One list of the page: its first rows, and how many there are in all."""
    rows: list
    count: int

    @property
    def cut(self):
        return self.count > len(self.rows)


@dataclass(slots=True)
class QuestionLine:
    thread_id: int
    title: str
    created_at: dt.datetime
    author_name: str


@dataclass(slots=True)
class MemberLine:
    """A member in one of the lists; post_id and thread_title for an unanswered first post, when: the moment
    the list is about (their first post, their joining, their last post)."""
    membership_id: int
    user_id: int
    username: str
    name: str
    when: dt.datetime
    post_id: int | None = None
    thread_title: str = ""


@dataclass(slots=True)
class Voices:
    questions: Listed
    first_posts: Listed
    silent: Listed
    quiet: Listed
    greeted: dict  # user id -> the kind of the welcome or check-in they had in the last GREETING_GAP


def _as_time(value):
    return Post.created_at.python_value(value)  # SQLite gives text, PostgreSQL datetimes


def _total():
    return peewee.fn.COUNT(peewee.SQL("*")).over().alias("total")


def _listed(rows, make):
    rows = list(rows)
    return Listed([make(row) for row in rows], rows[0][-1] if rows else 0)


def unreplied_questions(circle, now):
    opening = Post.alias("opening")
    query = (Thread.select(Thread.id, Thread.title, Thread.created_at, User.display_name, _total())
             .join(User, on=(Thread.author == User.id))
             .switch(Thread).join(opening, on=((opening.thread == Thread.id) & (opening.number == 1)))
             .where((Thread.circle == circle.id) & (Thread.kind == QUESTION) & (Thread.post_count == 1)
                    & (Thread.created_at < now - QUESTION_WAIT) & Thread.answer.is_null()
                    & opening.deleted_at.is_null() & opening.hidden_at.is_null())
             .order_by(Thread.created_at.desc(), Thread.id.desc()).limit(LIST_CAP).tuples())
    return _listed(query, lambda row: QuestionLine(row[0], row[1], _as_time(row[2]), row[3]))


def _members(circle):
    return (Membership.select(Membership.id, Membership.user, User.username, User.display_name)
            .join(User, on=(Membership.user == User.id))
            .where((Membership.circle == circle.id) & (Membership.role == MEMBER)))


def _their_posts(circle, column):
    """column (given the posts' alias) of the Membership row's member's posts in circle that are not deleted:
    a correlated subquery, which reads their posts through the index of posts by author."""
    theirs = Post.alias("theirs")
    return (theirs.select(column(theirs))
            .join(Thread, on=(theirs.thread == Thread.id))
            .where((theirs.author == Membership.user) & (Thread.circle == circle.id) & theirs.deleted_at.is_null()))


def unanswered_first_posts(circle, now):
    first_id = _their_posts(circle, lambda theirs: peewee.fn.MIN(theirs.id))
    first, others = Post.alias("first"), Post.alias("reply")
    topic = Thread.alias("topic")
    replied = (others.select(peewee.SQL("1"))
               .where((others.thread == first.thread) & (others.number > first.number)
                      & (others.author != first.author) & others.deleted_at.is_null() & others.hidden_at.is_null()))
    query = (_members(circle)
             .select_extend(first.created_at, first.id, topic.title, _total())
             .join(first, on=(first.id == first_id))
             .join(topic, on=(first.thread == topic.id))
             .where(first.hidden_at.is_null() & (first.created_at < now - QUESTION_WAIT) & ~peewee.fn.EXISTS(replied))
             .order_by(first.created_at.desc(), first.id.desc()).limit(LIST_CAP).tuples())
    return _listed(query, lambda row: MemberLine(*row[:4], _as_time(row[4]), row[5], row[6]))


def silent_members(circle, now):
    posted = _their_posts(circle, lambda theirs: peewee.SQL("1"))
    query = (_members(circle).select_extend(Membership.joined_at, _total())
             .where((Membership.joined_at < now - SILENT_AFTER) & ~peewee.fn.EXISTS(posted))
             .order_by(Membership.joined_at.desc(), Membership.id.desc()).limit(LIST_CAP).tuples())
    return _listed(query, lambda row: MemberLine(*row[:4], _as_time(row[4])))


def quiet_members(circle, now):
    last = _their_posts(circle, lambda theirs: peewee.fn.MAX(theirs.created_at))
    query = (_members(circle).select_extend(last, _total())
             .where(last < now - QUIET_AFTER)
             .order_by(peewee.SQL("5").desc(), Membership.id.desc()).limit(LIST_CAP).tuples())
    return _listed(query, lambda row: MemberLine(*row[:4], _as_time(row[4])))


def recently_greeted(circle, now):
    """user id -> the kind of welcome or check-in each member of circle had in the last GREETING_GAP."""
    return dict(Greeting.select(Greeting.user, Greeting.kind)
                .where((Greeting.circle == circle.id) & (Greeting.sent_at > now - GREETING_GAP)).tuples())


def every_voice(circle, now=None):
    """The four lists of the page and who was greeted lately: five queries, whatever the circle's size."""
    now = now or clock.now()
    return Voices(unreplied_questions(circle, now), unanswered_first_posts(circle, now), silent_members(circle, now),
                  quiet_members(circle, now), recently_greeted(circle, now))


def greet(circle, membership, by, kind, url=""):
    """Send the member of membership a welcome or a check-in (kind) from by, a notice linking to url; raises
    AlreadyGreeted when they had one from this circle less than GREETING_GAP ago. Who may is the caller's
    question (access.can_hear_every_voice)."""
    if kind not in GREETINGS:
        raise ValueError(kind)
    say = kinds.facilitator_welcome if kind == WELCOME else kinds.facilitator_check_in
    message = say(circle=circle.name, name=by.display_name)
    now = clock.now()
    with database.atomic():
        # The row says when the last one was sent: taken over when it is old enough, else made; a second
        # request meanwhile finds it new (or its insert breaks the unique index) and is refused.
        renewed = (Greeting.update(kind=kind, sent_by=by.id, sent_at=now)
                   .where((Greeting.circle == circle.id) & (Greeting.user == membership.user_id)
                          & (Greeting.sent_at <= now - GREETING_GAP)).execute())
        if not renewed:
            try:
                with database.atomic():
                    Greeting.insert(circle=circle.id, user=membership.user_id, kind=kind, sent_by=by.id,
                                    sent_at=now).execute()
            except peewee.IntegrityError:
                raise AlreadyGreeted() from None
        # A member who blocked the facilitator is not told; the facilitator sees it sent all the same (people/).
        Notice.send([membership.user_id], message, url, circle.id, sender=by.id)
    return kind
