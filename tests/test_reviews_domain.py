"""Peer review's domain: phases on a controlled clock, submissions, allocation in the database,
reviews, feedback on feedback, results and their anonymity, the board, the export and nudges.

The world (a circle with Olga, Fred, Ana, Ben, Cai and Dee) is tests/fixtures_reviews.py's.
"""
import csv
import dataclasses
import datetime as dt
import io

import pytest

from learncircle import clock
from learncircle.notices import kinds
from learncircle.notices.models import Notice
from learncircle.reviews import access, background_allocation, rubric
from learncircle.reviews import board as boards
from learncircle.reviews import results as reading
from learncircle.reviews.allocation import add_reviewer, ensure_allocated, past_pairs, reviewer_pool, swap_reviewer
from learncircle.reviews.expectations import expectations_for, expected_of
from learncircle.reviews.models import Assignment, Criterion, Review, ReviewRound, Submission, SubmissionVersion
from learncircle.reviews.reviewing import (
    flag_review, hide_review, rate_review, save_review_draft, submit_review, unhide_review,
)
from learncircle.reviews.rules import (
    AFTER_CLOSE, BOTH_HIDDEN, CLOSED, DRAFT, LINK, MEMBERS, OPEN, OPEN_IDENTITIES, REVIEWING,
    DraftWouldBeLost, Refused, ValidationError,
)
from learncircle.reviews.submitting import save_revision_plan, submit
from tests.fixtures_reviews import (
    GOOD, assignment_of, counted_queries, everyone_submits, fresh, make_round, review_data, round_settings,
    start_reviewing,
)

# Domain calls that ask "who may" read the viewer's memberships from the request's cache.
pytestmark = pytest.mark.usefixtures("in_request")


# ---- phases -------------------------------------------------------------------------------------

def test_a_round_moves_through_its_phases_by_the_clock(world):
    ana, ben, cai, dee = world["members"]
    round = make_round(world["circle"], world["facilitator"], publish=False)
    assert round.phase() == DRAFT
    round.publish()
    assert round.phase() == OPEN
    assert round.next_deadline() - clock.now() == dt.timedelta(days=2)
    everyone_submits(round, [ana, ben, cai])

    clock.advance(days=2)
    assert round.phase() == REVIEWING
    assert round.next_deadline() == round.review_deadline
    assert round.next_deadline() - clock.now() == dt.timedelta(days=3)
    first = ensure_allocated(round, seed=1)
    assert first.shortfalls == []
    assert Assignment.select().where(Assignment.round == round).count() == 6
    # Observed again, by another request holding a stale copy: nothing more happens.
    assert ensure_allocated(round) is None
    assert ensure_allocated(ReviewRound.get_by_id(round.id)) is None
    assert Assignment.select().where(Assignment.round == round).count() == 6

    clock.advance(days=3)
    assert round.phase() == CLOSED
    assert round.next_deadline() is None


def test_a_restart_changes_nothing_because_phases_are_computed(world):
    round = make_round(world["circle"], world["facilitator"])
    clock.advance(days=2, seconds=1)
    assert fresh(round).phase() == REVIEWING  # a freshly loaded row agrees without any stored phase


def test_publishing_needs_a_rubric_and_a_future_deadline(world):
    round = ReviewRound.create_round(circle=world["circle"], created_by=world["owner"], data=round_settings())
    with pytest.raises(Refused, match="at least one criterion"):
        round.publish()
    rubric.add_criterion(round, {"name": "Clarity", "kind": "comments"})
    clock.advance(days=3)
    with pytest.raises(Refused, match="deadline has passed"):
        round.publish()
    assert fresh(round).phase() == DRAFT


def test_manual_moves_start_reviewing_and_close(world):
    ana, ben, cai, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    everyone_submits(round, [ana, ben, cai])
    allocation = start_reviewing(round)
    assert allocation is not None and fresh(round).phase() == REVIEWING
    assert fresh(round).allocated_at == clock.now()
    with pytest.raises(Refused):
        round.start_reviewing_now()
    round.close_now()
    assert fresh(round).phase() == CLOSED
    with pytest.raises(Refused, match="already closed"):
        round.close_now()
    with pytest.raises(Refused, match="closed by hand"):
        round.extend_deadlines(review_deadline=clock.now() + dt.timedelta(days=9))


def test_deadlines_extend_with_clear_messages(world):
    round = make_round(world["circle"], world["facilitator"])
    with pytest.raises(ValidationError) as error:
        round.extend_deadlines(submission_deadline=clock.now() - dt.timedelta(hours=1))
    assert error.value.errors == {
        "submission_deadline": "The new submission deadline is in the past: choose a later time."}
    with pytest.raises(ValueError, match="must come after the submission deadline"):
        round.extend_deadlines(submission_deadline=round.review_deadline + dt.timedelta(hours=1))
    round.extend_deadlines(submission_deadline=clock.now() + dt.timedelta(days=6),
                           review_deadline=clock.now() + dt.timedelta(days=8))
    assert fresh(round).submission_deadline == clock.now() + dt.timedelta(days=6)

    clock.advance(days=6)
    ensure_allocated(round)
    with pytest.raises(ValidationError, match="Reviewing has already started"):
        round.extend_deadlines(submission_deadline=clock.now() + dt.timedelta(days=1))
    clock.advance(days=3)
    assert round.phase() == CLOSED
    round.extend_deadlines(review_deadline=clock.now() + dt.timedelta(days=1))
    assert fresh(round).phase() == REVIEWING


