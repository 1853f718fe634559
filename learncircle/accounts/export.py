"""Your data: everything a member wrote here and their settings, as a ZIP of JSON and Markdown files.

Exactly their own, and nothing else (docs/moderation.md, "Your data", and the README.txt inside say it):
- their account, profile, settings, memberships, the threads they started and every post they wrote (the Markdown
  they typed; deleted posts keep only their place), peer-review work and reviews they wrote, the ratings they gave
  to reviews, reactions and flags they gave, invitation links and review rounds they made, moderation actions
  they took, and what moderators removed of theirs;
- context only from the circles they belong to now: a circle's name, the title of a thread someone else started
  (when the circle shows it: published and not hidden), a rubric's criterion names. Of a circle they left, only
  their own words remain, with ids; nothing of it names its members or its threads unless they started them;
- never others' words (replies in their threads, reviews of their work, moderators' reasons), others' names,
  notices (they quote others' names), read marks, the instance's audit log, or secrets (password, session keys,
  invitation tokens).

The archive is written to a file object (a spooled temporary file: a member of a busy circle has thousands of
posts), reading each kind of row in batches of BATCH with its context joined, never a query per row.
"""
import datetime as dt
import json
import zipfile

from .. import clock
from ..circles.models import Circle, Invitation, Membership
from ..discussions.models import Post, Thread
from ..discussions.reactions import Reaction
from ..discussions.watching import ThreadWatch
from ..mail import preferences
from ..mail.models import MailDigest
from ..meetings.models import Attendance, Meeting, Occurrence, Poll, Reflection, Rsvp, Slot, Vote
from ..moderation.models import Flag, LogEntry, Removed
from ..reviews.models import (Assignment, Criterion, CriterionResponse, ReviewRound, RevisionPlan, Review,
                              Submission, SubmissionVersion)
from ..people.models import Block
from .models import User
from .sessions import LoginSession

BATCH = 500
FORMAT_VERSION = 1


def iso(moment):
    """A UTC moment as ISO 8601 with its zone ("2026-03-02T09:00:00Z"), None for none."""
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite's text, where a column was read without its field
        moment = dt.datetime.fromisoformat(moment)
    return moment.replace(microsecond=0).isoformat() + "Z"


def filename(user, now=None):
    return f"learncircle-{user.username}-{(now or clock.now()):%Y-%m-%d}.zip"


def markdown(front, body):
    """A Markdown file with YAML front matter (each value as JSON, which YAML reads as it is)."""
    head = "\n".join(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items())
    return f"---\n{head}\n---\n\n{body or ''}\n"


