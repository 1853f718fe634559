"""Taking part in a review round through the web: the round page in every phase, submitting and
editing work, writing a review (autosave, drafts past deadlines, submit), reading results, rating,
flagging and the revision plan. Who may open each route is tests/test_access_matrix.py's.

The world (a circle with Olga, Fred, Ana in Berlin, Ben, Cai and Dee) is tests/fixtures_reviews.py's.
"""

from learncircle import clock
from learncircle.moderation.models import Flag
from learncircle.notices.models import Notice
from learncircle.reviews import background_allocation
from learncircle.reviews.models import Assignment, Review, Submission, SubmissionVersion
from learncircle.reviews.reviewing import rate_review, save_review_draft, submit_review
from learncircle.reviews.submitting import submit
from tests.helpers import html
from tests.fixtures_reviews import (
    GOOD, assignment_of, fresh, make_round, page_text, review_data, review_form, reviewing_round,
    start_reviewing,
)

HX = {"HX-Request": "true"}


def flag_form(review, reason="unkind", note="", point=""):
    """A review card's flag (moderation's form, its fields named after the review)."""
    prefix = f"review-{review.id}-flag-"
    return {prefix + "reason": reason, prefix + "note": note, prefix + "conduct_point": point}


def flags_on(review):
    """(reason, conduct point, note) of each flag of review: moderation's Flag rows."""
    return [(f.reason, f.conduct_point, f.note) for f in
            Flag.select().where((Flag.target_kind == "review") & (Flag.target_id == review.id))]


# ---- the round page -----------------------------------------------------------------------------

def test_the_round_page_says_what_each_person_should_do_in_each_phase(world, client, auth):
    ana, ben, cai, dee = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    url = f"/r/{round.id}"

    auth.login(ana)
    page = client.get(url)
    assert page.status_code == 200
    seen = page_text(page)
    # Ana lives in Berlin: the deadline (Wed 4 Mar, 09:00 UTC) is shown in her zone, with the time left.
    assert "Open for submissions" in seen
    assert "Submissions close Wed 04 Mar 2026, 10:00 CET — in 2 d" in seen
    box = html(page).select_one(".expectation")
    assert "Submit your work before the deadline." in box.get_text()
    assert box.find("a")["href"] == f"/r/{round.id}/submission"
    assert html(page).find(id=f"round-{round.id}-manage") is None  # not a manager
    assert "500" in html(page).find("strong").get_text()  # the brief, rendered

    auth.login(world["facilitator"])
    page = client.get(url)
    assert html(page).find(id=f"round-{round.id}-manage") is not None
    assert html(page).select_one(".expectation") is None  # running the round, not expected to submit

    for person in (ana, ben, cai):
        submit(round, person, body=f"Work by {person.username}")
    auth.login(ana)
    assert "Submitted. You can change it until the deadline." in page_text(client.get(url))

    clock.advance(days=2)  # the submission deadline passes: the background allocation gives out the work
    page = client.get(url)
    assert fresh(round).allocated_at is None  # the page only says it is under way
    assert "Reviewers are being allocated" in html(page).select_one(f"#round-{round.id}-allocating").get_text()
    assert background_allocation.worker(client.application).step() == [round.id]
    page = client.get(url)
    assert html(page).select_one(f"#round-{round.id}-allocating") is None
    seen = page_text(page)
    assert "Reviewing" in seen and "Reviews are due Sat 07 Mar 2026, 10:00 CET — in 3 d" in seen
    box = html(page).select_one(".expectation")
    assert "You have 2 reviews to finish." in box.get_text()
    first = assignment_of(round, ana)
    assert box.find("a")["href"] == f"/a/{first.id}"
    tasks = html(page).find(id=f"round-{round.id}-tasks").find_parent("section")
    assert [a["href"] for a in tasks.select("a.title")] == sorted(
        f"/a/{a.id}" for a in Assignment.select().where((Assignment.round == round) & (Assignment.reviewer == ana)))
    assert tasks.get_text().count("Not started") == 2

    auth.login(dee)  # did not submit: late work is still welcome
    assert "late submissions are still accepted" in html(client.get(url)).select_one(".expectation").get_text()

    for a in Assignment.select().where(Assignment.round == round):
        submit_review(a, review_data(round))
    auth.login(ana)
    page = client.get(url)
    box = html(page).select_one(".expectation")
    mine = Submission.get((Submission.round == round) & (Submission.author == ana))
    assert "ready to read" in box.get_text() and box.find("a")["href"] == f"/s/{mine.id}"
    assert page_text(page).count("Submitted") >= 2

    clock.advance(days=3)
    seen = page_text(client.get(url))
    assert "Closed" in seen and "Reviews were due Sat 07 Mar 2026, 10:00 CET" in seen