def test_settings_fixed_once_people_acted_on_them(world):
    round = make_round(world["circle"], world["facilitator"])
    with pytest.raises(ValidationError) as error:
        round.update_settings(round_settings(anonymity=OPEN_IDENTITIES, title="Essay one, revised",
                                       submission_deadline=round.submission_deadline,
                                       review_deadline=round.review_deadline))
    assert set(error.value.errors) == {"anonymity"}
    round.update_settings(round_settings(title="Essay one, revised", brief="Now *600* words.",
                                   submission_deadline=round.submission_deadline,
                                   review_deadline=round.review_deadline))
    assert fresh(round).title == "Essay one, revised"
    assert "<em>600</em>" in fresh(round).brief_html
    with pytest.raises(Refused):
        round.discard()


# ---- validation ---------------------------------------------------------------------------------

def test_round_settings_are_checked_with_a_message_per_field(world):
    past = clock.now() - dt.timedelta(minutes=5)
    with pytest.raises(ValidationError) as error:
        ReviewRound.create_round(circle=world["circle"], created_by=world["owner"],
                                 data=round_settings(title=" ", reviews_per_submission=11, submission_deadline=past,
                                               anonymity="secret", min_prompt_length=-1))
    assert error.value.errors == {
        "title": "Give the round a title.",
        "reviews_per_submission": "Choose between 1 and 10 reviews per submission.",
        "submission_deadline": "The submission deadline is in the past: choose a later time.",
        "anonymity": "Choose who sees whose name.",
        "min_prompt_length": "Choose a minimum between 0 and 2,000 characters.",
    }
    with pytest.raises(ValidationError) as error:
        ReviewRound.create_round(circle=world["circle"], created_by=world["owner"],
                                 data=round_settings(review_deadline=clock.now() + dt.timedelta(days=1)))
    assert error.value.errors == {"review_deadline": "The review deadline must come after the submission deadline."}
    assert ReviewRound.select().count() == 0


def test_rubric_rules(world):
    round = make_round(world["circle"], world["facilitator"], publish=False)
    with pytest.raises(ValidationError) as error:
        rubric.add_criterion(round, {"name": "", "kind": "scale", "levels": ["Weak", "", "Strong"]})
    assert error.value.errors == {"name": "Give the criterion a name.",
                                  "levels": "Describe every level (level 2 is empty)."}
    with pytest.raises(ValidationError, match="2 to 6 levels"):
        rubric.add_criterion(round, {"name": "Depth", "kind": "scale", "levels": ["Only one", "", ""]})
    with pytest.raises(ValidationError, match="2 to 6 levels"):
        rubric.add_criterion(round, {"name": "Depth", "kind": "scale", "levels": [str(i) for i in range(7)]})
    with pytest.raises(ValidationError) as error:
        rubric.add_criterion(round, {"name": "Bad", "kind": "scale", "levels": []})
    assert error.value.errors == {"levels": "A scale needs 2 to 6 levels, each with a descriptor."}
    for i in range(18):  # Clarity and Sources are two of the twenty
        rubric.add_criterion(round, {"name": f"C{i}", "kind": "comments"})
    with pytest.raises(ValidationError, match="at most 20"):
        rubric.add_criterion(round, {"name": "C18", "kind": "comments"})
    assert len(round.rubric()) == 20

    round = ReviewRound.create_round(circle=world["circle"], created_by=world["owner"], data=round_settings())
    rubric.add_criterion(round, {"name": "Depth", "kind": "scale", "levels": ["Shallow", "Deep", "", ""]})
    rubric.add_criterion(round, {"name": "Tone", "kind": "comments", "levels": ["ignored"]})
    depth, tone = round.rubric()
    assert depth.level_names == ["Shallow", "Deep"] and tone.level_names == []
    rubric.move_criterion(tone, -1)
    assert [c.name for c in round.rubric()] == ["Tone", "Depth"]
    rubric.remove_criterion(round.rubric()[0])
    assert [(c.name, c.position) for c in round.rubric()] == [("Depth", 1)]


def test_submission_rules_depend_on_the_format(world):
    ana = world["members"][0]
    text_round = make_round(world["circle"], world["facilitator"])
    with pytest.raises(ValidationError) as error:
        submit(text_round, ana, body="   ")
    assert error.value.errors == {"body": "Write your submission."}
    with pytest.raises(ValidationError, match="under 50,000 characters"):
        submit(text_round, ana, body="x" * 50_001)
    link_round = make_round(world["circle"], world["facilitator"], submission_format=LINK)
    with pytest.raises(ValidationError) as error:
        submit(link_round, ana, link="javascript:alert(1)")
    assert error.value.errors == {"link": "Give a web address starting with https:// or http://."}
    submission = submit(link_round, ana, link=" https://example.org/my-work ")
    assert submission.latest_version().link == "https://example.org/my-work"
    assert Submission.select().count() == 1


