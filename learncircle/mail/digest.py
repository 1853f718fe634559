"""The daily and weekly digest: what came for a member since their last one, mailed at DIGEST_HOUR in their zone.

Nothing runs at that hour: each time a sender runs, it asks who is due (their local hour has come, and their
last digest of that frequency was on an earlier local day, or for the weekly one, before this Monday) and
makes their digest. A digest holds the unread notices of the categories set to that frequency, the new threads
of their circles (when new threads are), questions still waiting in their circles and review deadlines coming
up. With nothing new (no notice, no new thread) it is skipped, and the next one covers the time since. Taking
a member's turn is a conditional update of their MailDigest row, so two senders never both mail it.
"""
import datetime as dt
import json

import peewee
from flask_babel.speaklater import LazyString

from .. import clock, site, timefmt
from ..accounts.models import User
from ..circles.models import Circle, Membership
from ..db import database
from ..discussions.models import QUESTION, Thread
from ..i18n import lazy_gettext as _l
from ..notices import kinds
from ..notices.models import Notice
from ..people.models import has_blocked
from ..reviews.models import Assignment, Review, ReviewRound, Submission
from . import compose, enabled, outbox, preferences
from .models import MailDigest, MailPreference

DIGEST_HOUR = 7
PERIOD = {preferences.DAILY: dt.timedelta(days=1), preferences.WEEKLY: dt.timedelta(days=7)}
COLUMN = {preferences.DAILY: "daily_at", preferences.WEEKLY: "weekly_at"}
SHOWN = 10  # items per section
DEADLINE_DAYS = 3
QUESTION_DAYS = 14


def _digest_categories(user_id, stored):
    """{frequency: [categories]} of a member's digest categories, defaults filled in."""
    chosen = {category: stored.get((user_id, category), preferences.default(category))
              for category in preferences.CATEGORIES}
    return {frequency: [category for category, value in chosen.items() if value == frequency]
            for frequency in preferences.DIGESTS}


def is_due(frequency, last, zone, now):
    """Whether a digest of frequency last sent at `last` (UTC, or None) is due at `now` in zone."""
    local = timefmt.to_local(now, zone)
    if local.hour < DIGEST_HOUR:
        return False
    if frequency == preferences.WEEKLY:
        start = local.date() - dt.timedelta(days=local.weekday())  # this Monday
    else:
        start = local.date()
    return last is None or timefmt.to_local(last, zone).date() < start


def send_due():
    """Make every digest that is due now; how many were queued (skipped ones not counted)."""
    if not enabled():
        return 0
    now = clock.now()
    stored = {(user_id, category): frequency for user_id, category, frequency in
              MailPreference.select(MailPreference.user, MailPreference.category, MailPreference.frequency).tuples()}
    last = {row.user_id: row for row in MailDigest.select()}
    queued = 0
    for user in User.select():
        for frequency, categories in _digest_categories(user.id, stored).items():
            if not categories:
                continue
            row = last.get(user.id)
            previous = getattr(row, COLUMN[frequency]) if row else None
            if not is_due(frequency, previous, timefmt.zone_named(user.timezone), now):
                continue
            with database.atomic():
                if not _take_turn(user.id, frequency, previous, now):
                    continue  # another sender took it
                if _queue(user, frequency, categories, previous or now - PERIOD[frequency], now):
                    queued += 1
    return queued


def _take_turn(user_id, frequency, previous, now):
    MailDigest.insert(user=user_id).on_conflict_ignore().execute()
    column = getattr(MailDigest, COLUMN[frequency])
    unchanged = column.is_null() if previous is None else (column == previous)
    return MailDigest.update({column: now}).where((MailDigest.user == user_id) & unchanged).execute() == 1