class Export:
    """One member's archive, written section by section into an open ZipFile."""

    def __init__(self, user, archive):
        self.user, self.uid, self.archive = user, user.id, archive
        rows = (Membership.select(Membership, Circle).join(Circle).where(Membership.user == self.uid)
                .order_by(Circle.name))
        self.memberships = list(rows)
        self.circles = {m.circle.id: m.circle for m in self.memberships}

    def write(self, name, data):
        self.archive.writestr(name, json.dumps(data, ensure_ascii=False, indent=2) + "\n")

    def title(self, title, circle_id):
        """A title others wrote in a circle, only while the member belongs to it (as the circle itself)."""
        return title if circle_id in self.circles else None

    def circle(self, circle_id):
        """The circle as the archive names it: only one the member belongs to."""
        circle = self.circles.get(circle_id)
        return {"id": circle.id, "name": circle.name, "slug": circle.slug} if circle else None

    def thread_title(self, circle_id, author_id, title, publish_at, hidden_at, now):
        """A thread's title as context: theirs, or one their circle shows them."""
        if author_id == self.uid:
            return title
        shown = publish_at is None or publish_at <= now
        return title if circle_id in self.circles and shown and hidden_at is None else None

    def batches(self, query, key):
        """Rows of query (tuples), BATCH at a time, by key ascending."""
        last = 0
        while True:
            rows = list(query.where(key > last).order_by(key).limit(BATCH).tuples())
            yield from rows
            if len(rows) < BATCH:
                return
            last = rows[-1][0]

    # ---- the sections ---------------------------------------------------------------------------

    def account(self):
        user = self.user
        self.write("account.json", {
            "id": user.id, "username": user.username, "email": user.email, "display_name": user.display_name,
            "pronouns": user.pronouns, "bio": user.bio, "created_at": iso(user.created_at),
            "is_instance_admin": bool(user.is_admin)})
        self.archive.writestr("profile.md", markdown({"display_name": user.display_name,
                                                      "pronouns": user.pronouns}, user.bio))

    def settings(self, now):
        digest = MailDigest.get_or_none(MailDigest.user == self.uid)
        watched = (ThreadWatch.select(Thread.id, ThreadWatch.level, Thread.circle, Thread.author, Thread.title,
                                      Thread.publish_at, Thread.hidden_at)
                   .join(Thread, on=(ThreadWatch.thread == Thread.id)).where(ThreadWatch.user == self.uid))
        self.write("settings.json", {
            "language": self.user.language or None, "time_zone": self.user.timezone,
            "mail": preferences.choices(self.uid),
            "digests_last_sent": {"daily": iso(digest.daily_at) if digest else None,
                                  "weekly": iso(digest.weekly_at) if digest else None},
            "circle_notification_levels": {m.circle.slug: m.notify_level for m in self.memberships},
            "thread_notification_levels": [
                {"thread": thread_id, "circle": self.circle(circle_id), "level": level,
                 "thread_title": self.thread_title(circle_id, author_id, title, publish_at, hidden_at, now)}
                for thread_id, level, circle_id, author_id, title, publish_at, hidden_at
                in self.batches(watched, Thread.id)],
            "muted_and_blocked": [
                {"username": None if deleted else username, "kind": kind, "since": iso(created)}
                for _, username, deleted, kind, created in self.batches(
                    Block.select(Block.id, User.username, User.deleted_at, Block.kind, Block.created_at)
                    .join(User, on=(Block.whom == User.id)).where(Block.who == self.uid), Block.id)],
            "signed_in_browsers": [
                {"browser": browser, "remembered": bool(remembered), "signed_in_at": iso(created),
                 "last_used_at": iso(seen)}
                for _, browser, remembered, created, seen in LoginSession.select(
                    LoginSession.id, LoginSession.browser, LoginSession.remembered, LoginSession.created_at,
                    LoginSession.last_seen_at).where(LoginSession.user == self.uid).order_by(LoginSession.id)
                .tuples()],
        })

    def memberships_(self):
        self.write("memberships.json", [
            {"circle": self.circle(m.circle.id), "role": m.role, "joined_at": iso(m.joined_at),
             "code_of_conduct_accepted_at": iso(m.conduct_accepted_at), "notification_level": m.notify_level,
             "suspended_until": iso(m.suspended_until)} for m in self.memberships])

    def threads(self, now):
        query = (Thread.select(Thread.id, Thread.circle, Thread.title, Thread.kind, Thread.created_at,
                               Thread.publish_at, Thread.hidden_at, Thread.pinned, Thread.locked, Thread.post_count,
                               Post.id, Post.body)
                 .join(Post, on=((Post.thread == Thread.id) & (Post.number == 1)))
                 .where(Thread.author == self.uid))
        index = []
        for (thread_id, circle_id, title, kind, created, publish_at, hidden_at, pinned, locked, count,
             post_id, body) in self.batches(query, Thread.id):
            entry = {"id": thread_id, "circle": self.circle(circle_id), "title": title, "kind": kind,
                     "created_at": iso(created), "scheduled_for": iso(publish_at), "hidden_at": iso(hidden_at),
                     "pinned": bool(pinned), "locked": bool(locked), "posts_in_thread": count,
                     "opening_post": post_id, "file": f"threads/{thread_id}.md"}
            index.append(entry)
            front = {key: entry[key] for key in ("id", "title", "kind", "created_at", "opening_post")}
            front["circle"] = entry["circle"]["name"] if entry["circle"] else None
            self.archive.writestr(entry["file"], markdown(front, body))
        self.write("threads.json", index)

    def posts(self, now):
        query = (Post.select(Post.id, Post.thread, Post.number, Post.body, Post.created_at, Post.edited_at,
                             Post.deleted_at, Post.hidden_at, Post.hidden_kind, Post.helpful_count,
                             Post.thanks_count, Thread.circle, Thread.author, Thread.title, Thread.publish_at,
                             Thread.hidden_at)
                 .join(Thread, on=(Post.thread == Thread.id)).where(Post.author == self.uid))
        index = []
        for (post_id, thread_id, number, body, created, edited, deleted, hidden, hidden_kind, helpful, thanks,
             circle_id, thread_author, title, publish_at, thread_hidden) in self.batches(query, Post.id):
            entry = {"id": post_id, "thread": thread_id, "number": number, "circle": self.circle(circle_id),
                     "thread_title": self.thread_title(circle_id, thread_author, title, publish_at, thread_hidden,
                                                       now),
                     "thread_started_by_you": thread_author == self.uid,
                     "created_at": iso(created), "edited_at": iso(edited), "deleted_at": iso(deleted),
                     "hidden_at": iso(hidden),
                     "hidden_by": (hidden_kind or "moderator") if hidden is not None else None,
                     "helpful_count": helpful, "thanks_count": thanks, "file": f"posts/{post_id}.md"}
            index.append(entry)
            front = {key: entry[key] for key in ("id", "thread", "number", "thread_title", "created_at",
                                                 "edited_at", "deleted_at", "hidden_at")}
            front["circle"] = entry["circle"]["name"] if entry["circle"] else None
            self.archive.writestr(entry["file"], markdown(front, body))
        self.write("posts.json", index)

    def reviews(self):
        submissions = (Submission.select(Submission.id, Submission.round, ReviewRound.circle, ReviewRound.title,
                                         Submission.created_at, Submission.updated_at, Submission.is_late)
                       .join(ReviewRound, on=(Submission.round == ReviewRound.id))
                       .where(Submission.author == self.uid))
        theirs, entries = Submission.select(Submission.id).where(Submission.author == self.uid), {}
        for sub_id, round_id, circle_id, round_title, created, updated, late in self.batches(submissions,
                                                                                          Submission.id):
            entries[sub_id] = {"id": sub_id, "round": round_id, "circle": self.circle(circle_id),
                               "round_title": round_title if circle_id in self.circles else None,
                               "created_at": iso(created), "updated_at": iso(updated), "late": bool(late),
                               "versions": [], "revision_plan": None}
        versions = (SubmissionVersion.select(SubmissionVersion.id, SubmissionVersion.submission,
                                             SubmissionVersion.number, SubmissionVersion.body,
                                             SubmissionVersion.link, SubmissionVersion.created_at)
                    .where(SubmissionVersion.submission.in_(theirs)))
        for _, sub_id, number, body, link, created in self.batches(versions, SubmissionVersion.id):
            name = f"reviews/submissions/{sub_id}-v{number}.md"
            entries[sub_id]["versions"].append({"number": number, "link": link or None,
                                                "created_at": iso(created), "file": name})
            self.archive.writestr(name, markdown({"submission": sub_id, "version": number, "link": link or None,
                                                  "created_at": iso(created)}, body))
        for sub_id, body, updated in (RevisionPlan.select(RevisionPlan.submission, RevisionPlan.body,
                                                          RevisionPlan.updated_at)
                                      .where(RevisionPlan.submission.in_(theirs)).tuples()):
            name = f"reviews/revision_plans/{sub_id}.md"
            entries[sub_id]["revision_plan"] = {"updated_at": iso(updated), "file": name}
            self.archive.writestr(name, markdown({"submission": sub_id, "updated_at": iso(updated)}, body))
        self.write("reviews.json", {"submissions": list(entries.values()), "reviews_written": self._written(),
                                    "ratings_given": self._ratings(theirs)})

    def _written(self):
        """Reviews they wrote: their words and choices, the round's name and criteria from their circles."""
        query = (Review.select(Review.id, Assignment.round, ReviewRound.circle, ReviewRound.title, Assignment.slot,
                               Review.status, Review.created_at, Review.submitted_at, Review.is_late,
                               Review.what_works, Review.could_be_better, Review.hidden_at)
                 .join(Assignment, on=(Review.assignment == Assignment.id))
                 .join(ReviewRound, on=(Assignment.round == ReviewRound.id))
                 .where(Assignment.reviewer == self.uid))
        written = {}
        for (review_id, round_id, circle_id, round_title, slot, status, created, submitted, late, works, better,
             hidden) in self.batches(query, Review.id):
            member = circle_id in self.circles
            written[review_id] = {"id": review_id, "round": round_id, "circle": self.circle(circle_id),
                                  "round_title": round_title if member else None, "reviewer_number": slot,
                                  "status": status, "created_at": iso(created), "submitted_at": iso(submitted),
                                  "late": bool(late), "hidden_at": iso(hidden), "criteria": [],
                                  "file": f"reviews/written/{review_id}.md", "_parts": [works, better],
                                  "_member": member}
        mine = (Review.select(Review.id).join(Assignment, on=(Review.assignment == Assignment.id))
                .where(Assignment.reviewer == self.uid))
        responses = (CriterionResponse.select(CriterionResponse.id, CriterionResponse.review, Criterion.name,
                                              CriterionResponse.level, CriterionResponse.comment)
                     .join(Criterion, on=(CriterionResponse.criterion == Criterion.id))
                     .where(CriterionResponse.review.in_(mine)))
        for _, review_id, criterion, level, comment in self.batches(responses, CriterionResponse.id):
            entry = written[review_id]
            entry["criteria"].append({"criterion": criterion if entry["_member"] else None,
                                      "level": None if level is None else level + 1, "comment": comment})
        for entry in written.values():
            works, better = entry.pop("_parts")
            entry.pop("_member")
            lines = [f"## {c['criterion'] or '—'}\n\n{c['comment']}" for c in entry["criteria"] if c["comment"]]
            body = "\n\n".join([f"## What works\n\n{works}", f"## What could be better\n\n{better}", *lines])
            self.archive.writestr(entry["file"], markdown({"review": entry["id"], "round_title": entry["round_title"],
                                                           "status": entry["status"]}, body))
        return list(written.values())

    def _ratings(self, theirs):
        """How helpful they found the reviews of their work (their rating and note; not the reviews). Their flags
        of reviews are moderation flags, in flags.json."""
        query = (Review.select(Review.id, Assignment.submission, Review.helpfulness, Review.helpfulness_note,
                               Review.rated_at)
                 .join(Assignment, on=(Review.assignment == Assignment.id))
                 .where(Assignment.submission.in_(theirs) & Review.rated_at.is_null(False)))
        return [{"review": review_id, "submission": sub_id, "helpfulness": helpfulness, "note": note,
                 "rated_at": iso(rated)}
                for review_id, sub_id, helpfulness, note, rated in self.batches(query, Review.id)]

    def reactions(self):
        query = (Reaction.select(Reaction.id, Reaction.post, Post.thread, Reaction.kind, Reaction.created_at)
                 .join(Post, on=(Reaction.post == Post.id)).where(Reaction.user == self.uid))
        self.write("reactions.json", [{"post": post_id, "thread": thread_id, "kind": kind, "created_at": iso(created)}
                                      for _, post_id, thread_id, kind, created in self.batches(query, Reaction.id)])

    def flags(self):
        query = Flag.select(Flag.id, Flag.circle, Flag.target_kind, Flag.target_id, Flag.reason, Flag.conduct_point,
                            Flag.note, Flag.created_at, Flag.resolved_at, Flag.resolution).where(
            Flag.flagger == self.uid)
        self.write("flags.json", [
            {"circle": self.circle(circle_id), "item": {"kind": kind, "id": target_id}, "reason": reason,
             "code_of_conduct_point": point, "note": note, "created_at": iso(created), "resolved_at": iso(resolved),
             "outcome": outcome or None}
            for _, circle_id, kind, target_id, reason, point, note, created, resolved, outcome
            in self.batches(query, Flag.id)])

    def made(self):
        """What they set up for their circles: invitation links (never their tokens) and review rounds."""
        invitations = Invitation.select(Invitation.id, Invitation.circle, Invitation.role, Invitation.created_at,
                                        Invitation.expires_at, Invitation.max_uses, Invitation.uses,
                                        Invitation.revoked_at).where(Invitation.created_by == self.uid)
        rounds = ReviewRound.select(ReviewRound.id, ReviewRound.circle, ReviewRound.title, ReviewRound.brief,
                                    ReviewRound.created_at, ReviewRound.published_at).where(
            ReviewRound.created_by == self.uid)
        round_entries = []
        for round_id, circle_id, title, brief, created, published in self.batches(rounds, ReviewRound.id):
            name = f"review_rounds/{round_id}.md"
            round_entries.append({"id": round_id, "circle": self.circle(circle_id), "title": title,
                                  "created_at": iso(created), "published_at": iso(published), "file": name})
            self.archive.writestr(name, markdown({"round": round_id, "title": title}, brief))
        self.write("made.json", {
            "invitation_links": [{"circle": self.circle(circle_id), "role": role, "created_at": iso(created),
                                  "expires_at": iso(expires), "max_uses": max_uses, "uses": uses,
                                  "revoked_at": iso(revoked)}
                                 for _, circle_id, role, created, expires, max_uses, uses, revoked
                                 in self.batches(invitations, Invitation.id)],
            "review_rounds": round_entries})

    def moderation(self):
        """Moderation actions they took (what, when, why: their words), and their own items moderators removed."""
        actions = LogEntry.select(LogEntry.id, LogEntry.circle, LogEntry.created_at, LogEntry.actor_role,
                                  LogEntry.action, LogEntry.target_kind, LogEntry.target_id, LogEntry.reason,
                                  LogEntry.until).where(LogEntry.actor == self.uid)
        removed = Removed.select(Removed.id, Removed.circle, Removed.target_kind, Removed.target_id, Removed.title,
                                 Removed.body, Removed.removed_at).where(Removed.author == self.uid)
        removed_entries = []
        for removed_id, circle_id, kind, target_id, title, body, when in self.batches(removed, Removed.id):
            name = f"removed_by_moderators/{removed_id}.md"
            removed_entries.append({"circle": self.circle(circle_id), "item": {"kind": kind, "id": target_id},
                                    "removed_at": iso(when), "file": name})
            self.archive.writestr(name, markdown({"item": f"{kind} {target_id}", "title": title or None}, body))
        self.write("moderation.json", {
            "actions_you_took": [{"circle": self.circle(circle_id), "created_at": iso(created), "as": role,
                                  "action": action, "item": {"kind": kind, "id": target_id} if kind else None,
                                  "reason": reason, "until": iso(until)}
                                 for _, circle_id, created, role, action, kind, target_id, reason, until
                                 in self.batches(actions, LogEntry.id)],
            "your_items_moderators_removed": removed_entries})


    def meetings(self):
        """Live meetings: their answers and poll votes, the meetings they attended, what they scheduled, and their
        own reflections as a facilitator (other facilitators' are theirs, not this member's)."""
        def when(query, *columns):
            return query.select(*columns, Occurrence.starts_at, Meeting.title, Meeting.circle).join(
                Occurrence, on=(query.model.occurrence == Occurrence.id)).join(
                Meeting, on=(Occurrence.meeting == Meeting.id))

        answers = when(Rsvp.select(), Rsvp.id, Rsvp.answer, Rsvp.note, Rsvp.updated_at).where(Rsvp.user == self.uid)
        attended = when(Attendance.select(), Attendance.id).where(Attendance.user == self.uid)
        reflections = when(Reflection.select(), Reflection.id, Reflection.rating, Reflection.went_well,
                           Reflection.to_change, Reflection.updated_at).where(Reflection.author == self.uid)
        votes = (Vote.select(Vote.id, Vote.answer, Slot.starts_at, Poll.title, Poll.circle)
                 .join(Slot, on=(Vote.slot == Slot.id)).join(Poll, on=(Slot.poll == Poll.id))
                 .where(Vote.user == self.uid))
        scheduled = Meeting.select(Meeting.id, Meeting.circle, Meeting.title, Meeting.agenda, Meeting.zone,
                                   Meeting.local_start, Meeting.repeat, Meeting.created_at).where(
            Meeting.organiser == self.uid)
        self.write("meetings.json", {
            "answers": [{"meeting": self.title(title, circle_id), "circle": self.circle(circle_id),
                         "starts_at": iso(start), "answer": answer, "note": note, "updated_at": iso(updated)}
                        for _, answer, note, updated, start, title, circle_id in self.batches(answers, Rsvp.id)],
            "attended": [{"meeting": self.title(title, circle_id), "circle": self.circle(circle_id),
                          "starts_at": iso(start)}
                         for _, start, title, circle_id in self.batches(attended, Attendance.id)],
            "poll_answers": [{"poll": self.title(title, circle_id), "circle": self.circle(circle_id),
                              "time": iso(start), "answer": answer}
                             for _, answer, start, title, circle_id in self.batches(votes, Vote.id)],
            "scheduled": [{"title": title, "circle": self.circle(circle_id), "agenda": agenda, "zone": zone,
                           "first_local_start": local.isoformat(timespec="minutes"), "repeat": repeat,
                           "created_at": iso(created)}
                          for _, circle_id, title, agenda, zone, local, repeat, created
                          in self.batches(scheduled, Meeting.id)],
            "reflections": [{"meeting": title, "circle": self.circle(circle_id), "starts_at": iso(start),
                             "rating": rating, "went_well": went_well, "to_change": to_change,
                             "updated_at": iso(updated)}
                            for _, rating, went_well, to_change, updated, start, title, circle_id
                            in self.batches(reflections, Reflection.id)]})


def build(user, out, readme, now=None):
    """Write user's archive into out (a binary file object); readme: the README.txt's text, in their language."""
    now = now or clock.now()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        export = Export(user, archive)
        archive.writestr("README.txt", readme)
        export.account()
        export.settings(now)
        export.memberships_()
        export.threads(now)
        export.posts(now)
        export.reviews()
        export.reactions()
        export.flags()
        export.made()
        export.moderation()
        export.meetings()
    return out