def test_review_rules_apply_in_full_only_when_submitting(world):
    ana, ben, cai, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    everyone_submits(round, [ana, ben, cai])
    start_reviewing(round)
    assignment = assignment_of(round, ana)
    clarity, _ = round.rubric()
    save_review_draft(assignment, {"what_works": "ok"})  # a draft may be anything short
    with pytest.raises(ValidationError) as error:
        submit_review(assignment, {"could_be_better": "meh"})
    assert error.value.errors == {
        "what_works": "“What works” needs at least 20 characters (it has 2): say specifically what and why.",
        "could_be_better": ("“What would make it better” needs at least 20 characters (it has 3): "
                            "say specifically what and why."),
        f"level-{clarity.id}": "Choose a level for “Clarity”.",
    }
    review = Review.get(Review.assignment == assignment)
    assert review.could_be_better == "meh" and not review.is_submitted  # what was typed is kept
    with pytest.raises(ValidationError, match="under 10,000"):
        save_review_draft(assignment, {"what_works": "x" * 10_001})
    with pytest.raises(ValidationError, match="Choose one of the levels"):
        save_review_draft(assignment, {"levels": {clarity.id: 3}})


# ---- submissions ----------------------------------------------------------------------------------

def test_every_save_is_a_version_and_reviewers_see_the_latest(world):
    ana, ben, _, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    submit(round, ana, body="First try")
    clock.advance(hours=1)
    submission = submit(round, ana, body="Second, **better** try")
    assert submission.version_count == 2
    assert [v.body for v in submission.versions()] == ["Second, **better** try", "First try"]
    assert "<strong>better</strong>" in submission.latest_version().body_html
    submit(round, ben, body="Ben's work")
    start_reviewing(round)
    view = reading.reviewer_view(assignment_of(round, ben, author=ana))
    assert view.version.number == 2 and view.version.body == "Second, **better** try"
    with pytest.raises(Refused, match="can no longer change"):
        submit(round, ana, body="Third try after the deadline")
    assert SubmissionVersion.select().count() == 3


def test_a_late_submission_is_marked_and_allocated_on_arrival(world):
    ana, ben, cai, dee = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    everyone_submits(round, [ana, ben, cai])
    clock.advance(days=2, hours=1)
    ensure_allocated(round, seed=4)
    late = submit(round, dee, body="Sorry, late!", seed=4)
    assert late.is_late
    reviewers = [a.reviewer_id for a in Assignment.select().where(Assignment.submission == late)]
    assert len(reviewers) == 2 and dee.id not in reviewers
    # The late author reviews too, as much as everyone else, so loads stay within one.
    loads = {p.id: Assignment.select().where((Assignment.round == round) & (Assignment.reviewer == p.id)).count()
             for p in (ana, ben, cai, dee)}
    assert max(loads.values()) - min(loads.values()) <= 1 and loads[dee.id] >= 2

    strict = make_round(world["circle"], world["facilitator"], accept_late=False)
    clock.advance(days=2, hours=1)
    with pytest.raises(Refused, match="does not accept late submissions"):
        submit(strict, dee, body="Too late")
    clock.advance(days=5)
    with pytest.raises(Refused, match="closed"):
        submit(round, world["facilitator"], body="Far too late")


def test_a_first_late_submission_joins_the_allocation_if_nobody_looked_yet(world, app):
    ana, ben, cai, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    everyone_submits(round, [ana, ben])
    clock.advance(days=2, hours=1)
    submission = submit(round, cai, body="Late, but before anyone looked", seed=1)
    # Nothing is solved inside the submission's write: the background allocation includes it.
    assert submission.is_late and fresh(round).allocated_at is None
    assert background_allocation.worker(app).step() == [round.id]
    assert Assignment.select().where(Assignment.round == round).count() == 6


def test_a_submission_body_stores_no_remote_image(world):
    ana = world["members"][0]
    round = make_round(world["circle"], world["facilitator"])
    body = "My chart: ![x](https://tracker.example/p.png) and our logo ![logo](/static/logo.png)"
    stored = submit(round, ana, body=body).latest_version()
    assert stored.body == body
    # A hidden reviewer opening the work must not fetch anything from the author's server.
    assert 'src="https://tracker.example' not in stored.body_html and "<img" in stored.body_html
    assert 'href="https://tracker.example/p.png"' in stored.body_html and "image: x" in stored.body_html
    assert 'src="/static/logo.png"' in stored.body_html


# ---- telling reviewers ----------------------------------------------------------------------------

