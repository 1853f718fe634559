"""What waits for a person in peer review, on "My circles" and the circle's home; the notices that
say a review arrived or was rated; the messages after an early start or a hidden review; the median."""
import re

import pytest

from learncircle import clock
from learncircle.notices.models import Notice
from learncircle.reviews import results as reading
from learncircle.reviews.expectations import expected_of, submission_refusal
from learncircle.reviews.models import Review, Submission
from learncircle.reviews.pending import pending_for
from learncircle.reviews.reviewing import hide_review, rate_review, submit_review
from learncircle.reviews.submitting import submit
from tests.helpers import html
from tests.fixtures_reviews import (
    assignment_of, counted_queries, fresh, make_round, page_text, review_data, review_form, reviewing_round,
    start_reviewing,
)


def waiting(client, url="/"):
    """The "Waiting for you" rows of a page: (link text, link target, the rest of the row)."""
    box = html(client.get(url)).select_one("#pending-work")
    if box is None:
        return []
    return [(row.select_one("a.title").get_text(" ", strip=True), row.select_one("a.title")["href"],
             " ".join(row.get_text(" ").split())) for row in box.select("li")]


# ---- what waits ----------------------------------------------------------------------------------

def test_my_circles_show_work_to_submit_with_the_deadline_in_my_zone(world, client, auth):
    ana = world["members"][0]  # in Berlin
    round = make_round(world["circle"], world["facilitator"])
    auth.login(ana)
    [(label, href, row)] = waiting(client)
    assert (label, href) == ("Submit your work", f"/r/{round.id}/submission")
    assert "Essay one" in row and world["circle"].name in row
    assert "Due Wed 04 Mar 2026, 10:00 CET ( in 2 days )." in row

    submit(round, ana, body="My essay.")
    assert waiting(client) == []
    auth.login(world["facilitator"])  # runs the round: nothing is expected of them
    assert waiting(client) == []


def test_reviews_to_write_and_reviews_that_arrived_wait_until_done(world, client, auth):
    ana, ben, cai, _ = world["members"]
    round = reviewing_round(world)
    auth.login(ana)
    rows = waiting(client)
    assert [label for label, _, _ in rows] == ["2 reviews to write"]
    first = min(a.id for a in (assignment_of(round, ana, author=ben), assignment_of(round, ana, author=cai)))
    assert rows[0][1] == f"/a/{first}" and "Due Sat 07 Mar 2026, 10:00 CET" in rows[0][2]

    submit_review(assignment_of(round, ben, author=ana), review_data(round))
    submit_review(assignment_of(round, ana, author=ben), review_data(round))
    mine = Submission.get(Submission.author == ana)
    rows = waiting(client)
    links = [(label, href) for label, href, _ in rows]
    assert ("1 review to write", f"/a/{assignment_of(round, ana, author=cai).id}") in links
    assert ("1 review of your work to read and rate", f"/s/{mine.id}") in links

    review = Review.get(Review.assignment == assignment_of(round, ben, author=ana).id)
    rate_review(review, ana, 4)
    assert [label for label, _, _ in waiting(client)] == ["1 review to write"]

    clock.advance(days=6)  # the review deadline passed: late reviews are still taken
    [(_, _, row)] = waiting(client)
    assert "Was due Sat 07 Mar 2026, 10:00 CET: late reviews are still accepted, marked late." in row


def test_the_circle_home_shows_only_its_own_rounds(world, client, auth, make_circle, add_member):
    ana = world["members"][0]
    make_round(world["circle"], world["facilitator"], title="Here")
    elsewhere = make_circle(name="Chess Club", purpose="Openings.")
    add_member(elsewhere, ana)
    make_round(elsewhere, elsewhere.owner(), title="There")
    auth.login(ana)
    everywhere = [row for _, _, row in waiting(client)]
    assert len(everywhere) == 2
    assert any("in Here" in row and world["circle"].name in row for row in everywhere)
    assert any("in There" in row and "Chess Club" in row for row in everywhere)
    rows = waiting(client, f"/c/{world['circle'].slug}")
    assert len(rows) == 1 and "Here" in rows[0][2] and world["circle"].name not in rows[0][2]
    auth.login(world["outsider"])
    assert waiting(client, f"/c/{world['circle'].slug}") == []