def content(user, categories, since, now):
    """What a digest says: {notices, threads, questions, deadlines}, each a list (of dicts)."""
    kinds_wanted = [kind for category in categories for kind in preferences.CATEGORIES[category][1]]
    notices = list(Notice.select().where((Notice.user == user.id) & Notice.read_at.is_null()
                                         & Notice.kind.in_(kinds_wanted) & (Notice.created_at > since)
                                         & (Notice.created_at <= now))
                   .order_by(Notice.created_at.desc()).limit(SHOWN))
    circles = Membership.select(Membership.circle).where(Membership.user == user.id)
    # Published, and not by someone the member blocked (people/): their threads never reach them.
    shown = (Thread.publish_at.is_null() | (Thread.publish_at <= now)) & ~has_blocked(user.id, Thread.author)
    shown &= Thread.hidden_at.is_null()  # nor hidden (moderation/): a digest never names a hidden thread
    threads = []
    if "new_threads" in categories:
        threads = list(Thread.select(Thread, Circle).join(Circle)
                       .where(Thread.circle.in_(circles) & (Thread.author != user.id) & shown
                              & (Thread.created_at > since) & (Thread.created_at <= now))
                       .order_by(Thread.created_at.desc()).limit(SHOWN))
    questions = list(Thread.select(Thread, Circle).join(Circle)
                     .where(Thread.circle.in_(circles) & (Thread.author != user.id) & shown
                            & (Thread.kind == QUESTION) & Thread.answer.is_null()
                            & (Thread.created_at > now - dt.timedelta(days=QUESTION_DAYS)))
                     .order_by(Thread.post_count, Thread.created_at.desc()).limit(5))
    return {"notices": notices, "threads": threads, "questions": questions, "deadlines": _deadlines(user, now)}


def _deadlines(user, now):
    """(round, deadline, what is due) of the member's review work due within DEADLINE_DAYS."""
    soon = now + dt.timedelta(days=DEADLINE_DAYS)
    reviews = (ReviewRound.select(ReviewRound).distinct().join(Assignment)
               .join(Review, peewee.JOIN.LEFT_OUTER, on=(Review.assignment == Assignment.id))
               .where((Assignment.reviewer == user.id) & ReviewRound.closed_at.is_null()
                      & (ReviewRound.review_deadline > now) & (ReviewRound.review_deadline <= soon)
                      & Review.submitted_at.is_null()))
    submitted = Submission.select(Submission.round).where(Submission.author == user.id)
    circles = Membership.select(Membership.circle).where(Membership.user == user.id)
    submissions = (ReviewRound.select().where(
        ReviewRound.circle.in_(circles) & ReviewRound.published_at.is_null(False) & ReviewRound.closed_at.is_null()
        & ReviewRound.reviewing_started_at.is_null() & (ReviewRound.submission_deadline > now)
        & (ReviewRound.submission_deadline <= soon) & ReviewRound.id.not_in(submitted)))
    return ([(r, r.review_deadline, "review") for r in reviews]
            + [(r, r.submission_deadline, "submission") for r in submissions])


def _queue(user, frequency, categories, since, now):
    found = content(user, categories, since, now)
    if not found["notices"] and not found["threads"]:
        return False  # nothing new: no mail
    # Said when the mail is rendered, in the reader's language.
    notices = [{"text": LazyString(kinds.render, n.kind, _params(n)), "url": _absolute(n.url)}
               for n in found["notices"]]
    subject = _l("Your daily digest") if frequency == preferences.DAILY else _l("Your weekly digest")
    subject, text, html, headers = compose.for_member(
        user, "digest", subject=subject, category=preferences.DIGEST_NAME[frequency], notices=notices,
        threads=[{"title": t.title, "circle": t.circle.name, "at": t.created_at,
                  "url": compose.link("discussions.thread", thread_id=t.id)} for t in found["threads"]],
        questions=[{"title": t.title, "circle": t.circle.name, "replies": max(t.post_count - 1, 0),
                    "url": compose.link("discussions.thread", thread_id=t.id)} for t in found["questions"]],
        deadlines=[{"round": r.title, "at": at, "what": what,
                    "url": compose.link("reviews_participant.round", round_id=r.id)}
                   for r, at, what in found["deadlines"]],
        all_url=compose.link("notices.notices"))
    outbox.enqueue(user.email, f"digest_{frequency}", subject, text, html, user_id=user.id, headers=headers)
    return True


def _absolute(url):
    return site.absolute(url) if url else compose.link("notices.notices")


def _params(notice):
    try:
        params = json.loads(notice.params or "{}")
    except ValueError:
        return {}
    return params if isinstance(params, dict) else {}