def test_each_reviewer_is_told_once_how_many_reviews_they_have(world):
    ana, ben, cai, dee = world["members"]
    # Two pieces of work, three reviews each, four members: two review once, two review twice.
    round = make_round(world["circle"], world["facilitator"], reviewer_pool=MEMBERS, reviews_per_submission=3)
    everyone_submits(round, [ana, ben])
    clock.advance(days=2, hours=1)
    with counted_queries() as queries:
        ensure_allocated(round, seed=2, url="/r/7")
    loads = {}
    for a in Assignment.select().where(Assignment.round == round):
        loads[a.reviewer_id] = loads.get(a.reviewer_id, 0) + 1
    assert sorted(loads.values()) == [1, 1, 2, 2]
    # Rows go in through the driver's executemany, not an INSERT built in Python for each row or load.
    assert [sql for sql in queries if sql.startswith("INSERT")] == []
    notices = list(Notice.select())
    assert sorted(n.user_id for n in notices) == sorted(loads)  # one each, and only for reviewers
    for notice in notices:
        count = loads[notice.user_id]
        reviews = "1 review" if count == 1 else f"{count} reviews"
        assert notice.text == f"Reviewing has started in “Essay one”: you have {reviews} to do."
        assert (notice.url, notice.circle_id) == ("/r/7", world["circle"].id)
    # Seen again by another request: nobody is told twice.
    ensure_allocated(fresh(round), url="/r/7")
    assert Notice.select().count() == len(notices)


def test_starting_reviews_by_hand_tells_the_reviewers(world):
    ana, ben, cai, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    everyone_submits(round, [ana, ben, cai])
    start_reviewing(round)
    texts = {n.user_id: n.text for n in Notice.select()}
    told = "Reviewing has started in “Essay one”: you have 2 reviews to do."
    assert texts == {p.id: told for p in (ana, ben, cai)}
    assert Notice.get().url == ""  # shown as plain text on the notices page


def test_telling_reviewers_does_not_take_more_queries_for_more_people(world, make_user, add_member):
    small = make_round(world["circle"], world["facilitator"], reviewer_pool=MEMBERS)
    everyone_submits(small, world["members"])
    clock.advance(days=2, hours=1)
    with counted_queries() as few:
        ensure_allocated(small, seed=5)
    Notice.delete().execute()
    round = make_round(world["circle"], world["facilitator"], reviewer_pool=MEMBERS)
    everyone_submits(round, world["members"])
    for i in range(8):
        person = make_user(f"extra{i}")
        add_member(world["circle"], person)
        submit(round, person, body="More work")
    clock.advance(days=2, hours=1)
    with counted_queries() as queries:
        ensure_allocated(round, seed=5)
    assert Notice.select().count() == 12  # twelve people, everyone with two reviews
    # Rows go in through the driver's executemany: the same statements for four people or twelve.
    assert len(queries) == len(few) and not [sql for sql in queries if sql.startswith("INSERT")]


def test_late_arrival_notices_never_name_the_author_when_authors_are_hidden(world):
    ana, ben, cai, dee = world["members"]
    round = make_round(world["circle"], world["facilitator"], anonymity=BOTH_HIDDEN)
    everyone_submits(round, [ana, ben, cai])
    clock.advance(days=2, hours=1)
    ensure_allocated(round, seed=4)
    Notice.delete().execute()
    late = submit(round, dee, body="Sorry, late!", seed=4)
    reviewers = {a.reviewer_id for a in Assignment.select().where(Assignment.submission == late)}
    work = Assignment.select().where((Assignment.round == round) & (Assignment.reviewer == dee.id)).count()
    texts = {n.user_id: n.text for n in Notice.select()}
    assert len(reviewers) == 2 and work >= 2
    assert texts == {**{r: "A late submission in “Essay one” was given to you to review." for r in reviewers},
                     dee.id: f"Reviewing has started in “Essay one”: you have {work} reviews to do."}
    assert Notice.select().count() == 3
    names = ("Dee", "dee", "Ana", "Ben", "Cai")
    assert not any(name in text for name in names for text in texts.values())


# ---- pools and history ----------------------------------------------------------------------------

def test_reviewer_pools_and_past_pairs(world):
    ana, ben, cai, dee = world["members"]
    first = make_round(world["circle"], world["facilitator"])
    everyone_submits(first, [ana, ben, cai, dee])
    start_reviewing(first)
    assert sorted(reviewer_pool(first)) == sorted(p.id for p in (ana, ben, cai, dee))
    earlier = {(a.reviewer_id, a.submission.author_id) for a in Assignment.select()}

    second = make_round(world["circle"], world["facilitator"], reviews_per_submission=1)
    everyone_submits(second, [ana, ben, cai, dee])
    assert past_pairs(second) == earlier
    start_reviewing(second)
    now_paired = {(a.reviewer_id, a.submission.author_id)
                  for a in Assignment.select().where(Assignment.round == second)}
    assert len(now_paired) == 4 and not now_paired & earlier  # a fresh pairing existed, so it was used

    members_round = make_round(world["circle"], world["facilitator"], reviewer_pool=MEMBERS)
    submit(members_round, world["facilitator"], body="Facilitators may take part")
    submit(members_round, ana, body="Ana's")
    # Every member reviews; the facilitator only because they submitted; the owner not at all.
    assert sorted(reviewer_pool(members_round)) == sorted(p.id for p in (world["facilitator"], ana, ben, cai, dee))


def test_too_few_submitters_is_recorded_for_the_board(world):
    ana, ben, _, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"], reviews_per_submission=3)
    everyone_submits(round, [ana, ben])
    start_reviewing(round)
    assert fresh(round).shortfalls == ["Only 1 reviewer was available for each submission instead of 3."]
    assert boards.board(round).notes == fresh(round).shortfalls


