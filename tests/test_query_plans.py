"""Every list LearnCircle shows reads through an index: SQLite's EXPLAIN QUERY PLAN for each list
query, built by the same domain functions the pages call, must name no table scan and no sort of
rows the page may not show.

A sort in a temporary B-tree is allowed only where the reason is written down: a list that shows
every row it reads (a round's board), or one bounded by one person's or one circle's own rows and
ordered by a column of another table (my circles by name), which no index can give.
"""
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from learncircle import db, web
from learncircle.accounts import sessions
from learncircle.accounts.profiles import shared_circles
from learncircle.admin import accounts as admin_accounts
from learncircle.admin import audit_log
from learncircle.circles.models import PUBLIC, Circle, Invitation, Membership
from learncircle import clock
from learncircle.discussions import mentions, muting, prompts, reading, voices
from learncircle.discussions.models import SHOWS, Post, Thread
from learncircle.meetings import reminders, rhythm
from learncircle.newcomers import approvals
from learncircle.moderation import logbook, queue, retention
from learncircle.notices import kinds
from learncircle.notices.models import Notice
from learncircle.people import models as people
from learncircle.reviews import board, pairs, pending, results
from learncircle.reviews.expectations import expectations_for
from learncircle.reviews.facilitator import queries
from learncircle.reviews.models import ReviewRound, Submission
from learncircle.reviews.reviewing import submit_review
from tests.fixtures_reviews import assignment_of, review_data, reviewing_round

PAGE = 25
BOUNDED = "bounded by one person's or one circle's own rows, ordered by another table's column"
SHOWS_ALL = "shows every row it reads"
# "Every voice" says how many rows each list has (COUNT(*) OVER ()), so it reads every row it matches anyway.
COUNTS_ALL = "counts every row it matches, then shows the first ones"


@pytest.fixture
def lived_in(world, make_user, make_circle):
    """The review world lived in: circles to join, a thread with replies, notices, links, a round in review."""
    circle, owner, ana, ben = world["circle"], world["owner"], world["ana"], world["ben"]
    make_circle(make_user(), name="Another public circle", visibility=PUBLIC)
    with db.database.connection_context():
        thread = Thread.start(circle=circle, author=owner, title="Welcome", kind="discussion", body="Say hello.")
        for person in (ana, ben):
            thread.reply(author=person, body=f"Hello from {person.username}.")
        question = Thread.start(circle=circle, author=ana, title="Why?", kind="question", body="Tell me.")
        question.accept_answer(question.reply(author=ben, body="Because."), ana)
        Thread.start(circle=circle, author=ben, title="How?", kind="question", body="Tell me how.")
        Notice.send([ana], kinds.as_written("Something happened."), "/")
        Invitation.make(circle=circle, created_by=owner)
        round = reviewing_round(world, by_clock=True, seed=3)
        submit_review(assignment_of(round, ana), review_data(round))
        submission = Submission.get(Submission.author == ben.id)
        submission.round = round
    return {**world, "thread": thread, "round": round, "submission": submission}


def in_app(world, run):
    """run() where the app's settings are read (the audit log's retention)."""
    with world["app"].app_context():
        return run()


def page(query):
    """The rows a page of a paginated list reads (web.Page, as the views use it)."""
    return web.Page(query, 1, PAGE).items


