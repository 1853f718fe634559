"""Deleting an account: the member's request (confirmed by password), a grace period of ACCOUNT_DELETION_DAYS in
which signing in offers to cancel it, and then `delete_now`, which is final (the housekeeping job calls it; an
instance admin's "delete account" too).

What `delete_now` does, and why (docs/moderation.md, "Your data", says it for members):
- The account row stays, scrubbed (no username, address, name, bio or usable password; `deleted_at` set): the
  posts that stay point at it and show "deleted member" (an empty display name, said in the reader's language
  where it is shown), so no page needs another query or column.
- Their posts are kept, anonymised, or removed as they chose; removed means blanked like a deleted post, so a
  thread keeps its order and numbers. A thread they started that nobody else wrote in goes whole; one with
  others' replies keeps its title (the replies' topic) and their blanked opening post. Where a circle's
  `departed_posts` is "keep", their posts stay there anonymised whatever they chose.
- Their peer-review submissions are blanked when they remove their posts (by the same circle rule); reviews they
  wrote stay, anonymised: they are feedback another member received. Review assignments they had not finished
  go (nobody would write them).
- What was theirs alone goes: memberships, sessions, notices, read states, watches, greetings, reactions they
  gave (the posts' counts follow), flags they filed, mail (sent and pending) and mail choices, reset links,
  form keys, pairs kept apart, whom they muted or blocked and who muted or blocked them; invitation links they
  made are revoked.
- What is the record of others' actions stays, naming no one new: the circle's moderation log and what
  moderators removed (kept until its own purge date) and the instance's audit log (kept for its retention).
"""
import calendar
import datetime as dt

import peewee
from flask import current_app
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from .. import audit, clock, housekeeping
from ..circles.models import DEPARTED_KEEP, OWNER, Circle, Invitation, Membership
from ..db import database
from ..discussions.models import Post, ReadState, Thread
from ..discussions.reactions import HELPFUL, THANKS, Reaction
from ..discussions.voices import Greeting
from ..discussions.watching import ThreadWatch
from ..formkeys import UsedFormKey
from ..i18n import lazy_gettext as _l
from ..mail.models import MailDigest, MailPreference, Outbox
from ..meetings.models import CalendarFeed, Rsvp, Vote
from ..moderation.models import POST, THREAD, Flag
from ..notices.models import Notice
from ..people.models import Block
from ..reviews.models import (REVIEW_SUBMITTED, Assignment, KeptApart, ReviewRound, RevisionPlan, Review,
                              Submission, SubmissionVersion)
from .models import User
from .resets import PasswordReset
from .sessions import LoginSession

# The member's choice is in the code, so the audit page says it in its reader's language.
REQUESTED = audit.describe("account.deletion_requested", _l("Account deletion requested, posts to stay"))
REQUESTED_REMOVING = audit.describe("account.deletion_requested_remove",
                                    _l("Account deletion requested, posts to be removed"))
CANCELLED = audit.describe("account.deletion_cancelled", _l("Account deletion cancelled"))
DELETED = audit.describe("account.deleted", _l("Account deleted, its posts kept as a deleted member's"))
DELETED_REMOVING = audit.describe("account.deleted_remove", _l("Account deleted, its posts removed"))
UNUSABLE_PASSWORD = "!"  # no hash: argon2 refuses it, so no password ever matches


class OwnsCircles(Exception):
    """The account owns circles, which cannot lose their owner: hand them over first. `circles`: which."""

    def __init__(self, circles):
        super().__init__(", ".join(circle.name for circle in circles))
        self.circles = circles


class WrongPassword(Exception):
    pass


def owned_circles(user):
    """The circles user owns, by name."""
    return list(Circle.select().join(Membership)
                .where((Membership.user == user.id) & (Membership.role == OWNER)).order_by(Circle.name))


def keeping_circles(user):
    """The circles that keep departing members' posts and hold user's posts or membership, by name."""
    posted = Thread.select(Thread.circle).join(Post, on=(Post.thread == Thread.id)).where(Post.author == user.id)
    member = Membership.select(Membership.circle).where(Membership.user == user.id)
    return list(Circle.select().where((Circle.departed_posts == DEPARTED_KEEP)
                                      & (Circle.id.in_(posted) | Circle.id.in_(member))).order_by(Circle.name))


def grace_days():
    return int(current_app.config["ACCOUNT_DELETION_DAYS"])