# ---- reviews --------------------------------------------------------------------------------------

def test_drafts_are_never_lost_and_late_reviews_are_marked(world):
    ana, ben, cai, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    everyone_submits(round, [ana, ben, cai])
    clock.advance(days=2)
    ensure_allocated(round)
    assignment = assignment_of(round, ana)
    save_review_draft(assignment, {"what_works": "Half a thought"})
    clock.advance(days=4)  # past the review deadline
    assert round.phase() == CLOSED
    save_review_draft(assignment, {"could_be_better": "…and the other half"})
    review = Review.get(Review.assignment == assignment)
    assert (review.what_works, review.could_be_better) == ("Half a thought", "…and the other half")
    review = submit_review(assignment, review_data(round))
    assert review.is_submitted and review.is_late
    assert reading.review_status(review) == reading.LATE
    with pytest.raises(Refused, match="can no longer change"):
        save_review_draft(assignment, {"what_works": "An edit after submitting"})

    other = assignment_of(round, ben)
    fresh(round).close_now()
    with pytest.raises(Refused, match="Your draft is saved"):
        submit_review(other, review_data(round))
    kept = Review.get(Review.assignment == other)
    assert kept.what_works == GOOD and not kept.is_submitted


def test_a_review_on_time_is_not_late(world):
    ana, ben, cai, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    everyone_submits(round, [ana, ben, cai])
    start_reviewing(round)
    review = submit_review(assignment_of(round, ana), review_data(round, level=0))
    assert review.is_submitted and not review.is_late
    clarity, sources = round.rubric()
    responses = review.responses()
    assert responses[clarity.id].level == 0 and responses[sources.id].comment == "Cite the manual."


# ---- feedback on feedback -------------------------------------------------------------------------

def test_only_the_author_rates_and_only_once_they_can_read(world):
    ana, ben, cai, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"], results_release=AFTER_CLOSE)
    everyone_submits(round, [ana, ben, cai])
    start_reviewing(round)
    assignment = assignment_of(round, ben, author=ana)
    review = submit_review(assignment, review_data(round))
    with pytest.raises(Refused, match="once you can read it"):
        rate_review(review, ana, 5)
    clock.advance(days=5)
    with pytest.raises(Refused, match="Only the author"):
        rate_review(review, cai, 5)
    with pytest.raises(Refused, match="Only the author"):
        rate_review(review, world["facilitator"], 5)
    with pytest.raises(ValidationError, match="from 1 to 5"):
        rate_review(review, ana, 6)
    rate_review(review, ana, 4, "The second point changed my plan.")
    stored = Review.get_by_id(review.id)
    assert (stored.helpfulness, stored.helpfulness_note) == (4, "The second point changed my plan.")
    # The reviewer sees how helpful it was.
    task = next(t for t in reading.reviewer_tasks(round, ben) if t.assignment_id == assignment.id)
    assert (task.helpfulness, task.helpfulness_note) == (4, "The second point changed my plan.")


def test_flagging_notifies_facilitators_and_hiding_removes_the_review_from_the_author(world):
    ana, ben, cai, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    everyone_submits(round, [ana, ben, cai])
    start_reviewing(round)
    Notice.delete().execute()  # the allocation's notices; only the flag's are checked here
    review = submit_review(assignment_of(round, ben, author=ana), review_data(round))
    Notice.delete().execute()  # and the author's "a review arrived"
    with pytest.raises(ValueError):
        flag_review(review, ana, "other", note="  ")  # "something else" needs words (the form says so first)
    with pytest.raises(Refused):
        flag_review(review, cai, "unkind", note="Not mine to flag")
    flag_review(review, ana, "unkind", note="It mocks my accent.", url="/r/1/board")
    with pytest.raises(Refused, match="already"):
        flag_review(review, ana, "spam")
    notified = {n.user_id: n.kind for n in Notice.select()}
    assert notified == {world["owner"].id: "flags_to_review", world["facilitator"].id: "flags_to_review",
                        ana.id: "flag_received"}
    assert all("Ben" not in n.text and "ben" not in n.text and "Ana" not in n.text for n in Notice.select())

    submission = Submission.get((Submission.round == round) & (Submission.author == ana))
    assert reading.results_for(submission, ana).received == 1
    hide_review(review, world["facilitator"])
    assert reading.results_for(submission, ana).received == 0
    assert not access.can_rate(ana, Review.get_by_id(review.id))
    manager_view = reading.results_for(submission, world["facilitator"])
    assert [(r.is_hidden, r.is_flagged, r.flag_reason, r.flag_note)
            for r in manager_view.reviews] == [(True, True, "unkind", "It mocks my accent.")]
    unhide_review(review)
    assert reading.results_for(submission, ana).received == 1


def test_the_author_keeps_a_revision_plan(world):
    ana, ben, _, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    submission = submit(round, ana, body="Work")
    with pytest.raises(Refused):
        save_revision_plan(submission, ben, "Not my plan")
    save_revision_plan(submission, ana, "1. Shorter *intro*")
    plan = save_revision_plan(submission, ana, "1. Shorter *intro*\n2. More examples")
    assert submission.revision_plan().body.endswith("More examples") and "<em>intro</em>" in plan.body_html