# name -> (what a page runs, given the world; why it may sort in a temporary B-tree, or None)
CASES = {
    # discussions
    "Thread.listing": (lambda w: page(Thread.listing(w["circle"])), None),
    "Thread.unanswered": (lambda w: page(Thread.unanswered(w["circle"])), None),
    "Thread.questions": (lambda w: page(Thread.questions(w["circle"])), None),
    "Thread.started_by": (lambda w: page(Thread.started_by(w["circle"], w["ana"])), None),
    # The circle page's filters (show=…), as the view asks for them.
    **{f"Thread.filtered ({show})": ((lambda show: lambda w: page(Thread.filtered(w["circle"], show, w["ana"])))(show),
                                     None) for show in SHOWS},
    "Post.page_of": (lambda w: Post.page_of(w["thread"], 1), None),
    # Unread posts: the list with each thread's read state, the circles' counts, the thread page's one query.
    "reading.with_read_state": (lambda w: page(reading.with_read_state(Thread.listing(w["circle"]), w["ana"])),
                                None),
    "reading.unread_by_circle": (lambda w: reading.unread_by_circle(w["ana"], [w["circle"].id]), COUNTS_ALL),
    "reading.thread_for_reader": (lambda w: reading.thread_for_reader(w["thread"].id, w["ana"]), None),
    "prompts.scheduled": (lambda w: list(prompts.scheduled(w["circle"])), None),
    # New members' posts waiting for approval, oldest first (the post index on hidden_kind, created_at).
    "approvals.waiting": (lambda w: page(approvals.waiting(w["circle"])), None),
    "voices.unreplied_questions": (lambda w: voices.unreplied_questions(w["circle"], clock.now()), COUNTS_ALL),
    "voices.unanswered_first_posts": (lambda w: voices.unanswered_first_posts(w["circle"], clock.now()),
                                      COUNTS_ALL),
    "voices.silent_members": (lambda w: voices.silent_members(w["circle"], clock.now()), COUNTS_ALL),
    "voices.quiet_members": (lambda w: voices.quiet_members(w["circle"], clock.now()), COUNTS_ALL),
    "voices.recently_greeted": (lambda w: voices.recently_greeted(w["circle"], clock.now()), None),
    # @mentions: the one lookup of a post's names, and the names offered while typing (a circle's members).
    "mentions.render": (lambda w: mentions.render("@ana and @ben, @nobody", w["circle"].id), None),
    "mentions.suggestions": (lambda w: mentions.suggestions(w["circle"], "an", w["ben"]), BOUNDED),
    "mentions.suggestions (empty)": (lambda w: mentions.suggestions(w["circle"], "", w["ben"]), BOUNDED),
    # circles
    "Circle.discoverable": (lambda w: page(Circle.discoverable(w["ana"])), None),
    "Circle.listed": (lambda w: page(Circle.listed()), None),
    "Circle.of_user": (lambda w: page(Circle.of_user(w["ana"])), BOUNDED),
    "Membership.roster": (lambda w: page(Membership.roster(w["circle"])), BOUNDED),
    "Invitation.listing": (lambda w: page(Invitation.listing(w["circle"])), None),
    "shared_circles": (lambda w: page(shared_circles(w["ana"], w["ben"])), BOUNDED),
    "shared_circles (one's own)": (lambda w: page(shared_circles(w["ana"], w["ana"])), BOUNDED),
    # notices
    "Notice.recent_for": (lambda w: page(Notice.recent_for(w["ana"])), None),
    "Notice.unread_count": (lambda w: Notice.unread_count(w["ana"]), None),
    # peer review
    "ReviewRound.for_circle": (lambda w: page(ReviewRound.for_circle(w["circle"])), None),
    "ReviewRound.for_circle (managers)": (lambda w: page(ReviewRound.for_circle(w["circle"], include_drafts=True)),
                                          None),
    "expectations.expectations_for": (lambda w: expectations_for([w["round"]], w["ana"]), None),
    "ReviewRound.rubric": (lambda w: w["round"].rubric(), None),
    "Submission.versions": (lambda w: page(w["submission"].versions()), None),
    "board.board": (lambda w: board.board(w["round"]), SHOWS_ALL),
    "board.export_csv": (lambda w: board.export_csv(w["round"]), SHOWS_ALL),
    "results.results_for": (lambda w: results.results_for(w["submission"], w["ben"]), SHOWS_ALL),
    "results.reviewer_tasks": (lambda w: results.reviewer_tasks(w["round"], w["ana"]), None),
    "queries.rubric_sources": (lambda w: queries.rubric_sources(w["circle"]), None),
    "queries.reviewer_candidates": (lambda w: queries.reviewer_candidates(w["round"], w["submission"]),
                                    SHOWS_ALL),
    "queries.flag_reasons": (lambda w: queries.flag_reasons(w["round"]), None),
    "pairs.listing": (lambda w: pairs.listing(w["circle"].id), None),
    "pending.pending_for": (lambda w: pending.pending_for(w["ana"]), SHOWS_ALL),
    "pending.pending_for (one circle)": (lambda w: pending.pending_for(w["ana"], w["circle"]), SHOWS_ALL),
    # moderation: the review queue (a circle's open flags, grouped by item, then the groups ordered: no index
    # gives groups in order), the log for its moderators and for its members, what moderators deleted
    "queue.open_items": (lambda w: page(queue.open_items(w["circle"])), "orders a circle's groups of open flags"),
    "logbook.entries_for": (lambda w: page(logbook.entries_for(w["circle"], True)), None),
    "logbook.entries_for (members)": (lambda w: page(logbook.entries_for(w["circle"], False)), None),
    "retention.kept_for": (lambda w: page(retention.kept_for(w["circle"])), None),
    # accounts
    "sessions.active": (lambda w: sessions.active(w["ana"]), None),
    # the instance admin's pages: accounts newest first by their primary key (a search or a status reads on
    # until the page is full), one account's circles, the audit log through its dates
    "accounts.listing": (lambda w: page(admin_accounts.listing()), None),
    "accounts.listing (searched)": (lambda w: page(admin_accounts.listing("an", admin_accounts.ACTIVE)), None),
    "accounts.listing (suspended)": (lambda w: page(admin_accounts.listing("", admin_accounts.SUSPENDED)), None),
    "accounts.circles_of": (lambda w: page(admin_accounts.circles_of(w["ana"])), BOUNDED),
    "audit_log.events": (lambda w: in_app(w, lambda: page(audit_log.events())), None),
    "audit_log.events (a circle, a kind)": (lambda w: in_app(w, lambda: page(audit_log.events(w["circle"].id,
                                                                                           "admin."))), None),
    "audit_log.events (one action)": (lambda w: in_app(w, lambda: page(audit_log.events(None, "admin.suspend"))),
                                      None),
    # Meetings: a circle's coming ones, the last notes, every past one (the attendance history's pages), the
    # reminders due across the instance, a member's calendar feed.
    "rhythm.upcoming": (lambda w: rhythm.upcoming(w["circle"], clock.now()), None),
    "rhythm.last_notes": (lambda w: rhythm.last_notes(w["circle"]), None),
    "queries.past": (lambda w: page(rhythm.past(w["circle"], clock.now())), None),
    "reminders.due": (lambda w: reminders.due(clock.now()), None),
    # Muting and blocking: one's list of them, and the thread list marked with whom the reader muted.
    "people.chosen_by": (lambda w: page(people.chosen_by(w["ana"])), None),
    "muting.mark_threads": (lambda w: page(muting.mark_threads(Thread.listing(w["circle"]), w["ana"])), None),
}


