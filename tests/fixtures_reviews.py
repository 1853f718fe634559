"""The world the peer-review tests share: a circle with its people, rounds built through the domain
as a facilitator builds them, and the few moves that bring a round to where a test starts.

Loaded for every test module by conftest.py (pytest_plugins), so `world` and `in_request` are
fixtures everywhere; the helpers are imported from here.

    world        a public circle: its owner Olga, a facilitator Fred, four members Ana (in Berlin's
                 time zone), Ben, Cai and Dee ("Ana Learner"…), and Otto, who is in no circle; the
                 clock frozen (frozen_clock) and a connection open
    in_request   a request context around the test, for domain calls that ask "who may" (cached in g)
"""
import datetime as dt
from contextlib import contextmanager

import pytest
from bs4 import BeautifulSoup

from learncircle import clock, db
from learncircle.circles.models import FACILITATOR, MEMBER
from learncircle.notices.models import Notice
from learncircle.reviews import rubric
from learncircle.reviews.allocation import ensure_allocated
from learncircle.reviews.models import Assignment, ReviewRound, Submission
from learncircle.reviews.submitting import submit

GOOD = "The argument is easy to follow and every claim has an example."
BETTER = "Cut the second paragraph: it repeats the first and hides your best point."
CLARITY = {"name": "Clarity", "description": "Can a newcomer follow it?", "kind": "scale",
           "levels": ["Hard to follow", "Mostly clear", "Crystal clear"]}
SOURCES = {"name": "Sources", "kind": "comments"}


@pytest.fixture
def world(app, frozen_clock, make_user, make_circle, add_member):
    """A circle with its owner, a facilitator and four members, and one person from elsewhere."""
    owner = make_user("olga", display_name="Olga Owner")
    circle = make_circle(owner)
    facilitator = make_user("fred", display_name="Fred Facilitator")
    add_member(circle, facilitator, FACILITATOR)
    members = [make_user(name, display_name=name.title() + " Learner",
                         timezone="Europe/Berlin" if name == "ana" else "UTC")
               for name in ("ana", "ben", "cai", "dee")]
    for member in members:
        add_member(circle, member, MEMBER)
    db.database.connect(reuse_if_open=True)
    yield {"app": app, "circle": circle, "owner": owner, "facilitator": facilitator, "members": members,
           **{member.username: member for member in members}, "outsider": make_user("otto")}
    if not db.database.is_closed():
        db.database.close()


@pytest.fixture
def in_request(app):
    with app.test_request_context():
        yield


# ---- rounds -------------------------------------------------------------------------------------

def round_settings(**overrides):
    """A round's settings as the domain takes them: submissions due in two days, reviews in five."""
    now = clock.now()
    data = dict(title="Essay one", brief="Write **500** words on a tool you use.", submission_format="text",
                reviews_per_submission=2, reviewer_pool="submitters", anonymity="reviewers_hidden",
                submission_deadline=now + dt.timedelta(days=2), review_deadline=now + dt.timedelta(days=5),
                accept_late=True, results_release="as_arrive", min_prompt_length=20)
    data.update(overrides)
    return data


def round_form(**overrides):
    """What a facilitator types in the round form (deadlines in their own zone)."""
    data = {"title": "Essay one", "brief": "Write **500** words on a tool you use.", "submission_format": "text",
            "reviews_per_submission": "2", "reviewer_pool": "submitters", "anonymity": "reviewers_hidden",
            "submission_deadline": "2026-03-09T18:00", "review_deadline": "2026-03-16T18:00",
            "accept_late": "y", "results_release": "as_arrive", "min_prompt_length": "20", "copy_from": "0"}
    data.update(overrides)
    return data


def make_round(circle, by, *, publish=True, criteria=(CLARITY, SOURCES), **overrides):
    """A round with a rubric (Clarity, a scale of three levels, and Sources, comments only), published."""
    round = ReviewRound.create_round(circle=circle, created_by=by, data=round_settings(**overrides))
    for criterion in criteria:
        rubric.add_criterion(round, criterion)
    if publish:
        round.publish()
    return round


def fresh(round):
    """The round as a new request would load it."""
    return ReviewRound.get_by_id(round.id)


def everyone_submits(round, people):
    return [submit(round, person, body=f"# Work by {person.username}\n\nMy essay.") for person in people]


def start_reviewing(round, **allocating):
    """Start reviewing by hand and allocate at once, as the background allocation then does; return the
    Allocation (ensure_allocated's arguments: seed, url)."""
    round.start_reviewing_now()
    return ensure_allocated(round, **allocating)


def reviewing_round(world, *, by_clock=False, seed=None, **overrides):
    """Ana, Ben and Cai submitted and review each other's work (two reviews each), from a start by hand
    or, with by_clock, from the submission deadline passing. The allocation's own notices are gone,
    so a test counts the ones it causes."""
    round = make_round(world["circle"], world["facilitator"], **overrides)
    everyone_submits(round, world["members"][:3])
    if by_clock:
        clock.advance(days=2, minutes=1)
        ensure_allocated(fresh(round), seed=seed)
    else:
        start_reviewing(round, seed=seed)
    Notice.delete().execute()
    return fresh(round)


def assignment_of(round, reviewer, author=None):
    """The reviewer's (first) assignment in the round, to author's work if given; None if there is none."""
    query = (Assignment.select().join(Submission)
             .where((Assignment.round == round.id) & (Assignment.reviewer == reviewer.id)))
    if author is not None:
        query = query.where(Submission.author == author.id)
    return query.first()


# ---- reviews ------------------------------------------------------------------------------------

def review_data(round, level=2, good=GOOD, better=BETTER):
    """A complete review as the domain takes it: Clarity at level (0-based), comments on every criterion."""
    criteria = round.rubric()
    comments = dict(zip([c.id for c in criteria], ("Clear headings.", "Cite the manual.")))
    return {"what_works": good, "could_be_better": better, "levels": {criteria[0].id: level}, "comments": comments}


def review_form(round, level=3, good=GOOD, better=BETTER, clarity_comment="Clear headings.",
                sources_comment="Cite the manual."):
    """A complete review as the form sends it (levels 1-based; level=None chooses none)."""
    clarity, sources = round.rubric()
    data = {"what_works": good, "could_be_better": better, f"comment-{clarity.id}": clarity_comment,
            f"comment-{sources.id}": sources_comment}
    if level is not None:
        data[f"level-{clarity.id}"] = str(level)
    return data


# ---- reading and measuring ----------------------------------------------------------------------

def page_text(response):
    """What a person reads on a page, its whitespace collapsed."""
    return " ".join(BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ").split())


@contextmanager
def counted_queries():
    """The SQL statements run inside the block."""
    real = db.database.obj.execute_sql
    seen = []

    def counting(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return real(sql, params, *args, **kwargs)

    db.database.obj.execute_sql = counting
    try:
        yield seen
    finally:
        db.database.obj.execute_sql = real