# ---- results and anonymity ------------------------------------------------------------------------

def test_results_wait_for_release_and_show_the_median(world):
    ana, ben, cai, dee = world["members"]
    round = make_round(world["circle"], world["facilitator"], reviews_per_submission=3, results_release=AFTER_CLOSE)
    everyone_submits(round, [ana, ben, cai, dee])
    start_reviewing(round)
    submission = Submission.get((Submission.round == round) & (Submission.author == ana))
    for reviewer, level in zip((ben, cai, dee), (0, 2, 2)):
        submit_review(assignment_of(round, reviewer, author=ana), review_data(round, level=level))
    waiting = reading.results_for(submission, ana)
    assert not waiting.released and waiting.reviews == ()
    assert waiting.message == "Reviews appear here when reviewing closes."
    assert all(c.responses == () for c in waiting.criteria)

    clock.advance(days=5)
    shown = reading.results_for(submission, ana)
    assert shown.released and shown.received == 3 == shown.expected
    clarity = shown.criteria[0]
    assert sorted(r.level for r in clarity.responses) == [0, 2, 2]
    assert (clarity.median_level, clarity.median_name) == (2, "Crystal clear")
    assert shown.criteria[1].median_level is None and shown.criteria[1].responses[0].comment == "Cite the manual."
    with pytest.raises(Refused):
        reading.results_for(submission, ben)


def test_as_they_arrive_shows_only_submitted_reviews(world):
    ana, ben, cai, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    everyone_submits(round, [ana, ben, cai])
    def anas():  # loaded afresh, as each request would
        return Submission.get((Submission.round == round) & (Submission.author == ana))

    assert reading.results_for(anas(), ana).message == "Reviews appear here once reviewing starts."
    start_reviewing(round)
    first, second = [assignment_of(round, r, author=ana) for r in (ben, cai)]
    save_review_draft(first, review_data(round))
    assert reading.results_for(anas(), ana).received == 0
    submit_review(second, review_data(round))
    results = reading.results_for(anas(), ana)
    assert results.received == 1 and results.expected == 2 and results.reviews[0].what_works == GOOD


def _everything_in(value):
    return repr(dataclasses.asdict(value))


def test_results_never_name_hidden_reviewers_to_the_author(world):
    ana, ben, cai, dee = world["members"]
    round = make_round(world["circle"], world["facilitator"], reviews_per_submission=3)
    everyone_submits(round, [ana, ben, cai, dee])
    start_reviewing(round)
    submission = Submission.get((Submission.round == round) & (Submission.author == ana))
    assignments = list(Assignment.select().where(Assignment.submission == submission))
    for a in assignments:
        submit_review(a, review_data(round))
    results = reading.results_for(submission, ana)
    text = _everything_in(results)
    for reviewer in (ben, cai, dee):
        assert reviewer.username not in text.lower() and reviewer.display_name not in text
        assert "reviewer_id" not in text
    assert results.names_shown is False
    assert sorted(r.label for r in results.reviews) == ["Reviewer 1", "Reviewer 2", "Reviewer 3"]
    assert all(r.reviewer_name is None and r.reviewer_username is None for r in results.reviews)
    # Labels are the random slots fixed at allocation, stable from one reading to the next.
    assert [r.label for r in reading.results_for(submission, ana).reviews] == [r.label for r in results.reviews]
    # Facilitators know who reviewed whom.
    managed = reading.results_for(submission, world["facilitator"])
    assert {r.reviewer_username for r in managed.reviews} == {"ben", "cai", "dee"}


def test_open_rounds_show_names_and_both_hidden_hides_authors_from_reviewers(world):
    ana, ben, cai, _ = world["members"]
    open_round = make_round(world["circle"], world["facilitator"], anonymity=OPEN_IDENTITIES)
    everyone_submits(open_round, [ana, ben, cai])
    start_reviewing(open_round)
    a = assignment_of(open_round, ben, author=ana)
    submit_review(a, review_data(open_round))
    submission = a.submission
    assert [r.reviewer_name for r in reading.results_for(submission, ana).reviews] == ["Ben Learner"]
    assert reading.reviewer_view(a).author_name == "Ana Learner"

    hidden = make_round(world["circle"], world["facilitator"], anonymity=BOTH_HIDDEN)
    everyone_submits(hidden, [ana, ben, cai])
    start_reviewing(hidden)
    view = reading.reviewer_view(assignment_of(hidden, ben, author=ana))
    assert view.author_name is None and view.label.startswith("Submission ")
    text = repr([dataclasses.asdict(t) for t in reading.reviewer_tasks(hidden, ben)])
    assert "Ana" not in text and "Cai" not in text


# ---- swaps ----------------------------------------------------------------------------------------