def test_what_waits_takes_one_query_however_many_rounds_and_circles(world, make_circle, add_member):
    ana, ben, cai, _ = world["members"]
    for n in range(3):
        make_round(world["circle"], world["facilitator"], title=f"Open {n}")
    reviewing_round(world)
    for n in range(3):
        circle = make_circle(name=f"Circle {n}", purpose="More.")
        add_member(circle, ana)
        make_round(circle, circle.owner(), title=f"Elsewhere {n}")
    with counted_queries() as queries:
        items = pending_for(ana)
    assert len(queries) == 1
    assert sorted(item.kind for item in items) == ["review"] + ["submit"] * 6
    assert pending_for(ana, world["circle"]) and len(pending_for(ana, world["circle"])) == 4


def test_a_hidden_review_is_not_waiting_to_be_read(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    review = submit_review(assignment_of(round, ben, author=ana), review_data(round))
    hide_review(review, world["facilitator"])
    assert [item.kind for item in pending_for(ana)] == ["review"]


# ---- notices ------------------------------------------------------------------------------------

def test_the_author_hears_a_review_arrived_without_learning_who_wrote_it(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    auth.login(ben)
    assignment = assignment_of(round, ben, author=ana)
    assert client.post(f"/a/{assignment.id}/submit", data=review_form(round)).status_code == 303
    [notice] = Notice.select().where(Notice.user == ana.id)
    assert notice.text == "A review of your work in “Essay one” arrived."
    assert "Ben" not in notice.text and notice.url.startswith(f"/s/{assignment.submission_id}")
    assert Notice.select().where(Notice.user != ana.id).count() == 0


def test_after_close_the_notice_says_when_the_review_can_be_read(world):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world, results_release="after_close")
    submit_review(assignment_of(round, ben, author=ana), review_data(round))
    assert Notice.get(Notice.user == ana.id).text.endswith("You can read it once reviewing closes.")


def test_the_reviewer_hears_once_that_their_review_was_rated(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    review = submit_review(assignment_of(round, ben, author=ana), review_data(round))
    Notice.delete().execute()
    auth.login(ana)
    assert client.post(f"/reviews/{review.id}/rate", data={"helpfulness": "4"}).status_code == 303
    [notice] = Notice.select()
    assert notice.user_id == ben.id and notice.url == f"/a/{review.assignment_id}"
    assert notice.text == "The author rated your review in “Essay one”: 4 out of 5 helpful."
    assert "Ana" not in notice.text
    assert client.post(f"/reviews/{review.id}/rate", data={"helpfulness": "5"}).status_code == 303
    assert Notice.select().count() == 1  # changing one's mind is not news


# ---- messages after an early start --------------------------------------------------------------

def early_round(world, **overrides):
    """ana and ben submitted; a facilitator started reviewing with the deadline two days away."""
    ana, ben, _, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"], **overrides)
    submit(round, ana, body="Ana's work")
    submit(round, ben, body="Ben's work")
    start_reviewing(round)
    return fresh(round)


def test_after_an_early_start_nobody_reads_that_the_deadline_passed(world, client, auth):
    cai = world["members"][2]
    round = early_round(world)
    auth.login(cai)
    for url in (f"/r/{round.id}", f"/r/{round.id}/submission"):
        seen = page_text(client.get(url))
        assert "deadline has passed" not in seen and not re.search(r"(?<!not )marked late", seen), url
        assert "started reviewing before the deadline" in seen, url
    assert "Submit late" not in page_text(client.get(f"/r/{round.id}/submission"))

    response = client.post(f"/r/{round.id}/submission", data={"body": "Cai's work", "form_key": ""},
                           follow_redirects=True)
    assert not re.search(r"(?<!not )marked late", page_text(response))
    work = Submission.get(Submission.author == cai.id)
    assert not work.is_late and html(client.get(f"/r/{round.id}")).select_one(".badge.warn") is None


def test_after_an_early_start_the_deadline_still_makes_work_late_once_it_passes(world, client, auth):
    dee = world["members"][3]
    round = early_round(world)
    clock.advance(days=2, hours=1)
    auth.login(dee)
    assert "The deadline has passed: your work will be marked late." in page_text(client.get(f"/r/{round.id}"))
    assert submit(round, dee, body="Late work").is_late


def test_an_early_start_explains_a_refused_change_and_a_refused_first_submission(world):
    ana, _, cai, _ = world["members"]
    round = early_round(world, accept_late=False)
    assert "started reviewing before the deadline" in submission_refusal(round, ana)
    assert "started reviewing before the deadline" in submission_refusal(round, cai)
    assert "deadline has passed" not in submission_refusal(round, cai)
    assert expected_of(round, cai).action == "nothing"
    lenient = early_round(world, title="Lenient")
    assert expected_of(lenient, cai).action == "submit"
    assert "deadline has passed" not in expected_of(lenient, cai).message


# ---- a hidden review --------------------------------------------------------------------------

def test_a_hidden_review_is_not_said_to_be_on_its_way(world, client, auth):
    ana, ben, cai, _ = world["members"]
    round = reviewing_round(world)
    hidden = submit_review(assignment_of(round, ben, author=ana), review_data(round))
    submit_review(assignment_of(round, cai, author=ana), review_data(round))
    hide_review(hidden, world["facilitator"])
    mine = Submission.get(Submission.author == ana)
    auth.login(ana)
    seen = page_text(client.get(f"/s/{mine.id}"))
    assert "appear here once submitted" not in seen and "appears here once submitted" not in seen
    assert "1 of 2 reviews shown. 1 was hidden by the circle's facilitators." in seen

    Review.update(hidden_at=clock.now()).execute()  # both hidden: still not "no reviews yet"
    seen = page_text(client.get(f"/s/{mine.id}"))
    assert "No reviews yet." not in seen and "2 were hidden by the circle's facilitators." in seen


# ---- the median ---------------------------------------------------------------------------------

@pytest.mark.parametrize("levels, median, between, counts", [
    ((0, 2), 1, None, (1, 0, 1)),  # levels 1 and 3: level 2, not the lower one
    ((0, 1), None, (0, 1), (1, 1, 0)),  # levels 1 and 2: between them
    ((2, 2), 2, None, (0, 0, 2)),
])
def test_the_median_is_the_true_one_with_the_distribution(world, levels, median, between, counts):
    ana, ben, cai, _ = world["members"]
    round = reviewing_round(world)
    for reviewer, level in zip((ben, cai), levels):
        submit_review(assignment_of(round, reviewer, author=ana), review_data(round, level=level))
    clarity = reading.results_for(Submission.get(Submission.author == ana), ana).criteria[0]
    assert (clarity.median_level, clarity.median_between) == (median, between)
    assert clarity.distribution == tuple(zip(("Hard to follow", "Mostly clear", "Crystal clear"), counts))


def test_the_results_page_says_between_two_levels_and_how_many_chose_each(world, client, auth):
    ana, ben, cai, _ = world["members"]
    round = reviewing_round(world)
    submit_review(assignment_of(round, ben, author=ana), review_data(round, level=0))
    submit_review(assignment_of(round, cai, author=ana), review_data(round, level=1))
    auth.login(ana)
    page = html(client.get(f"/s/{Submission.get(Submission.author == ana).id}"))
    seen = " ".join(page.get_text(" ").split())
    assert "Median: between Hard to follow and Mostly clear (levels 1 and 2 of 3)" in seen
    counts = [" ".join(li.get_text(" ").split()) for li in page.select("ul.distribution li")]
    assert counts == ["Hard to follow: 1", "Mostly clear: 1", "Crystal clear: 0"]