def test_reviewers_see_how_helpful_their_reviews_were_on_the_round_page(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    review = submit_review(assignment_of(round, ben, author=ana), review_data(round))
    rate_review(review, ana, 4, "The second point changed my plan.")
    auth.login(ben)
    assert "The author found it 4 out of 5 helpful: “The second point changed my plan.”" in page_text(
        client.get(f"/r/{round.id}"))


def test_a_draft_round_is_hidden_from_members(world, client, auth):
    round = make_round(world["circle"], world["facilitator"], publish=False)
    auth.login(world["members"][0])
    assert client.get(f"/r/{round.id}").status_code == 404
    auth.login(world["owner"])
    page = client.get(f"/r/{round.id}")
    assert page.status_code == 200 and "Draft" in page_text(page)


# ---- submitting ---------------------------------------------------------------------------------

def test_text_submission_is_checked_and_what_was_typed_is_kept(world, client, auth):
    ana = world["members"][0]
    round = make_round(world["circle"], world["facilitator"])
    auth.login(ana)
    url = f"/r/{round.id}/submission"
    page = client.get(url)
    assert page.status_code == 200
    assert html(page).find("textarea", attrs={"name": "body"}) is not None
    assert html(page).find("input", attrs={"name": "link"}) is None  # a text round asks for no link

    page = client.post(url, data={"body": "   ", "form_key": "k1"})
    assert page.status_code == 422
    assert html(page).select_one("#submission-body-error").get_text() == "Write your submission."

    too_long = "x" * 50_001
    page = client.post(url, data={"body": too_long, "form_key": "k2"})
    assert page.status_code == 422
    assert html(page).find("textarea", attrs={"name": "body"}).get_text().strip() == too_long
    assert "under 50,000 characters" in html(page).select_one("#submission-body-error").get_text()
    assert Submission.select().count() == 0


def test_link_submission_is_checked_and_kept(world, client, auth):
    ana = world["members"][0]
    round = make_round(world["circle"], world["facilitator"], submission_format="both")
    auth.login(ana)
    url = f"/r/{round.id}/submission"
    page = client.post(url, data={"body": "My *essay*", "link": "javascript:alert(1)", "form_key": "k1"})
    assert page.status_code == 422
    doc = html(page)
    assert doc.find("input", attrs={"name": "link"})["value"] == "javascript:alert(1)"
    assert doc.find("input", attrs={"name": "link"})["aria-invalid"] == "true"
    assert doc.select_one("#submission-link-error").get_text() == (
        "Give a web address starting with https:// or http://.")
    assert doc.find("textarea", attrs={"name": "body"}).get_text().strip() == "My *essay*"

    page = client.post(url, data={"body": "My *essay*", "link": "https://example.org/essay", "form_key": "k2"})
    assert page.status_code == 303
    latest = Submission.get().latest_version()
    assert (latest.body, latest.link) == ("My *essay*", "https://example.org/essay")
    preview = html(client.get(url)).find(id="reviewers-see-title").find_parent("section")
    # Exactly as reviewers see it: the link opens through the "you are leaving" page.
    assert preview.find("a", string="https://example.org/essay")["href"].startswith("/leaving?")
    assert preview.find("em").get_text() == "essay"

    link_round = make_round(world["circle"], world["facilitator"], submission_format="link")
    page = client.get(f"/r/{link_round.id}/submission")
    assert html(page).find("textarea", attrs={"name": "body"}) is None
    page = client.post(f"/r/{link_round.id}/submission", data={"link": "", "form_key": "k3"})
    assert page.status_code == 422 and "Give the link to your work." in page_text(page)


def test_each_save_is_a_version_and_earlier_versions_stay_readable(world, client, auth):
    ana = world["members"][0]
    round = make_round(world["circle"], world["facilitator"])
    auth.login(ana)
    url = f"/r/{round.id}/submission"
    first = client.post(url, data={"body": "First try", "form_key": "a"})
    assert first.status_code == 303 and first.headers["Location"] == url
    assert "Saved as version 1." in page_text(client.get(url))
    clock.advance(hours=1)
    client.post(url, data={"body": "Second, **better** try", "form_key": "b"})
    page = client.get(url)
    assert "Saved as version 2." in page_text(page)
    doc = html(page)
    assert doc.find("textarea", attrs={"name": "body"}).get_text().strip() == "Second, **better** try"
    preview = doc.find(id="reviewers-see-title").find_parent("section")
    assert preview.find("strong").get_text() == "better" and "Version 2" in preview.get_text()
    versions = doc.find(id="versions-title").find_parent("section")
    assert [a.get_text() for a in versions.find_all("a")] == ["Version 2", "Version 1"]

    old = client.get(f"{url}?version=1")
    assert old.status_code == 200
    assert "First try" in html(old).find(id="version-shown-title").find_parent("section").get_text()
    assert client.get(f"{url}?version=7").status_code == 404
    assert client.get(f"{url}?version=x").status_code == 404

    # The same form sent twice (a double click) stores one version.
    again = client.post(url, data={"body": "Second, **better** try", "form_key": "b"})
    assert again.status_code == 303
    assert SubmissionVersion.select().count() == 2


def test_a_late_submission_is_announced_and_marked(world, client, auth):
    ana, ben, cai, dee = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    for person in (ana, ben, cai):
        submit(round, person, body="On time")
    clock.advance(days=2, hours=1)
    auth.login(dee)
    url = f"/r/{round.id}/submission"
    page = client.get(url)
    assert "Late" in html(page).select_one("#submission-late").get_text()
    assert html(page).find("button", string="Submit late") is not None
    assert client.post(url, data={"body": "Sorry, late!", "form_key": "x"}).status_code == 303
    assert "Saved as version 1, marked late: the deadline had passed." in page_text(client.get(url))
    assert Submission.get(Submission.author == dee).is_late
    # Once submitted late it cannot change; the page says so and keeps what was typed.
    page = client.post(url, data={"body": "Edited after the deadline", "form_key": "y"})
    assert page.status_code == 422
    assert "can no longer change" in html(page).select_one(".notice.error").get_text()
    assert html(page).find("textarea", attrs={"name": "body"}).get_text().strip() == "Edited after the deadline"

    strict = make_round(world["circle"], world["facilitator"], accept_late=False)
    clock.advance(days=2, hours=1)
    page = client.post(f"/r/{strict.id}/submission", data={"body": "Too late", "form_key": "z"})
    assert page.status_code == 422 and "does not accept late submissions" in page_text(page)
    assert html(page).find("textarea", attrs={"name": "body"}).get_text().strip() == "Too late"


def test_nobody_reads_anothers_work_before_being_allocated_to_it(world, client, auth):
    ana, ben, cai, dee = world["members"]
    round = make_round(world["circle"], world["facilitator"], reviews_per_submission=1)
    for person in (ana, ben, cai, dee):
        submit(round, person, body=f"Secret work of {person.username}")
    anas = Submission.get(Submission.author == ana)
    auth.login(ben)
    assert client.get(f"/s/{anas.id}").status_code == 403
    assert client.get("/s/999999").status_code == 404
    auth.login(ana)
    assert "Secret work of ana" in page_text(client.get(f"/s/{anas.id}"))

    start_reviewing(fresh(round))
    reviewer = Assignment.get(Assignment.submission == anas).reviewer
    bystander = next(p for p in (ben, cai, dee) if p.id != reviewer.id)
    auth.login(reviewer)
    page = client.get(f"/s/{anas.id}")
    assert page.status_code == 200 and "Secret work of ana" in page_text(page)
    assignment = Assignment.get(Assignment.submission == anas)
    assert html(page).find("a", href=f"/a/{assignment.id}") is not None
    auth.login(bystander)
    assert client.get(f"/s/{anas.id}").status_code == 403
    assert client.get(f"/a/{assignment.id}").status_code == 403


# ---- reviewing ----------------------------------------------------------------------------------

def test_the_review_form_lays_out_the_rubric(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    assignment = assignment_of(round, ben, author=ana)
    auth.login(ben)
    page = client.get(f"/a/{assignment.id}")
    assert page.status_code == 200
    doc = html(page)
    clarity, sources = round.rubric()
    fieldset = doc.find("legend", string="Clarity").find_parent("fieldset")
    assert "Can a newcomer follow it?" in fieldset.select_one(".hint").get_text()
    assert [label.get_text(strip=True) for label in fieldset.find_all("label")] == [
        "Hard to follow", "Mostly clear", "Crystal clear"]
    assert [i["value"] for i in fieldset.find_all("input", type="radio")] == ["1", "2", "3"]
    assert doc.find("textarea", attrs={"name": f"comment-{clarity.id}"}) is not None
    sources_id = f"assignment-{assignment.id}-criterion-{sources.id}"
    assert doc.find("label", attrs={"for": f"{sources_id}-comment"}).get_text() == "Sources"
    # Comments only, never required: said beside the name and read out with the field.
    assert doc.find(id=f"{sources_id}-optional").get_text() == "(optional)"
    assert f"{sources_id}-optional" in doc.find(id=f"{sources_id}-comment")["aria-describedby"].split()
    hints = [p.get_text() for p in doc.select(".review-form .hint")]
    assert sum("At least 20 characters" in hint for hint in hints) == 2
    form = doc.select_one("form.review-form")
    assert form["action"] == f"/a/{assignment.id}/submit" and form["hx-post"] == f"/a/{assignment.id}/draft"
    assert "delay:1s" in form["hx-trigger"]
    assert form.find("button", formaction=f"/a/{assignment.id}/draft").get_text() == "Save draft"
    assert "Ana Learner" in doc.find("h1").get_text()  # reviewers hidden from authors, not authors from reviewers


def test_the_prompt_hints_count_characters_in_the_singular_and_without_a_minimum(world, client, auth):
    ana, ben, _, _ = world["members"]
    auth.login(ben)
    for minimum, expected in ((1, "At least 1 character. Say specifically what works, and why."),
                              (0, "Say specifically what works, and why.")):
        round = reviewing_round(world, min_prompt_length=minimum)
        assignment = assignment_of(round, ben, author=ana)
        hints = [p.get_text() for p in html(client.get(f"/a/{assignment.id}")).select(".review-form .hint")]
        assert expected in hints
        assert not any("1 characters" in hint for hint in hints)


def test_autosave_returns_the_status_line_and_stores_the_draft(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    assignment = assignment_of(round, ben, author=ana)
    auth.login(ben)
    clock.advance(minutes=62)
    answer = client.post(f"/a/{assignment.id}/draft", data={"what_works": "Half a thought"}, headers=HX)
    assert answer.status_code == 200
    fragment = html(answer)
    assert fragment.find("html") is None
    status = fragment.find(id=f"assignment-{assignment.id}-save-status")
    assert " ".join(status.get_text().split()) == "Draft saved at 10:02."
    review = Review.get(Review.assignment == assignment)
    assert review.what_works == "Half a thought" and not review.is_submitted

    # Without JavaScript, "Save draft" saves and comes back to the form, which shows the text.
    answer = client.post(f"/a/{assignment.id}/draft", data=review_form(round, good="A whole thought"))
    assert answer.status_code == 303 and answer.headers["Location"] == f"/a/{assignment.id}"
    page = client.get(f"/a/{assignment.id}")
    assert "Draft saved at 10:02." in page_text(page)
    assert html(page).find("textarea", attrs={"name": "what_works"}).get_text().strip() == "A whole thought"
    clarity, _ = round.rubric()
    assert html(page).find("input", attrs={"name": f"level-{clarity.id}", "value": "3"}).has_attr("checked")

    # A request carrying one box changes that box only.
    client.post(f"/a/{assignment.id}/draft", data={"could_be_better": "Fewer words"}, headers=HX)
    review = Review.get(Review.assignment == assignment)
    assert (review.what_works, review.could_be_better) == ("A whole thought", "Fewer words")
    assert review.responses()[clarity.id].level == 2 and review.responses()[clarity.id].comment == "Clear headings."

    answer = client.post(f"/a/{assignment.id}/draft", data={"what_works": "x" * 10_001}, headers=HX)
    assert answer.status_code == 422 and "Not saved" in page_text(answer)


def test_drafts_save_after_the_deadline_and_say_the_review_will_be_late(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    assignment = assignment_of(round, ben, author=ana)
    clock.advance(days=6)
    auth.login(ben)
    page = client.get(f"/a/{assignment.id}")
    assert "it will be marked late" in page_text(page)
    answer = client.post(f"/a/{assignment.id}/draft", data={"what_works": "Still thinking"}, headers=HX)
    assert answer.status_code == 200 and "the review will be marked late" in page_text(answer)
    assert Review.get(Review.assignment == assignment).what_works == "Still thinking"
    assert client.post(f"/a/{assignment.id}/submit", data=review_form(round)).status_code == 303
    assert "marked late" in page_text(client.get(f"/a/{assignment.id}"))
    assert Review.get(Review.assignment == assignment).is_late


def test_submitting_an_incomplete_review_keeps_everything_typed(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    assignment = assignment_of(round, ben, author=ana)
    clarity, sources = round.rubric()
    auth.login(ben)
    page = client.post(f"/a/{assignment.id}/submit",
                       data=review_form(round, level=None, good="Too short", better="Meh",
                                        clarity_comment="Headings help.", sources_comment="Which manual?"))
    assert page.status_code == 422
    doc = html(page)
    assert doc.find("textarea", attrs={"name": "what_works"}).get_text().strip() == "Too short"
    assert doc.find("textarea", attrs={"name": "could_be_better"}).get_text().strip() == "Meh"
    assert doc.find("textarea", attrs={"name": f"comment-{clarity.id}"}).get_text().strip() == "Headings help."
    assert doc.find("textarea", attrs={"name": f"comment-{sources.id}"}).get_text().strip() == "Which manual?"
    errors = [p.get_text() for p in doc.select(".field-error")]
    assert "“What works” needs at least 20 characters (it has 9): say specifically what and why." in errors
    assert "Choose a level for “Clarity”." in errors
    assert doc.find("legend", string="Clarity").find_parent("fieldset")["aria-invalid"] == "true"
    review = Review.get(Review.assignment == assignment)
    assert not review.is_submitted and review.could_be_better == "Meh"  # the draft was kept

    page = client.post(f"/a/{assignment.id}/submit", data=review_form(round, level=9))
    assert page.status_code == 422 and "Choose one of the levels." in page_text(page)
    assert html(page).find("textarea", attrs={"name": "what_works"}).get_text().strip() == GOOD


def test_a_submitted_review_is_read_only(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    assignment = assignment_of(round, ben, author=ana)
    auth.login(ben)
    answer = client.post(f"/a/{assignment.id}/submit", data=review_form(round, level=2))
    assert answer.status_code == 303
    page = client.get(f"/a/{assignment.id}")
    doc = html(page)
    assert "Your review was submitted. Thank you!" in page_text(page)
    assert doc.find("textarea") is None and doc.select_one("form.review-form") is None
    readonly = doc.select_one(".review-readonly").get_text()
    assert GOOD in readonly and "Mostly clear" in readonly and "Cite the manual." in readonly
    assert "The author has not rated your review yet." in readonly

    # Sending again changes nothing: a second submit goes back to the review; a draft is refused.
    assert client.post(f"/a/{assignment.id}/submit", data=review_form(round, good="x" * 30)).status_code == 303
    refused = client.post(f"/a/{assignment.id}/draft", data={"what_works": "Changed"}, headers=HX)
    assert refused.status_code == 422 and "can no longer change" in page_text(refused)
    assert Review.get(Review.assignment == assignment).what_works == GOOD


def test_after_a_manual_close_drafts_save_but_submitting_is_refused(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    assignment = assignment_of(round, ben, author=ana)
    round.close_now()
    auth.login(ben)
    page = client.get(f"/a/{assignment.id}")
    assert "reviews can no longer be submitted" in page_text(page)
    assert html(page).find("button", string="Submit review") is None
    assert client.post(f"/a/{assignment.id}/draft", data={"what_works": "Kept"}, headers=HX).status_code == 200
    page = client.post(f"/a/{assignment.id}/submit", data=review_form(round))
    assert page.status_code == 422
    assert "A facilitator has closed this round" in html(page).select_one(".notice.error").get_text()
    assert html(page).find("textarea", attrs={"name": "what_works"}).get_text().strip() == GOOD
    review = Review.get(Review.assignment == assignment)
    assert review.what_works == GOOD and not review.is_submitted


# ---- results and feedback on feedback -----------------------------------------------------------

def test_results_as_they_arrive(world, client, auth):
    ana, ben, cai, _ = world["members"]
    round = make_round(world["circle"], world["facilitator"])
    for person in (ana, ben, cai):
        submit(round, person, body="Work")
    mine = Submission.get(Submission.author == ana)
    auth.login(ana)
    page = client.get(f"/s/{mine.id}")
    assert ("Your reviews will be visible as they arrive, once reviewing starts: Wed 04 Mar 2026, 10:00 CET"
            in page_text(page))

    start_reviewing(fresh(round))
    submit_review(assignment_of(round, ben, author=ana), review_data(round, level=2))
    save_review_draft(assignment_of(round, cai, author=ana), review_data(round, level=0))
    page = client.get(f"/s/{mine.id}")
    doc = html(page)
    assert len(doc.select(".review-result")) == 1  # the draft does not show
    assert "1 of 2 reviews shown. 1 is not submitted yet: it appears here once submitted." in page_text(page)
    table = doc.find(id=lambda value: value and value.startswith("criterion-") and value.endswith("-result")) \
        .find_parent("section").find("table")
    rows = [[cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
            for row in table.tbody.find_all("tr")]
    assert rows == [["Reviewer " + rows[0][0].split()[-1], "Crystal clear (3 of 3)", "Clear headings."]]
    assert "Median: Crystal clear" in page_text(page)


def test_results_after_close_wait_and_count_what_arrived(world, client, auth):
    ana, ben, cai, _ = world["members"]
    round = reviewing_round(world, results_release="after_close")
    mine = Submission.get(Submission.author == ana)
    submit_review(assignment_of(round, ben, author=ana), review_data(round, level=0))
    auth.login(ana)
    page = client.get(f"/s/{mine.id}")
    seen = page_text(page)
    assert "Your reviews will be visible when reviewing closes: Sat 07 Mar 2026, 10:00 CET — in 5 d" in seen
    assert "1 of 2 reviews has arrived so far." in seen
    assert html(page).select(".review-result") == [] and GOOD not in seen

    submit_review(assignment_of(round, cai, author=ana), review_data(round, level=2))
    clock.advance(days=5)
    page = client.get(f"/s/{mine.id}")
    assert len(html(page).select(".review-result")) == 2
    assert "Median: Mostly clear (level 2 of 3)" in page_text(page)  # levels 1 and 3: the true median, 2
    assert html(page).find(id=f"submission-{mine.id}-plan") is not None


def test_only_the_author_rates_a_review(world, client, auth):
    ana, ben, cai, _ = world["members"]
    round = reviewing_round(world)
    review = submit_review(assignment_of(round, ben, author=ana), review_data(round))
    mine = Submission.get(Submission.author == ana)
    url = f"/reviews/{review.id}/rate"
    for person in (ben, cai, world["facilitator"]):
        auth.login(person)
        assert client.post(url, data={"helpfulness": "5"}).status_code == 403
    assert client.post("/reviews/999999/rate", data={"helpfulness": "5"}).status_code == 404

    auth.login(ana)
    page = client.post(url, data={"helpfulness": "9", "helpfulness_note": "Typed note"})
    assert page.status_code == 422
    card = html(page).find(id=f"review-{review.id}")
    assert card.select_one(".field-error").get_text() == "Choose how helpful it was, from 1 to 5."
    assert card.find("textarea", attrs={"name": "helpfulness_note"}).get_text().strip() == "Typed note"

    answer = client.post(url, data={"helpfulness": "4", "helpfulness_note": "The second point helped."})
    assert answer.status_code == 303 and answer.headers["Location"] == f"/s/{mine.id}#review-{review.id}"
    stored = Review.get_by_id(review.id)
    assert (stored.helpfulness, stored.helpfulness_note) == (4, "The second point helped.")
    checked = html(client.get(f"/s/{mine.id}")).find(id=f"review-{review.id}").find("input", checked=True)
    assert checked["value"] == "4"

    fragment = client.post(url, data={"helpfulness": "5"}, headers=HX)
    assert fragment.status_code == 200 and html(fragment).find("html") is None
    assert "You rated it 5 out of 5." in page_text(fragment)
    auth.login(ben)
    assert "The author found your review 5 out of 5 helpful." in page_text(client.get(f"/a/{review.assignment_id}"))


def test_rating_waits_until_the_author_may_read_the_review(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world, results_release="after_close")
    review = submit_review(assignment_of(round, ben, author=ana), review_data(round))
    auth.login(ana)
    assert client.post(f"/reviews/{review.id}/rate", data={"helpfulness": "5"}).status_code == 403
    assert client.post(f"/reviews/{review.id}/flag", data=flag_form(review, note="Rude")).status_code == 403
    unrated = Review.get_by_id(review.id)
    assert unrated.helpfulness is None and not unrated.is_flagged and flags_on(review) == []

    clock.advance(days=5)  # reviewing closes: the author reads the review, and may now rate and flag it
    card = html(client.get(f"/s/{review.assignment.submission_id}")).find(id=f"review-{review.id}")
    assert card.find("input", attrs={"name": "helpfulness"}) is not None
    assert client.post(f"/reviews/{review.id}/rate", data={"helpfulness": "5"}).status_code == 303
    assert client.post(f"/reviews/{review.id}/flag", data=flag_form(review, note="Rude")).status_code == 303
    stored = Review.get_by_id(review.id)
    assert stored.helpfulness == 5 and stored.is_flagged and flags_on(review) == [("unkind", None, "Rude")]


def test_the_author_flags_an_unkind_review_once(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    review = submit_review(assignment_of(round, ben, author=ana), review_data(round))
    url = f"/reviews/{review.id}/flag"
    auth.login(ben)
    assert client.post(url, data=flag_form(review, note="Not mine")).status_code == 403
    auth.login(ana)
    page = client.post(url, data=flag_form(review, reason="other", note="   "))
    assert page.status_code == 422
    details = html(page).find(id=f"review-{review.id}").find("details", class_="flag")
    assert details.has_attr("open") and "Say in a few words what is wrong" in details.select_one(
        ".field-error").get_text()
    assert details.select_one(f"input[name=review-{review.id}-flag-reason][value=other]").has_attr("checked")

    Notice.delete().execute()  # the author's "a review arrived"; this test counts the flag's notices
    assert client.post(url, data=flag_form(review, note="It mocks my accent.")).status_code == 303
    told = {n.user_id: n for n in Notice.select()}
    assert set(told) == {world["owner"].id, world["facilitator"].id, ana.id}
    assert told[ana.id].kind == "flag_received" and told[world["owner"].id].kind == "flags_to_review"
    page = client.get(f"/s/{review.assignment.submission_id}")
    assert "You flagged this review: “It is unkind”." in page_text(page) and "It mocks my accent." in page_text(page)
    assert client.post(url, data=flag_form(review, note="Again"), headers=HX).status_code == 200
    assert Notice.select().count() == 3 and flags_on(review) == [("unkind", None, "It mocks my accent.")]


def test_the_author_writes_a_revision_plan(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    submit_review(assignment_of(round, ben, author=ana), review_data(round))
    mine = Submission.get(Submission.author == ana)
    url = f"/s/{mine.id}/plan"
    auth.login(ben)
    assert client.post(url, data={"body": "Not my plan"}).status_code == 403
    auth.login(ana)
    page = client.post(url, data={"body": "x" * 10_001})
    assert page.status_code == 422 and "under 10,000" in page_text(page)
    answer = client.post(url, data={"body": "1. Shorter *intro*"})
    assert answer.status_code == 303 and answer.headers["Location"] == f"/s/{mine.id}#submission-{mine.id}-plan"
    plan = html(client.get(f"/s/{mine.id}")).find(id=f"submission-{mine.id}-plan")
    assert plan.find("em").get_text() == "intro"
    fragment = client.post(url, data={"body": "2. More examples"}, headers=HX)
    assert fragment.status_code == 200 and html(fragment).find("html") is None
    assert "Plan saved." in page_text(fragment) and mine.revision_plan().body == "2. More examples"
    auth.login(world["facilitator"])
    assert "More examples" in page_text(client.get(f"/s/{mine.id}"))


def test_managers_read_results_with_reviewer_names(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    review = submit_review(assignment_of(round, ben, author=ana), review_data(round))
    auth.login(world["owner"])
    page = client.get(f"/s/{review.assignment.submission_id}")
    assert "Ben Learner" in html(page).find(id=f"review-{review.id}").get_text()
    assert html(page).find(id=f"review-{review.id}").find("form") is None  # rating is the author's
    page = client.get(f"/a/{review.assignment_id}")
    assert page.status_code == 200 and "Ben Learner's review" in page_text(page) and html(page).find("textarea") is None


def test_every_form_carries_the_token_csrf_protection_asks_for(csrf_app, world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    assignment = assignment_of(round, ben, author=ana)
    auth.login(ben)
    form = html(client.get(f"/a/{assignment.id}")).select_one("form.review-form")
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    url = f"/a/{assignment.id}/draft"
    assert client.post(url, data={"what_works": "No token"}, headers=HX).status_code == 400
    assert client.post(url, data={"what_works": "With token", "csrf_token": token}, headers=HX).status_code == 200
    assert Review.get(Review.assignment == assignment).what_works == "With token"


# ---- what the pages say, phase by phase -----------------------------------------------------------

def test_facilitators_are_offered_submitting_but_not_pushed(world, client, auth):
    round = make_round(world["circle"], world["facilitator"])
    auth.login(world["facilitator"])
    mine = html(client.get(f"/r/{round.id}")).find(id=f"round-{round.id}-mine").find_parent("section")
    assert "Facilitators may submit, but need not." in mine.get_text()
    assert "You have not submitted yet" not in mine.get_text()
    submit(round, world["facilitator"], body="My own essay")
    mine = html(client.get(f"/r/{round.id}")).find(id=f"round-{round.id}-mine").find_parent("section")
    assert "Version 1" in mine.get_text() and "need not" not in mine.get_text()
    auth.login(world["members"][3])
    mine = html(client.get(f"/r/{round.id}")).find(id=f"round-{round.id}-mine").find_parent("section")
    assert "You have not submitted yet." in mine.get_text()


def test_the_round_page_links_to_reviews_only_once_they_can_be_read(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world, results_release="after_close")
    submit_review(assignment_of(round, ben, author=ana), review_data(round))
    auth.login(ana)
    mine = html(client.get(f"/r/{round.id}")).find(id=f"round-{round.id}-mine").find_parent("section")
    assert mine.find("a", string="Reviews of your work") is None
    clock.advance(days=6)  # reviewing closed: the reviews are released
    mine = html(client.get(f"/r/{round.id}")).find(id=f"round-{round.id}-mine").find_parent("section")
    assert mine.find("a", string="Reviews of your work") is not None


def test_a_submitted_task_says_submitted_once(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    submit_review(assignment_of(round, ben, author=ana), review_data(round))
    auth.login(ben)
    tasks = html(client.get(f"/r/{round.id}")).find(id=f"round-{round.id}-tasks").find_parent("section")
    done = " ".join(tasks.find("a", href=f"/a/{assignment_of(round, ben, author=ana).id}").find_parent("li")
                    .get_text(" ").split())
    assert "Submitted just now" in done and "submitted" not in done.replace("Submitted", "", 1).lower()


def test_the_review_page_after_a_manual_close_says_so_without_contradiction(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    assignment = assignment_of(round, ben, author=ana)
    auth.login(ben)
    assert "Reviews are due" in page_text(client.get(f"/a/{assignment.id}"))
    clock.advance(days=6)
    seen = page_text(client.get(f"/a/{assignment.id}"))
    assert "Reviews were due" in seen and "Reviews are due" not in seen and "Overdue" in seen
    fresh(round).close_now()
    seen = page_text(client.get(f"/a/{assignment.id}"))
    assert "A facilitator closed this round just now" in seen
    assert "Reviews are due" not in seen and "Reviews were due" not in seen and "Overdue" not in seen


def test_a_review_flag_cites_a_point_of_the_code_of_conduct(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    review = submit_review(assignment_of(round, ben, author=ana), review_data(round))
    auth.login(ana)
    card = html(client.get(f"/s/{review.assignment.submission_id}")).find(id=f"review-{review.id}")
    options = [o["value"] for o in card.select(f"select[name=review-{review.id}-flag-conduct_point] option")]
    assert options == ["", "1", "2", "3", "4", "5"]  # the default code of conduct's points
    refused = client.post(f"/reviews/{review.id}/flag", data=flag_form(review, reason="conduct"))
    assert refused.status_code == 422 and "Choose which point" in page_text(refused)
    client.post(f"/reviews/{review.id}/flag", data=flag_form(review, reason="conduct", point="1"))
    assert flags_on(review) == [("conduct", 1, "")]
    seen = page_text(client.get(f"/s/{review.assignment.submission_id}"))
    assert "You flagged this review: “It breaks the code of conduct”. The circle's facilitators have been told." \
        in seen


def test_facilitators_hide_a_flagged_review_where_the_flag_notice_lands(world, client, auth):
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    review = submit_review(assignment_of(round, ben, author=ana), review_data(round))
    other = submit_review(assignment_of(round, ana, author=ben), review_data(round))
    auth.login(ana)
    client.post(f"/reviews/{review.id}/flag", data=flag_form(review, note="It mocks my accent."))
    page_url = f"/s/{review.assignment.submission_id}"
    notice = Notice.get(Notice.user == world["facilitator"])  # to the review queue, where every flag waits
    assert notice.kind == "flags_to_review" and notice.url == f"/c/{world['circle'].slug}/moderation"
    shown = html(client.get(page_url)).find(id=f"review-{review.id}")
    assert shown.find("button", string="Hide it from the author") is None

    auth.login(world["facilitator"])
    card = html(client.get(page_url)).find(id=f"review-{review.id}")
    assert "Flagged: “It is unkind”." in card.get_text() and "It mocks my accent." in card.get_text()
    assert ana.display_name not in card.select_one(".notice").get_text()  # never who flagged
    form = card.find("button", string="Hide it from the author").find_parent("form")
    assert form["action"] == f"/reviews/{review.id}/hide"
    assert form.find("input", attrs={"name": "reason"}).has_attr("required")
    answer = client.post(form["action"], data={"next": form.find("input", attrs={"name": "next"})["value"],
                                               "reason": "Mocks an accent."})
    assert answer.status_code == 303 and answer.headers["Location"] == f"{page_url}#review-{review.id}"
    assert Review.get_by_id(review.id).is_hidden
    card = html(client.get(page_url)).find(id=f"review-{review.id}")
    assert card.find("button", string="Show it to the author again")["type"] == "submit"
    # An unflagged review offers no hiding here (the board still does, for flagged or hidden ones).
    assert html(client.get(f"/s/{other.assignment.submission_id}")).find(id=f"review-{other.id}").find("button") is None


def test_the_migration_moves_the_review_flags_of_before_into_flags(world):
    """Migration 0024: each review flagged the old way (columns on the review) becomes its author's Flag, resolved
    when a facilitator hid the review since; the old columns are emptied. Its down() puts them back."""
    import datetime as dt
    import importlib

    from learncircle import db

    migration = importlib.import_module("learncircle.migrations.0024_review_flags")
    ana, ben, cai, _ = world["members"]
    round = reviewing_round(world)
    kept = submit_review(assignment_of(round, ben, author=ana), review_data(round))
    hidden = submit_review(assignment_of(round, cai, author=ben), review_data(round))
    now = clock.now()
    Review.update(flagged_at=now, flag_reason="It mocks my accent.", flagged_by=ana.id).where(
        Review.id == kept.id).execute()
    Review.update(flagged_at=now, flag_reason="Rude", flagged_by=None, hidden_at=now + dt.timedelta(hours=1),
                  hidden_by=world["facilitator"].id).where(Review.id == hidden.id).execute()
    raw = db.database.obj
    migration.down(None, raw)  # as the database was before 0024 (no review flags in Flag yet)
    migration.up(None, raw)
    moved = {f.target_id: f for f in Flag.select().where(Flag.target_kind == "review")}
    assert set(moved) == {kept.id, hidden.id}
    assert (moved[kept.id].flagger_id, moved[kept.id].reason, moved[kept.id].note, moved[kept.id].resolved_at) == (
        ana.id, "unkind", "It mocks my accent.", None)
    assert moved[kept.id].circle_id == world["circle"].id
    assert moved[hidden.id].flagger_id == ben.id and moved[hidden.id].resolution == "hidden"  # the work's author
    assert not Review.select().where(Review.flagged_at.is_null(False) | (Review.flag_reason != "")).exists()
    assert Review.get_by_id(kept.id).is_flagged and Review.get_by_id(hidden.id).hidden_kind == ""
    migration.down(None, raw)
    assert raw.execute_sql("SELECT flag_reason, flagged_by_id FROM review WHERE id = ?", (kept.id,)).fetchone() == (
        "It mocks my accent.", ana.id)
    migration.up(None, raw)


def test_a_review_is_flagged_with_csrf_protection_on(world, csrf_app, client, auth):
    """The card's flag form sends the page's token (its fields are named after the review, the token is not)."""
    ana, ben, _, _ = world["members"]
    round = reviewing_round(world)
    review = submit_review(assignment_of(round, ben, author=ana), review_data(round))
    auth.login(ana)
    card = html(client.get(f"/s/{review.assignment.submission_id}")).find(id=f"review-{review.id}")
    form = card.find("form", action=f"/reviews/{review.id}/flag")
    token = form.find("input", {"name": "csrf_token"})["value"]
    response = client.post(form["action"], data={**flag_form(review, note="Harsh."), "csrf_token": token})
    assert response.status_code == 303 and flags_on(review) == [("unkind", None, "Harsh.")]