def test_a_facilitator_swaps_a_reviewer(world):
    ana, ben, cai, dee = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    everyone_submits(round, [ana, ben, cai])
    start_reviewing(round)
    assignment = assignment_of(round, ben, author=ana)
    slot = assignment.slot
    with pytest.raises(Refused, match="own work"):
        swap_reviewer(assignment, ana)
    other = [a.reviewer for a in Assignment.select().where(Assignment.submission == assignment.submission)
             if a.reviewer_id != ben.id][0]
    with pytest.raises(Refused, match="already reviews"):
        swap_reviewer(assignment, other)
    with pytest.raises(Refused, match="not a member"):
        swap_reviewer(assignment, world["outsider"])
    save_review_draft(assignment, {"what_works": "Started…"})
    with pytest.raises(DraftWouldBeLost):
        swap_reviewer(assignment, dee)
    assert Review.select().where(Review.assignment == assignment).exists()
    swap_reviewer(assignment, dee, discard_draft=True, url="/somewhere")
    moved = Assignment.get_by_id(assignment.id)
    assert (moved.reviewer_id, moved.slot) == (dee.id, slot)
    assert not Review.select().where(Review.assignment == assignment).exists()
    assert Notice.get(Notice.user == dee.id).url == "/somewhere"

    submit_review(moved, review_data(round))
    with pytest.raises(Refused, match="already submitted"):
        swap_reviewer(moved, ben)
    extra = add_reviewer(moved.submission, world["facilitator"])
    assert extra.slot == 3


# ---- access ---------------------------------------------------------------------------------------

def test_who_may_read_what(world, app):
    ana, ben, cai, dee = world["members"]
    round = make_round(world["circle"], world["facilitator"], reviews_per_submission=1, results_release=AFTER_CLOSE)
    draft = make_round(world["circle"], world["facilitator"], publish=False)
    assert access.can_view_round(world["facilitator"], draft) and not access.can_view_round(ana, draft)
    assert access.can_view_round(ana, round) and not access.can_view_round(world["outsider"], round)
    assert access.can_submit(ana, round) and not access.can_submit(world["outsider"], round)
    everyone_submits(round, [ana, ben, cai, dee])
    submission = Submission.get((Submission.round == round) & (Submission.author == ana))
    # Before allocation nobody but the author and the managers reads it.
    assert [access.can_read_submission(p, submission) for p in (ana, ben, world["owner"], world["outsider"])] == \
        [True, False, True, False]
    start_reviewing(round)
    assert not access.can_submit(ana, round)
    reviewer = Assignment.get(Assignment.submission == submission).reviewer
    bystander = next(p for p in (ben, cai, dee) if p.id != reviewer.id)
    assert access.can_read_submission(reviewer, submission)
    assert not access.can_read_submission(bystander, submission)
    assignment = assignment_of(round, reviewer, author=ana)
    assert access.can_review(reviewer, assignment) and not access.can_review(ana, assignment)
    review = submit_review(assignment, review_data(round))
    # The reviewer reads it on their review page; the facilitators, and the author once released, among the results.
    assert access.can_review(reviewer, assignment)
    assert [r.review_id for r in reading.results_for(submission, world["facilitator"]).reviews] == [review.id]
    assert reading.results_for(submission, ana).reviews == () and not access.can_rate(ana, review)
    with pytest.raises(Refused):
        reading.results_for(submission, bystander)
    clock.advance(days=5)
    assert [r.review_id for r in reading.results_for(submission, ana).reviews] == [review.id]
    assert access.can_rate(ana, review) and access.can_flag(ana, review)
    assert not access.can_rate(reviewer, review) and access.can_hide(world["owner"], review)
    assert not access.can_hide(ana, review)


# ---- the facilitator's tools ----------------------------------------------------------------------

def test_the_board_shows_every_cell_in_a_few_queries(world):
    ana, ben, cai, dee = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    everyone_submits(round, [ana, ben, cai, dee])
    start_reviewing(round)
    submit_review(assignment_of(round, ana), review_data(round))
    save_review_draft(assignment_of(round, ben), {"what_works": "Thinking…"})
    clock.advance(days=5, hours=1)
    submit_review(assignment_of(round, cai), review_data(round))

    with counted_queries() as queries:
        board = boards.board(round)
    assert len(queries) == 3
    statuses = sorted(cell.status for row in board.rows for cell in row.cells.values())
    assert statuses == ["draft"] + ["late"] + ["not_started"] * 5 + ["submitted"]
    assert board.counts["overdue"] == 6 and board.counts["late"] == 1 and board.counts["submissions"] == 4
    assert [r.user.username for r in board.reviewers] == ["ana", "ben", "cai", "dee"]
    assert [(r.load, r.done) for r in board.reviewers] == [(2, 1), (2, 0), (2, 1), (2, 0)]
    cell = board.rows[0].cell_for(board.reviewers[1].user.id) or board.rows[0].cell_for(board.reviewers[2].user.id)
    assert cell is not None and cell.reviewer.username in ("ben", "cai")
    assert board.missing == [] and board.phase == CLOSED


def test_board_queries_do_not_grow_with_the_group(world, make_user, add_member):
    round = make_round(world["circle"], world["facilitator"])
    everyone_submits(round, world["members"])
    for i in range(6):
        person = make_user(f"extra{i}")
        add_member(world["circle"], person)
        submit(round, person, body="More work")
    start_reviewing(round)
    with counted_queries() as queries:
        boards.board(round)
    assert len(queries) == 3