def deletion_date(user):
    """When a requested deletion happens (None when none is pending)."""
    if user.deletion_requested_at is None or user.deleted_at is not None:
        return None
    return user.deletion_requested_at + dt.timedelta(days=grace_days())


def request_deletion(user, *, password, remove_posts):
    """Ask for the account to be deleted after the grace period, ending every session. Raises WrongPassword,
    OwnsCircles."""
    if not user.check_password(password or ""):
        raise WrongPassword()
    owned = owned_circles(user)
    if owned:
        raise OwnsCircles(owned)
    now = clock.now()
    with database.atomic():
        User.update(deletion_requested_at=now, deletion_removes_posts=bool(remove_posts)).where(
            (User.id == user.id) & User.deleted_at.is_null()).execute()
        LoginSession.delete().where(LoginSession.user == user.id).execute()
        audit.record(REQUESTED_REMOVING if remove_posts else REQUESTED, actor=user, subject=f"@{user.username}")
    user.deletion_requested_at, user.deletion_removes_posts = now, bool(remove_posts)
    return deletion_date(user)


def cancel_deletion(user):
    """Keep the account after all; False when no deletion was pending."""
    with database.atomic():
        changed = User.update(deletion_requested_at=None, deletion_removes_posts=False).where(
            (User.id == user.id) & User.deletion_requested_at.is_null(False) & User.deleted_at.is_null()).execute()
        if changed:
            audit.record(CANCELLED, actor=user, subject=f"@{user.username}")
    user.deletion_requested_at, user.deletion_removes_posts = None, False
    return bool(changed)


def delete_now(user, *, remove_posts, by=None):
    """Delete the account for good (see the module's docstring); by: the instance admin who did it, None for the
    member's own request. Returns False when it was already deleted; raises OwnsCircles."""
    owned = owned_circles(user)
    if owned:
        raise OwnsCircles(owned)
    uid, now = user.id, clock.now()
    with database.atomic():
        # PostgreSQL holds the row from here (SQLite's IMMEDIATE transaction the whole file): two housekeepers
        # at once delete it once.
        current = User.select(User.username, User.deleted_at).where(User.id == uid)
        current = (current.for_update() if database.for_update else current).first()
        if current is None or current.deleted_at is not None:
            return False
        if remove_posts:
            _remove_writing(uid, now)
        _forget_what_was_theirs(uid, now)
        User.update(username=f"~deleted{uid}", email=f"~deleted{uid}", display_name="", pronouns="", bio="",
                    bio_html="", timezone="UTC", language="", password_hash=UNUSABLE_PASSWORD, session_token="",
                    is_admin=False, deletion_requested_at=None, deleted_at=now).where(User.id == uid).execute()
        audit.record(DELETED_REMOVING if remove_posts else DELETED, actor=by, subject=f"@{current.username}")
    user.deleted_at, user.display_name, user.username = now, "", f"~deleted{uid}"
    return True


def _remove_writing(uid, now):
    """Blank uid's posts and submissions outside the circles that keep them; their threads nobody else wrote in go."""
    keep = Circle.select(Circle.id).where(Circle.departed_posts == DEPARTED_KEEP)
    others_wrote = Post.select(Post.id).where((Post.thread == Thread.id) & (Post.author != uid))
    alone = Thread.select(Thread.id).where((Thread.author == uid) & Thread.circle.not_in(keep)
                                           & ~peewee.fn.EXISTS(others_wrote))
    alone_ids = [row.id for row in alone]
    for start in range(0, len(alone_ids), 500):
        batch = alone_ids[start:start + 500]
        Flag.delete().where((Flag.target_kind == THREAD) & Flag.target_id.in_(batch)).execute()
        Flag.delete().where((Flag.target_kind == POST) & Flag.target_id.in_(
            Post.select(Post.id).where(Post.thread.in_(batch)))).execute()
        Thread.update(answer=None, answered_at=None).where(Thread.id.in_(batch)).execute()
        Post.delete().where(Post.thread.in_(batch)).execute()  # first: the search index's triggers see each post
        Thread.delete().where(Thread.id.in_(batch)).execute()
    theirs = (Post.select(Post.id).join(Thread, on=(Post.thread == Thread.id))
              .where((Post.author == uid) & Thread.circle.not_in(keep)))
    Thread.update(answer=None, answered_at=None).where(Thread.answer.in_(theirs)).execute()
    Post.update(body="", body_html="", deleted_at=peewee.fn.COALESCE(Post.deleted_at, now)).where(
        Post.id.in_(theirs)).execute()
    submissions = (Submission.select(Submission.id).join(ReviewRound, on=(Submission.round == ReviewRound.id))
                   .where((Submission.author == uid) & ReviewRound.circle.not_in(keep)))
    SubmissionVersion.update(body="", body_html="", link="").where(
        SubmissionVersion.submission.in_(submissions)).execute()
    RevisionPlan.update(body="", body_html="").where(RevisionPlan.submission.in_(submissions)).execute()