@contextmanager
def recorded_selects():
    """The SELECT statements run inside the block, with their parameters."""
    database = db.database.obj
    real = database.execute_sql
    seen = []

    def recording(sql, params=None, *args, **kwargs):
        if sql.lstrip().upper().startswith("SELECT"):
            seen.append((sql, tuple(params or ())))
        return real(sql, params, *args, **kwargs)

    database.execute_sql = recording
    try:
        yield seen
    finally:
        database.execute_sql = real


def plan(sql, params):
    return [detail for *_, detail in db.database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()]


SCAN = re.compile(r"^SCAN (?!\(subquery|CONSTANT ROW)")  # a table or a whole index read from end to end


# Known to sort what an index should give; the mark goes once the index is there (strict: it fails then).
NOT_YET = {}


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=NOT_YET[name]))
                                  if name in NOT_YET else name for name in sorted(CASES)])
def test_every_list_query_reads_through_an_index(lived_in, name):
    run, sort_allowed_because = CASES[name]
    with db.database.connection_context():
        with recorded_selects() as selects:
            run(lived_in)
        assert selects, f"{name} ran no query"
        for sql, params in selects:
            steps = plan(sql, params)
            scans = [step for step in steps if SCAN.match(step)]
            assert not scans, f"{name} reads a whole table or index:\n{sql}\n" + "\n".join(steps)
            if sort_allowed_because is None:
                sorts = [step for step in steps if "TEMP B-TREE" in step]
                assert not sorts, f"{name} sorts rows an index should give in order:\n{sql}\n" + "\n".join(steps)


def test_every_paginated_list_is_checked():
    """A new web.Page(...) in a view fails here until its query is one of the cases above."""
    root = Path(__file__).resolve().parent.parent / "learncircle"
    called = set()
    for source in root.rglob("*.py"):
        called.update(re.findall(r"web\.Page\(\s*([\w.]+)\(", source.read_text(encoding="utf-8")))
    covered = {name.split(" ")[0].split(".")[-1] for name in CASES}
    missing = sorted(name for name in called if name.split(".")[-1] not in covered)
    assert called and not missing, f"add these lists to CASES: {missing}"