def test_the_csv_export_has_every_level_and_rating(world):
    ana, ben, cai, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    everyone_submits(round, [ana, ben, cai])
    start_reviewing(round)
    assignment = assignment_of(round, ben, author=ana)
    clock.advance(hours=1, microseconds=145417)
    review = submit_review(assignment, review_data(round, level=1))
    rate_review(review, ana, 5, "=HYPERLINK(\"http://evil\")")
    rows = list(csv.DictReader(io.StringIO(boards.export_csv(round))))
    assert len(rows) == 6
    line = next(r for r in rows if r["author"] == "ana" and r["reviewer"] == "ben")
    assert line["Clarity (1-3)"] == "2" and line["helpfulness (1-5)"] == "5" and line["status"] == "submitted"
    # ISO 8601 in UTC, to the second, saying so in the column's name and the value.
    assert "submitted_at" not in rows[0] and line["submitted_at_utc"] == "2026-03-02T10:00:00Z"
    assert all(r["submitted_at_utc"] == "" for r in rows if r is not line)
    assert line["helpfulness_note"].startswith("'=")  # a spreadsheet will not run it
    assert all(r["Clarity (1-3)"] == "" for r in rows if r is not line)


def test_nudge_reminds_everyone_with_pending_work(world):
    ana, ben, cai, dee = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    everyone_submits(round, [ana, ben])
    assert boards.nudge(round, url="/r/1") == 2  # cai and dee have not submitted
    assert {n.user_id for n in Notice.select()} == {cai.id, dee.id}
    assert Notice.get(Notice.user == cai.id).text == "Reminder: “Essay one” is waiting for your submission."

    start_reviewing(round)
    submit_review(assignment_of(round, ana), review_data(round))
    Notice.delete().execute()
    assert boards.nudge(round) == 1  # ben still has a review to write
    assert Notice.get().user_id == ben.id and "1 review to finish" in Notice.get().text
    submit_review(assignment_of(round, ben), review_data(round))
    assert boards.nudge(round) == 0
    assert boards.nudge(make_round(world["circle"], world["facilitator"], publish=False)) == 0


def test_expectations_follow_the_phase(world):
    ana, ben, cai, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    assert expected_of(round, ana).action == "submit"
    everyone_submits(round, [ana, ben, cai])
    assert expected_of(round, ana).action == "nothing"
    start_reviewing(round)
    assert (expected_of(round, ana).action, expected_of(round, ana).count) == ("review", 2)
    for reviewer in (ben, cai):
        submit_review(assignment_of(round, reviewer, author=ana), review_data(round))
    for a in Assignment.select().where((Assignment.round == round) & (Assignment.reviewer == ana)):
        submit_review(a, review_data(round))
    expectation = expected_of(round, ana)
    assert (expectation.action, expectation.count) == ("read_reviews", 2)
    assert expected_of(round, world["members"][3]).action == "submit"  # late work still welcome
    assert expected_of(round, world["owner"]).action == "nothing"  # running it, not taking part
    assert expected_of(round, world["outsider"]).action == "nothing"


def test_a_rubric_is_copied_from_an_earlier_round(world):
    earlier = make_round(world["circle"], world["facilitator"])
    later = ReviewRound.create_round(circle=world["circle"], created_by=world["owner"],
                                     data=round_settings(title="Essay two"))
    rubric.copy_rubric(earlier, later)
    assert [(c.name, c.level_names) for c in later.rubric()] == [(c.name, c.level_names) for c in earlier.rubric()]
    assert fresh(later).copied_rubric_from_id == earlier.id
    assert Criterion.select().count() == 4
    start_reviewing(earlier)
    with pytest.raises(Refused, match="fixed once reviewing"):
        rubric.copy_rubric(later, earlier)


def test_notices_are_sent_listed_and_read(world):
    ana, ben, _, _ = world["members"]
    assert Notice.send([ana, ben.id, ana], kinds.as_written("Hello"), "/x", world["circle"]) == 2
    assert Notice.unread_count(ana) == 1
    assert Notice.mark_read(ana) == 1
    assert Notice.unread_count(ana) == 0 and Notice.recent_for(ana).count() == 1
    assert Notice.send([], kinds.as_written("Nobody")) == 0


def test_expectations_for_many_rounds_take_a_fixed_number_of_queries(world):
    ana = world["members"][0]
    rounds = [make_round(world["circle"], world["facilitator"], title=f"Essay {n}") for n in range(5)]
    submit(rounds[0], ana, body="My essay.")
    reviewing = make_round(world["circle"], world["facilitator"], title="Under review")
    everyone_submits(reviewing, world["members"][:3])
    start_reviewing(reviewing)
    rounds = [fresh(round) for round in rounds + [reviewing]]
    with counted_queries() as queries:
        expectations = expectations_for(rounds, ana)
    assert len(queries) <= 4
    assert expectations[rounds[0].id].message == "Submitted. You can change it until the deadline."
    assert expectations[rounds[1].id].action == "submit"
    assert expectations[reviewing.id] == expected_of(rounds[-1], ana)
    assert expectations[reviewing.id].action == "review" and expectations[reviewing.id].count == 2
    assert expectations_for(rounds, world["outsider"])[rounds[1].id].action == "nothing"