def _forget_what_was_theirs(uid, now):
    """Delete the rows that were uid's alone, and their memberships (the circles' counts follow)."""
    for kind, count in ((HELPFUL, Post.helpful_count), (THANKS, Post.thanks_count)):
        given = Reaction.select(Reaction.post).where((Reaction.user == uid) & (Reaction.kind == kind))
        Post.update({count: count - 1}).where(Post.id.in_(given) & (count > 0)).execute()
    Reaction.delete().where(Reaction.user == uid).execute()
    Circle.update(member_count=Circle.member_count - 1).where(
        Circle.id.in_(Membership.select(Membership.circle).where(Membership.user == uid))).execute()
    Invitation.update(revoked_at=now).where((Invitation.created_by == uid) & Invitation.revoked_at.is_null()).execute()
    submitted = Review.select(Review.assignment).where(Review.status == REVIEW_SUBMITTED)
    Assignment.delete().where((Assignment.reviewer == uid) & Assignment.id.not_in(submitted)).execute()
    address = User.select(User.email).where(User.id == uid).scalar()
    Outbox.delete().where((Outbox.user == uid) | (Outbox.address == address)).execute()
    for model, column in ((Membership, Membership.user), (LoginSession, LoginSession.user),
                          (Notice, Notice.user), (ReadState, ReadState.user), (ThreadWatch, ThreadWatch.user),
                          (Greeting, Greeting.user), (Flag, Flag.flagger), (MailPreference, MailPreference.user),
                          (MailDigest, MailDigest.user), (PasswordReset, PasswordReset.user),
                          (UsedFormKey, UsedFormKey.user),
                          # meetings/: their calendar address, answers and votes (attendance stays: it is the
                          # circle's record of who came, under "deleted member")
                          (CalendarFeed, CalendarFeed.user), (Rsvp, Rsvp.user), (Vote, Vote.user)):
        model.delete().where(column == uid).execute()
    KeptApart.delete().where((KeptApart.reviewer == uid) | (KeptApart.author == uid)).execute()
    Block.delete().where((Block.who == uid) | (Block.whom == uid)).execute()  # mutes and blocks, both ways


def due(now):
    """Accounts whose grace period ended by now."""
    cutoff = now - dt.timedelta(days=grace_days())
    return User.select().where(User.deletion_requested_at.is_null(False) & (User.deletion_requested_at <= cutoff)
                               & User.deleted_at.is_null()).order_by(User.id)


def delete_due(now):
    """The housekeeping job: delete each account whose grace period ended; one that owns a circle meanwhile
    waits (its sign-in page says so). Returns how many were deleted."""
    done = 0
    for user in due(now):
        try:
            done += delete_now(user, remove_posts=user.deletion_removes_posts)
        except OwnsCircles:
            continue
    return done


housekeeping.register("accounts.deletions", delete_due)


# ---- cancelling at sign-in: the sign-in page, having checked the password, hands out a short-lived token ------

CANCEL_TOKEN_SECONDS = 30 * 60


class _ClockSigner(TimestampSigner):
    """Dates its signatures by learncircle.clock, so a frozen clock in tests ages them too."""

    def get_timestamp(self):
        return calendar.timegm(clock.now().utctimetuple())


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="learncircle.accounts.cancel-deletion",
                                  signer=_ClockSigner)


def cancel_token(user):
    """A token naming user and their pending request (one from an earlier request does not cancel a later one)."""
    return _serializer().dumps([user.id, user.deletion_requested_at.isoformat()])


def account_of(token):
    """The account whose pending deletion token may cancel, or None (unknown, expired, tampered or stale)."""
    try:
        user_id, requested = _serializer().loads(token or "", max_age=CANCEL_TOKEN_SECONDS)
    except (BadSignature, ValueError, TypeError):
        return None
    user = User.get_or_none((User.id == user_id) & User.deleted_at.is_null())
    if user is None or user.deletion_requested_at is None or user.deletion_requested_at.isoformat() != requested:
        return None
    return user
