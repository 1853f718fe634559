"""Who is new in a circle, and what a new member may post there.

A member is new in a circle until NEW_MEMBER_DAYS days after joining or, sooner, once NEW_MEMBER_POSTS of
their posts there are accepted (shown to the circle and not deleted: a post waiting for approval, or hidden
by a moderator or by flags, does not count). The circle's owner and facilitators and the instance admins are
never new. Nothing has to run for the limits to lift: each question reads the clock and the member's posts.

What a post is checked against counts the member's posts (one query, when they post). What a page tells them
reads Membership.accepted_posts instead, the count as it was at their last accepted post (posting.py and
approvals.py keep it): the thread page reads no more for a new member than for anyone else.

Each circle may set its own values (its `newcomer_*` columns); None takes the instance's setting.
"""
import datetime as dt
from dataclasses import dataclass

import peewee
from flask import current_app

from .. import clock, text
from ..circles.models import FACILITATOR, OWNER, Membership
from ..config import is_on
from ..db import database
from ..discussions.models import Post, Thread

DAY = dt.timedelta(days=1)
# What a new member ran into (LimitReached.kind).
THREADS, LINKS, IMAGES = "threads", "links", "images"
# Each limit: the circle's column, the instance's setting, and the largest value a circle may choose.
NUMBERS = {
    "days": ("newcomer_days", "NEW_MEMBER_DAYS", 365),
    "posts": ("newcomer_posts", "NEW_MEMBER_POSTS", 100),
    "threads": ("newcomer_threads", "NEW_MEMBER_THREADS_PER_DAY", 100),
    "links": ("newcomer_links", "NEW_MEMBER_LINKS", 100),
    "images": ("newcomer_images", "NEW_MEMBER_IMAGES", 100),
}
APPROVAL_COLUMN, APPROVAL_SETTING = "newcomer_approval", "NEW_MEMBER_APPROVAL"


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits that apply to new members somewhere: days and posts say who is new, the rest what they may."""
    days: int
    posts: int
    threads: int
    links: int
    images: int
    approval: bool

    @classmethod
    def of_instance(cls, config=None):
        config = config if config is not None else current_app.config
        return cls(**{name: int(config[setting]) for name, (_, setting, _) in NUMBERS.items()},
                   approval=is_on(config[APPROVAL_SETTING]))

    @classmethod
    def of(cls, circle, config=None):
        """The circle's limits: its own values, the instance's where it has none."""
        instance = cls.of_instance(config)
        return cls(**{name: getattr(instance, name) if value is None else value
                      for name, value in own_values(circle).items()})

    @property
    def anyone_new(self):
        """Whether anyone can be new at all: 0 days or 0 posts turns the limits off."""
        return self.days > 0 and self.posts > 0


def own_values(circle):
    """The circle's own values (None: the instance's), by limit name ("days" … "approval")."""
    values = {name: getattr(circle, column) for name, (column, _, _) in NUMBERS.items()}
    values["approval"] = getattr(circle, APPROVAL_COLUMN)
    return values


def set_own_values(circle, values):
    """Save the circle's own values (a dict by limit name; None: take the instance's). Raises ValueError for a
    number out of range."""
    changes = {}
    for name, (column, _, largest) in NUMBERS.items():
        value = values.get(name)
        if value is not None and not 0 <= int(value) <= largest:
            raise ValueError(f"{name} must be between 0 and {largest}")
        changes[column] = None if value is None else int(value)
    approval = values.get("approval")
    changes[APPROVAL_COLUMN] = None if approval is None else bool(approval)
    with database.atomic():
        type(circle).update(changes).where(type(circle).id == circle.id).execute()
    for column, value in changes.items():
        setattr(circle, column, value)


class LimitReached(Exception):
    """A new member's post goes beyond a limit: kind (THREADS, LINKS, IMAGES), the limit, how many the post
    has (or threads in the last day), the member's standing (until when they are new), and for threads when
    the next one may be started (retry_at, None while the limit is 0)."""

    def __init__(self, kind, limit, count, standing, retry_at=None):
        super().__init__(kind)
        self.kind, self.limit, self.count, self.standing, self.retry_at = kind, limit, count, standing, retry_at


@dataclass(slots=True)
class Standing:
    """A new member in one circle: the limits, until when they are new at the latest, how many of their posts
    were accepted so far, and whether the circle ever showed one of them (after that nothing is held)."""
    user_id: int
    circle_id: int
    membership_id: int
    limits: Limits
    until: dt.datetime
    accepted: int
    ever_shown: bool

    @property
    def posts_to_go(self):
        """Accepted posts still needed before the member stops being new."""
        return max(self.limits.posts - self.accepted, 0)

    @property
    def holds(self):
        """Whether the member's next post waits for a facilitator's approval."""
        return self.limits.approval and not self.ever_shown

    def check(self, body, *, new_thread=False, now=None):
        """Raise LimitReached when a post with body (a new thread's opening one, with new_thread) goes beyond a
        limit. For a thread, call it inside the write that stores it, so two at once cannot both pass."""
        limits = self.limits
        if new_thread:
            allowed, now = limits.threads, now or clock.now()
            recent = [started for (started,) in Thread.select(Thread.created_at)
                      .where((Thread.circle == self.circle_id) & (Thread.author == self.user_id)
                             & (Thread.created_at > now - DAY))
                      .order_by(Thread.created_at.desc()).limit(max(allowed, 1)).tuples()]
            if len(recent) >= allowed:
                # The next one: a day after the oldest of the last `allowed`, unless being new ends first.
                retry_at = recent[allowed - 1] + DAY if allowed else None
                raise LimitReached(THREADS, allowed, len(recent), self,
                                   retry_at if retry_at is not None and retry_at < self.until else None)
        links, images = text.links_and_images(body)
        if links > limits.links:
            raise LimitReached(LINKS, limits.links, links, self)
        if images > limits.images:
            raise LimitReached(IMAGES, limits.images, images, self)


def standing(user, circle, membership=None, now=None, counted=True):
    """The user's Standing as a new member of circle, or None: not new (any more), not a member, or never
    limited (the owner, facilitators, instance admins). Pass the membership when it is at hand: for all but
    a new member nothing is read from the database. counted: count their accepted posts now (before a post is
    checked); else take the membership's count (what a page shows), and read nothing at all."""
    if user is None or not getattr(user, "is_authenticated", False) or user.is_admin:
        return None
    membership = membership if membership is not None else Membership.of(user, circle)
    if membership is None or membership.role in (OWNER, FACILITATOR):
        return None
    limits = Limits.of(circle)
    if not limits.anyone_new:
        return None
    until = membership.joined_at + dt.timedelta(days=limits.days)
    if (now or clock.now()) >= until:
        return None
    if counted:
        accepted, shown = _posts_of(user.id, circle.id)
    else:
        accepted = shown = membership.accepted_posts
    if accepted >= limits.posts:
        return None
    return Standing(user.id, circle.id, membership.id, limits, until, accepted, shown > 0)


def count_accepted(membership_id, accepted):
    """Keep the membership's count of accepted posts (inside the caller's write)."""
    Membership.update(accepted_posts=accepted).where(Membership.id == membership_id).execute()


def recount(user_id, circle_id):
    """Count a member's accepted posts again and keep the count (after one of theirs was approved)."""
    accepted, _ = _posts_of(user_id, circle_id)
    Membership.update(accepted_posts=accepted).where(
        (Membership.user == user_id) & (Membership.circle == circle_id)).execute()
    return accepted


def _posts_of(user_id, circle_id):
    """(accepted, shown): the member's posts in the circle that it reads now, and that it read at some time
    (deleted ones too). A new member has written few; one query."""
    accepted = peewee.fn.COUNT(peewee.Case(None, ((Post.deleted_at.is_null(), 1),), None))
    row = (Post.select(accepted, peewee.fn.COUNT(Post.id)).join(Thread, on=(Post.thread == Thread.id))
           .where((Post.author == user_id) & (Thread.circle == circle_id) & Post.hidden_at.is_null())
           .tuples().first())
    return (row[0] or 0, row[1] or 0) if row else (0, 0)
