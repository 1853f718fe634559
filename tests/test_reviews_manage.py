"""The facilitator's side of peer review: creating a round, the rubric builder (with and without htmx),
moving a round through its phases, the board with swaps, nudges and the export, and hiding reviews.
Who may use each route is tests/test_access_matrix.py's.

The world (a circle with Olga, Fred, Ana, Ben, Cai and Dee) is tests/fixtures_reviews.py's.
"""
import csv
import datetime as dt
import io

import pytest

from learncircle import clock, db
from learncircle.circles.models import FACILITATOR
from learncircle.notices.models import Notice
from learncircle.reviews import background_allocation
from learncircle.reviews.models import Assignment, Review, ReviewRound, Submission
from learncircle.reviews.reviewing import flag_review, rate_review, save_review_draft, submit_review
from learncircle.reviews.submitting import submit
from tests.helpers import html
from tests.fixtures_reviews import (
    CLARITY, SOURCES, assignment_of, fresh, make_round, review_data, reviewing_round, round_form,
)

HTMX = {"HX-Request": "true"}


# ---- building blocks ----------------------------------------------------------------------------

def new_round(world, **overrides):
    """A round of the world's circle with one criterion (Clarity), set up by its facilitator."""
    return make_round(world["circle"], world["facilitator"], **{"criteria": (CLARITY,), **overrides})


def in_review(world):
    """Ana, Ben and Cai's work, given out when the submission deadline passed (two reviews each)."""
    return reviewing_round(world, by_clock=True, seed=3, criteria=(CLARITY,))


def rubric_names(round):
    with db.database.connection_context():
        return [c.name for c in fresh(round).rubric()]


def criterion_form(prefix, name="Sources", kind="scale", levels=("Few", "Enough", "Plenty"), description=""):
    data = {f"{prefix}-name": name, f"{prefix}-description": description, f"{prefix}-kind": kind}
    for i in range(6):
        data[f"{prefix}-levels-{i}"] = levels[i] if i < len(levels) else ""
    return data


def notices_text(response):
    return " ".join(p.get_text(" ", strip=True) for p in html(response).select("#notices .notice"))


# ---- creating a round ---------------------------------------------------------------------------

def test_deadlines_are_typed_in_the_facilitators_zone_and_stored_in_utc(client, auth, frozen_clock, make_circle,
                                                                         make_user, add_member):
    tokyo = make_user("kenji", timezone="Asia/Tokyo")
    circle = make_circle(tokyo)
    auth.login(tokyo)
    page = html(client.get(f"/c/{circle.slug}/reviews/new"))
    assert "Asia/Tokyo" in page.select_one("#submission_deadline").find_parent("div").get_text()

    response = client.post(f"/c/{circle.slug}/reviews/new", data=round_form())
    assert response.status_code == 303
    with db.database.connection_context():
        round = ReviewRound.get(ReviewRound.title == "Essay one")
    assert round.submission_deadline == dt.datetime(2026, 3, 9, 9, 0)  # 18:00 in Tokyo is 09:00 UTC
    assert round.review_deadline == dt.datetime(2026, 3, 16, 9, 0)
    assert round.is_draft and round.reviews_per_submission == 2
    assert response.headers["Location"].endswith(f"/r/{round.id}/rubric")

    # Shown back in Tokyo time in the settings form.
    settings = html(client.get(f"/r/{round.id}/settings"))
    assert settings.select_one("#submission_deadline")["value"] == "2026-03-09T18:00"


@pytest.mark.parametrize("changes, field, message", [
    ({"submission_deadline": "2026-03-01T10:00"}, "submission_deadline", "in the past"),
    ({"review_deadline": "2026-03-08T10:00"}, "review_deadline", "must come after the submission deadline"),
    ({"reviews_per_submission": "11"}, "reviews_per_submission", "between 1 and 10"),
    ({"reviews_per_submission": "0"}, "reviews_per_submission", "between 1 and 10"),
    ({"reviews_per_submission": "three"}, "reviews_per_submission", "integer"),
    ({"submission_deadline": "next week"}, "submission_deadline", "date and a time"),
    ({"title": "  "}, "title", "title"),
])
def test_bad_round_settings_are_refused_with_what_was_typed_kept(client, auth, frozen_clock, world,
                                                                   changes, field, message):
    auth.login(world["facilitator"])
    typed = round_form(title="Essay <one>", **changes) if "title" not in changes else round_form(**changes)
    response = client.post(f"/c/{world['circle'].slug}/reviews/new", data=typed)
    assert response.status_code == 422
    page = html(response)
    box = page.select_one(f"#{field}")
    assert box["aria-invalid"] == "true"
    assert message in page.select_one(f"#{field}-error").get_text()
    assert page.select_one("#title")["value"] == typed["title"].strip()
    if field != "submission_deadline":
        assert page.select_one("#submission_deadline")["value"] == typed["submission_deadline"]
    assert page.select_one("#reviews_per_submission")["value"] == typed["reviews_per_submission"]
    with db.database.connection_context():
        assert ReviewRound.select().count() == 0


def test_a_round_form_sent_twice_creates_one_round(client, auth, frozen_clock, world):
    auth.login(world["facilitator"])
    data = round_form(form_key="one-time-key-123")
    first = client.post(f"/c/{world['circle'].slug}/reviews/new", data=data)
    second = client.post(f"/c/{world['circle'].slug}/reviews/new", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    with db.database.connection_context():
        assert ReviewRound.select().count() == 1


def test_a_new_round_can_start_from_an_earlier_rubric(client, auth, frozen_clock, world):
    earlier = make_round(world["circle"], world["owner"], title="Essay zero",
                         criteria=(CLARITY, SOURCES))
    auth.login(world["facilitator"])
    page = html(client.get(f"/c/{world['circle'].slug}/reviews/new"))
    assert [o.get_text() for o in page.select("#copy_from option")][1:] == ["Essay zero"]
    response = client.post(f"/c/{world['circle'].slug}/reviews/new",
                           data=round_form(title="Essay two", copy_from=str(earlier.id)))
    assert response.status_code == 303
    with db.database.connection_context():
        copy = ReviewRound.get(ReviewRound.title == "Essay two")
    assert rubric_names(copy) == ["Clarity", "Sources"]


def test_settings_fixed_after_publishing_are_shown_not_asked(client, auth, frozen_clock, world):
    round = new_round(world)
    auth.login(world["owner"])
    page = html(client.get(f"/r/{round.id}/settings"))
    assert page.select_one("#submission_deadline") is None and page.select_one("input[name=anonymity]") is None
    assert "fixed once published" in page.get_text()
    response = client.post(f"/r/{round.id}/settings", data=round_form(
        title="Essay one, revised", anonymity="open", submission_deadline="2030-01-01T00:00"))
    assert response.status_code == 303
    round = fresh(round)
    assert round.title == "Essay one, revised"
    assert round.anonymity == "reviewers_hidden"
    assert round.submission_deadline == dt.datetime(2026, 3, 4, 9, 0)


def test_rounds_list_shows_drafts_to_managers_only(client, auth, frozen_clock, world):
    new_round(world, title="Published one")
    new_round(world, title="Secret draft", publish=False)
    url = f"/c/{world['circle'].slug}/reviews"
    auth.login(world["facilitator"])
    page = html(client.get(url))
    assert [a.get_text() for a in page.select("#rounds .title")] == ["Secret draft", "Published one"]
    assert page.find("a", string="New round")
    assert "Open for submissions" in page.select_one("#rounds").get_text()
    auth.login(world["dee"])
    page = html(client.get(url))
    assert [a.get_text() for a in page.select("#rounds .title")] == ["Published one"]
    assert page.find("a", string="New round") is None


# ---- the rubric builder -------------------------------------------------------------------------

def test_adding_a_criterion_without_javascript_redirects_back_to_the_builder(client, auth, frozen_clock,
                                                                            world):
    round = new_round(world, publish=False)
    auth.login(world["facilitator"])
    response = client.post(f"/r/{round.id}/rubric/criteria", data=criterion_form("new-criterion"))
    assert response.status_code == 303
    assert f"/r/{round.id}/rubric#criterion-" in response.headers["Location"]
    assert rubric_names(round) == ["Clarity", "Sources"]
    page = html(client.get(f"/r/{round.id}/rubric"))
    item = page.select(f"#rubric-{round.id} .criteria > li")[1]
    assert "Sources" in item.h3.get_text() and "scale of 3 levels" in item.get_text()
    assert [li.get_text() for li in item.select("ol.levels li")] == ["Few", "Enough", "Plenty"]


def test_adding_a_criterion_with_htmx_answers_with_the_rubric(client, auth, frozen_clock, world):
    round = new_round(world, publish=False)
    auth.login(world["facilitator"])
    response = client.post(f"/r/{round.id}/rubric/criteria", headers=HTMX,
                           data=criterion_form("new-criterion", name="Sources", kind="comments", levels=()))
    assert response.status_code == 200
    fragment = html(response)
    section = fragment.find("section")
    assert section["id"] == f"rubric-{round.id}"
    assert fragment.find("html") is None  # only the partial
    assert [h.get_text(" ", strip=True) for h in section.select(".criteria > li h3")] == [
        "1. Clarity scale of 3 levels", "2. Sources comments only"]
    assert fragment.select_one("#new-criterion-name")["value"] == ""  # a fresh form for the next one


def test_a_scale_with_one_level_is_refused_with_what_was_typed_kept(client, auth, frozen_clock, world):
    round = new_round(world, publish=False)
    auth.login(world["facilitator"])
    data = criterion_form("new-criterion", name="Depth <b>", levels=("Only one",))
    response = client.post(f"/r/{round.id}/rubric/criteria", data=data)
    assert response.status_code == 422
    page = html(response)
    assert "2 to 6 levels" in page.select_one("#new-criterion-levels-error").get_text()
    assert page.select_one("#new-criterion-name")["value"] == "Depth <b>"
    assert page.select_one("#new-criterion-levels-0")["value"] == "Only one"
    assert page.find("html") is not None  # the whole builder page without JavaScript

    # With htmx only the form comes back, in place of itself, so other open editors keep their text.
    response = client.post(f"/r/{round.id}/rubric/criteria", data=data, headers=HTMX)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#rubric-{round.id}-new"
    fragment = html(response)
    assert fragment.find("div")["id"] == f"rubric-{round.id}-new"
    assert fragment.select_one("#new-criterion-levels-0")["value"] == "Only one"
    assert rubric_names(round) == ["Clarity"]

    gap = criterion_form("new-criterion", levels=("Low", "", "High"))
    response = client.post(f"/r/{round.id}/rubric/criteria", data=gap)
    assert response.status_code == 422
    assert "level 2 is empty" in html(response).select_one("#new-criterion-levels-error").get_text()


def test_editing_a_criterion_in_place_with_htmx(client, auth, frozen_clock, world):
    round = new_round(world, publish=False)
    with db.database.connection_context():
        (clarity,) = round.rubric()
    base = f"/r/{round.id}/rubric/criteria/{clarity.id}"
    prefix = f"criterion-{clarity.id}"
    auth.login(world["facilitator"])

    editor = html(client.get(base + "/edit", headers=HTMX))
    item = editor.find("li")
    assert item["id"] == f"criterion-{clarity.id}" and item.find("form")["hx-post"] == base
    assert editor.select_one(f"#{prefix}-name")["value"] == "Clarity"
    assert editor.select_one(f"#{prefix}-levels-2")["value"] == "Crystal clear"

    bad = client.post(base, headers=HTMX, data=criterion_form(prefix, name="", levels=("A", "B")))
    assert bad.status_code == 422
    fragment = html(bad)
    assert fragment.find("li")["id"] == f"criterion-{clarity.id}"
    assert "Give the criterion a name." in fragment.select_one(f"#{prefix}-name-error").get_text()
    assert fragment.select_one(f"#{prefix}-levels-1")["value"] == "B"

    good = client.post(base, headers=HTMX, data=criterion_form(prefix, name="Clarity of argument",
                                                               levels=("Unclear", "Clear")))
    assert good.status_code == 200
    shown = html(good).find("li")
    assert shown["id"] == f"criterion-{clarity.id}" and shown.find("form", class_="stack") is None
    assert "Clarity of argument" in shown.h3.get_text()
    assert [li.get_text() for li in shown.select("ol.levels li")] == ["Unclear", "Clear"]

    # Cancel: the criterion as shown, for htmx; the builder for a plain request.
    editor = html(client.get(base + "/edit", headers=HTMX))
    cancel = editor.find("a", string="Cancel")
    assert cancel["hx-get"] == base
    # The form disables "find button" while saving; a link inheriting that finds nothing and htmx fails.
    assert cancel.find_parent("form")["hx-disabled-elt"] == "find button" and cancel["hx-disabled-elt"] == "this"
    assert html(client.get(base, headers=HTMX)).find("li")["id"] == f"criterion-{clarity.id}"
    assert client.get(base).status_code == 303


def test_editing_a_criterion_without_javascript(client, auth, frozen_clock, world):
    round = new_round(world, publish=False)
    with db.database.connection_context():
        (clarity,) = round.rubric()
    base = f"/r/{round.id}/rubric/criteria/{clarity.id}"
    prefix = f"criterion-{clarity.id}"
    auth.login(world["facilitator"])
    page = html(client.get(base + "/edit"))
    assert page.find("html") is not None and page.select_one(f"#{prefix}-name")["value"] == "Clarity"
    bad = client.post(base, data=criterion_form(prefix, kind="sideways"))
    assert bad.status_code == 422
    assert "Choose a scale or comments only." in html(bad).get_text()
    response = client.post(base, data=criterion_form(prefix, name="Structure", kind="comments", levels=()))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#criterion-{clarity.id}")
    assert rubric_names(round) == ["Structure"]


def test_moving_and_removing_criteria(client, auth, frozen_clock, world):
    round = new_round(world, publish=False, criteria=(
        CLARITY, {"name": "Sources", "kind": "comments"}, {"name": "Style", "kind": "comments"}))
    with db.database.connection_context():
        clarity, sources, style = round.rubric()
    auth.login(world["facilitator"])
    base = f"/r/{round.id}/rubric/criteria"

    plain = client.post(f"{base}/{style.id}/move", data={"direction": "up"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"/r/{round.id}/rubric")
    assert rubric_names(round) == ["Clarity", "Style", "Sources"]

    fragment = html(client.post(f"{base}/{clarity.id}/move", data={"direction": "down"}, headers=HTMX))
    assert fragment.find("section")["id"] == f"rubric-{round.id}"
    assert rubric_names(round) == ["Style", "Clarity", "Sources"]
    first = fragment.select(".criteria > li")[0]
    assert first.find("button", string="Move up") is None  # nothing above the first

    fragment = html(client.post(f"{base}/{style.id}/remove", headers=HTMX))
    names = [h.get_text(" ", strip=True).split(" ")[1] for h in fragment.select(".criteria h3")]
    assert names == ["Clarity", "Sources"]
    assert client.post(f"{base}/{sources.id}/remove").status_code == 303
    assert rubric_names(round) == ["Clarity"]
    # A second click on a criterion already removed changes nothing.
    assert client.post(f"{base}/{sources.id}/remove").status_code == 303
    assert client.post(f"{base}/{clarity.id}/move", data={"direction": "sideways"}).status_code == 400


def test_copying_a_rubric_in_the_builder(client, auth, frozen_clock, world, make_circle):
    earlier = new_round(world, title="Earlier",
                         criteria=({"name": "Evidence", "kind": "comments"},))
    round = new_round(world, publish=False, title="Later")
    auth.login(world["facilitator"])
    page = html(client.get(f"/r/{round.id}/rubric"))
    assert [o.get_text() for o in page.select(f"#rubric-{round.id}-source option")] == ["Earlier"]
    fragment = html(client.post(f"/r/{round.id}/rubric/copy", data={"source": earlier.id}, headers=HTMX))
    assert "Evidence" in fragment.find("section").get_text()
    assert rubric_names(round) == ["Evidence"]
    elsewhere = make_round(make_circle(world["owner"], name="Elsewhere"), world["owner"])
    response = client.post(f"/r/{round.id}/rubric/copy", data={"source": elsewhere.id})
    assert response.status_code == 422
    assert "Choose an earlier round" in html(response).get_text()


def test_the_rubric_is_fixed_once_reviewers_are_allocated(client, auth, world):
    round = in_review(world)
    with db.database.connection_context():
        (clarity,) = round.rubric()
    auth.login(world["facilitator"])
    page = html(client.get(f"/r/{round.id}/rubric"))
    assert "The rubric is fixed" in page.get_text()
    assert page.select_one("#new-criterion-name") is None and page.find("button", string="Remove") is None
    response = client.post(f"/r/{round.id}/rubric/criteria/{clarity.id}/remove")
    assert response.status_code == 422
    assert "fixed once reviewing has started" in html(response).get_text()
    # An editor opened before the lock gets the whole rubric back, without buttons, saying why.
    response = client.post(f"/r/{round.id}/rubric/criteria/{clarity.id}", headers=HTMX,
                           data=criterion_form(f"criterion-{clarity.id}", name="Changed"))
    assert response.status_code == 422 and response.headers["HX-Retarget"] == f"#rubric-{round.id}"
    assert "fixed once reviewing has started" in html(response).find("section").get_text()
    assert rubric_names(round) == ["Clarity"]


# ---- phases -------------------------------------------------------------------------------------

def test_publishing_needs_a_criterion(client, auth, frozen_clock, world):
    round = new_round(world, publish=False, criteria=())
    auth.login(world["facilitator"])
    response = client.post(f"/r/{round.id}/publish", follow_redirects=True)
    assert "Add at least one criterion" in notices_text(response)
    assert fresh(round).is_draft
    client.post(f"/r/{round.id}/rubric/criteria", data=criterion_form("new-criterion"))
    response = client.post(f"/r/{round.id}/publish")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/r/{round.id}")
    assert fresh(round).phase() == "open"


def test_phase_buttons_move_the_round(client, auth, world, frozen_clock):
    round = new_round(world)
    with db.database.connection_context():
        for name in ("ana", "ben", "cai"):
            submit(fresh(round), world[name], body="My work")
    auth.login(world["owner"])
    panel = html(client.get(f"/r/{round.id}")).select_one(f"#round-{round.id}-manage")
    assert panel.find("button", string="Start reviewing now")

    response = client.post(f"/r/{round.id}/start-reviewing", follow_redirects=True)
    assert "Reviewing has started. Reviewers are being allocated" in notices_text(response)
    # The request only asked the background allocation to run: the page says so until it has.
    assert fresh(round).allocated_at is None
    assert "Reviewers are being allocated" in html(response).select_one(f"#round-{round.id}-allocating").get_text()
    assert background_allocation.worker(client.application).step() == [round.id]
    round = fresh(round)
    assert round.phase() == "reviewing" and round.allocated_at == clock.now()
    assert html(client.get(f"/r/{round.id}")).select_one(f"#round-{round.id}-allocating") is None
    with db.database.connection_context():
        assert Assignment.select().where(Assignment.round == round.id).count() == 6
        told = Notice.select().where(Notice.kind == "reviewing_started")
        assert sorted(notice.user_id for notice in told) == sorted(world[name].id for name in ("ana", "ben", "cai"))
        assert {notice.url for notice in told} == {f"/r/{round.id}"}
    # Starting again is refused with a reason, not an error page.
    response = client.post(f"/r/{round.id}/start-reviewing", follow_redirects=True)
    assert "only start while the round is open" in notices_text(response)

    response = client.post(f"/r/{round.id}/close", follow_redirects=True)
    assert "The round is closed" in notices_text(response)
    assert fresh(round).phase() == "closed"


def test_extending_deadlines_in_the_facilitators_zone(client, auth, frozen_clock, make_user, world,
                                                      add_member):
    tokyo = make_user("kenji", timezone="Asia/Tokyo")
    add_member(world["circle"], tokyo, FACILITATOR)
    round = new_round(world)
    auth.login(tokyo)
    page = html(client.get(f"/r/{round.id}/deadlines"))
    assert page.select_one("#review_deadline")["value"] == "2026-03-07T18:00"  # 09:00 UTC in Tokyo
    assert "Asia/Tokyo" in page.get_text()

    response = client.post(f"/r/{round.id}/deadlines", data={
        "submission_deadline": "2026-03-04T18:00", "review_deadline": "2026-03-01T12:00"})
    assert response.status_code == 422
    page = html(response)
    assert "in the past" in page.select_one("#review_deadline-error").get_text()
    assert page.select_one("#review_deadline")["value"] == "2026-03-01T12:00"

    response = client.post(f"/r/{round.id}/deadlines", data={
        "submission_deadline": "2026-03-04T18:00", "review_deadline": "2026-03-20T09:30", "next": f"/r/{round.id}"})
    assert response.status_code == 303
    round = fresh(round)
    assert round.submission_deadline == dt.datetime(2026, 3, 4, 9, 0)  # unchanged
    assert round.review_deadline == dt.datetime(2026, 3, 20, 0, 30)


def test_the_submission_deadline_is_fixed_once_reviewing_started(client, auth, world):
    round = in_review(world)
    auth.login(world["facilitator"])
    response = client.post(f"/r/{round.id}/deadlines", data={
        "submission_deadline": "2026-03-12T09:00", "review_deadline": "2026-03-13T09:00"})
    assert response.status_code == 422
    assert "submission deadline is fixed" in html(response).get_text()


def test_a_draft_can_be_discarded_but_not_a_published_round(client, auth, frozen_clock, world):
    draft = new_round(world, publish=False)
    published = new_round(world)
    auth.login(world["facilitator"])
    response = client.post(f"/r/{published.id}/discard", follow_redirects=True)
    assert "cannot be deleted" in notices_text(response)
    response = client.post(f"/r/{draft.id}/discard")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/c/{world['circle'].slug}/reviews")
    with db.database.connection_context():
        assert ReviewRound.get_or_none(ReviewRound.id == draft.id) is None
        assert ReviewRound.get_or_none(ReviewRound.id == published.id) is not None


# ---- the board ----------------------------------------------------------------------------------

def test_the_board_shows_each_reviews_status_and_overdue_work(client, auth, world):
    round = in_review(world)
    ana, ben = world["ana"], world["ben"]
    with db.database.connection_context():
        done = assignment_of(round, ana, ben)
        submit_review(done, review_data(done.round))
        rate_review(Review.get(Review.assignment == done.id), ben, 4)
        drafting = assignment_of(round, ben, ana)
        save_review_draft(drafting, {"what_works": "So far so good"})
    auth.login(world["facilitator"])
    page = html(client.get(f"/r/{round.id}/board"))
    board = page.select_one(f"#board-{round.id}")
    assert board["hx-get"] == f"/r/{round.id}/board" and board["hx-trigger"] == "every 30s"
    headers = [th.contents[0].strip() for th in board.select("thead th")]
    assert headers == ["Author", "Ana Learner", "Ben Learner", "Cai Learner"]
    cell = page.select_one(f"#assignment-{done.id}")
    assert "status-submitted" in cell["class"] and "submitted" in cell.get_text() and "rated 4/5" in cell.get_text()
    row = cell.find_parent("tr")
    assert row.th.get_text(" ", strip=True).startswith("Ben Learner")
    assert "draft" in page.select_one(f"#assignment-{drafting.id}").get_text()
    assert "overdue" not in board.select_one("tbody").get_text()
    counts = [" ".join(line.get_text().split()) for line in board.select("dl.counts > div")]
    assert counts == ["Submissions: 3, 1 missing",
                      "Reviews: 6 allocated, 4 not started, 1 draft, 1 on time, 0 late · 0 overdue · 0 flagged"]

    clock.advance(days=3)  # past the review deadline
    fragment = html(client.get(f"/r/{round.id}/board", headers=HTMX))
    assert fragment.find("html") is None and fragment.find("section")["id"] == f"board-{round.id}"
    late_cell = fragment.select_one(f"#assignment-{drafting.id}")
    assert "overdue" in late_cell["class"] and "overdue" in late_cell.get_text()
    assert "overdue" not in fragment.select_one(f"#assignment-{done.id}")["class"]
    assert len(fragment.select("td.overdue")) == 5


def test_the_board_shows_shortfalls_and_missing_work(client, auth, frozen_clock, world):
    round = new_round(world, reviews_per_submission=3)
    with db.database.connection_context():
        submit(round, world["ana"], body="Alone")
        submit(round, world["ben"], body="Two of us")
    clock.advance(days=2, minutes=1)
    auth.login(world["facilitator"])
    background_allocation.worker(client.application).step()
    page = html(client.get(f"/r/{round.id}/board"))
    notes = page.select_one(".allocation-notes")
    assert notes is not None and notes.li.get_text()
    assert fresh(round).shortfalls
    missing = page.find("h3", string="Not submitted").find_next("p").get_text()
    assert "Cai Learner" in missing and "Dee Learner" in missing and "Ana Learner" not in missing

    # Making up a shortfall by hand: one more reviewer for Ana's work.
    with db.database.connection_context():
        work = Submission.get(Submission.author == world["ana"].id)
    row = page.select_one(f"#board-submission-{work.id}")
    link = row.select_one(f"a[href='/r/{round.id}/submissions/{work.id}/add-reviewer']")
    assert link.get_text().startswith("add a reviewer") and "1 of 3 reviewers" in row.get_text()
    form = html(client.get(link["href"]))
    assert "Ana Learner (@ana)" not in [o.get_text() for o in form.select("#reviewer option")]
    assert client.post(link["href"], data={"reviewer": world["ana"].id}).status_code == 422
    response = client.post(link["href"], data={"reviewer": world["cai"].id})
    assert response.status_code == 303
    with db.database.connection_context():
        assert Assignment.select().where((Assignment.submission == work.id)
                                         & (Assignment.reviewer == world["cai"].id)).exists()
        notice = Notice.get(Notice.user == world["cai"].id)
    assert notice.url == f"/r/{round.id}"


def test_swapping_a_reviewer(client, auth, world, make_user, add_member):
    round = in_review(world)
    ana, ben = world["ana"], world["ben"]
    with db.database.connection_context():
        target = assignment_of(round, ana, ben)
    url = f"/r/{round.id}/assignments/{target.id}/swap"
    auth.login(world["facilitator"])
    page = html(client.get(url))
    choices = [o.get_text() for o in page.select("#reviewer option")]
    assert "Ben Learner (@ben)" not in choices and "Ana Learner (@ana)" not in choices
    assert "Dee Learner (@dee)" in choices

    response = client.post(url, data={"reviewer": world["dee"].id})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/r/{round.id}/board")
    with db.database.connection_context():
        assert Assignment.get_by_id(target.id).reviewer_id == world["dee"].id
        assert Notice.select().where(Notice.user == world["dee"].id).count() == 1

    # Someone not offered (the author) is refused with the form kept.
    response = client.post(url, data={"reviewer": ben.id})
    assert response.status_code == 422
    assert "Choose a member of the circle" in html(response).select_one("#reviewer-error").get_text()


def test_a_started_draft_is_discarded_only_when_confirmed(client, auth, world):
    round = in_review(world)
    with db.database.connection_context():
        target = assignment_of(round, world["ana"], world["ben"])
        save_review_draft(target, {"what_works": "Half a thought"})
    url = f"/r/{round.id}/assignments/{target.id}/swap"
    auth.login(world["facilitator"])
    response = client.post(url, data={"reviewer": world["dee"].id})
    assert response.status_code == 422
    page = html(response)
    assert "started a draft" in page.select_one("#discard_draft-error").get_text()
    assert page.select_one("#reviewer option[selected]")["value"] == str(world["dee"].id)
    response = client.post(url, data={"reviewer": world["dee"].id, "discard_draft": "y"})
    assert response.status_code == 303
    with db.database.connection_context():
        assert Review.get_or_none(Review.assignment == target.id) is None


def test_a_submitted_review_cannot_be_swapped(client, auth, world):
    round = in_review(world)
    with db.database.connection_context():
        target = assignment_of(round, world["ana"], world["ben"])
        submit_review(target, review_data(target.round))
    url = f"/r/{round.id}/assignments/{target.id}/swap"
    auth.login(world["facilitator"])
    page = html(client.get(url))
    assert "stays with Ana Learner" in page.get_text() and page.select_one("#reviewer") is None
    board = html(client.get(f"/r/{round.id}/board"))
    assert board.select_one(f"#assignment-{target.id} a[href='{url}']") is None
    response = client.post(url, data={"reviewer": world["dee"].id})
    assert response.status_code == 422
    assert "stays with Ana Learner" in html(response).get_text()
    with db.database.connection_context():
        assert Assignment.get_by_id(target.id).reviewer_id == world["ana"].id
    assert client.get(f"/r/{round.id}/assignments/999999/swap").status_code == 404


def test_nudge_reminds_everyone_with_pending_work(client, auth, world):
    round = in_review(world)
    with db.database.connection_context():
        for reviewer in (world["ana"],):
            for a in Assignment.select().where((Assignment.round == round.id) & (Assignment.reviewer == reviewer.id)):
                a.round = round
                submit_review(a, review_data(round))
        Notice.delete().execute()  # the authors' "a review arrived": only reminders are counted here
    auth.login(world["facilitator"])
    button = html(client.get(f"/r/{round.id}/board")).select_one(f"form[action='/r/{round.id}/nudge']")
    data = {field["name"]: field["value"] for field in button.select("input[type=hidden]")}
    response = client.post(f"/r/{round.id}/nudge", data=data, follow_redirects=True)
    assert "Reminded 2 people." in notices_text(response)
    with db.database.connection_context():
        reminded = {n.user_id for n in Notice.select()}
        assert reminded == {world["ben"].id, world["cai"].id}
        assert all(n.url == f"/r/{round.id}" for n in Notice.select())
    # A double click reminds nobody twice.
    response = client.post(f"/r/{round.id}/nudge", data=data, follow_redirects=True)
    assert "already sent" in notices_text(response)
    with db.database.connection_context():
        assert Notice.select().count() == 2


def test_csv_export_for_facilitators(client, auth, world):
    round = in_review(world)
    with db.database.connection_context():
        done = assignment_of(round, world["ana"], world["ben"])
        submit_review(done, review_data(done.round, level=2))
        rate_review(Review.get(Review.assignment == done.id), world["ben"], 5, "Very useful")
    auth.login(world["facilitator"])
    response = client.get(f"/r/{round.id}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="round-{round.id}-reviews.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["author", "submission_late", "reviewer", "reviewer_label", "status", "submitted_at_utc",
                       "Clarity (1-3)", "helpfulness (1-5)", "helpfulness_note", "flagged", "hidden"]
    assert len(rows) == 7
    line = next(r for r in rows[1:] if r[0] == "ben" and r[2] == "ana")
    assert line[4] == "submitted" and line[6] == "3" and line[7] == "5" and line[8] == "Very useful"
    auth.login(world["dee"])
    assert client.get(f"/r/{round.id}/export.csv").status_code == 403


def test_hiding_a_flagged_review_and_showing_it_again(client, auth, world):
    round = in_review(world)
    with db.database.connection_context():
        done = assignment_of(round, world["ana"], world["ben"])
        review = submit_review(done, review_data(done.round))
        review = Review.get_by_id(review.id)
        flag_review(review, world["ben"], "unkind", note="It mocks my spelling.")
    auth.login(world["facilitator"])
    cell = html(client.get(f"/r/{round.id}/board")).select_one(f"#assignment-{done.id}")
    assert "flagged" in cell.get_text()
    assert cell.find("form")["action"] == f"/reviews/{review.id}/hide"

    response = client.post(f"/reviews/{review.id}/hide", data={"next": f"/r/{round.id}/board", "reason": "Unkind."})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/r/{round.id}/board")
    with db.database.connection_context():
        assert Review.get_by_id(review.id).hidden_by_id == world["facilitator"].id
    cell = html(client.get(f"/r/{round.id}/board")).select_one(f"#assignment-{done.id}")
    assert "hidden" in cell.get_text() and cell.find("form")["action"] == f"/reviews/{review.id}/unhide"

    assert client.post(f"/reviews/{review.id}/unhide", data={"reason": "Rewritten."}).status_code == 303
    with db.database.connection_context():
        assert Review.get_by_id(review.id).hidden_at is None
    assert client.post("/reviews/999999/hide").status_code == 404
    auth.login(world["ben"])
    assert client.post(f"/reviews/{review.id}/hide").status_code == 403


# ---- forms and drafts ---------------------------------------------------------------------------

def test_forms_carry_their_csrf_token(csrf_app, client, auth, frozen_clock, world):
    round = new_round(world, publish=False)
    auth.login(world["facilitator"])
    page = html(client.get(f"/r/{round.id}/rubric"))
    add = page.select_one(f"#rubric-{round.id}-new form")
    data = {field["name"]: field.get("value", "") for field in add.select("input[type=hidden]")}
    data.update(criterion_form("new-criterion"))
    assert client.post(f"/r/{round.id}/rubric/criteria", data=data).status_code == 303
    assert client.post(f"/r/{round.id}/rubric/criteria", data=criterion_form("new-criterion")).status_code == 400
    assert rubric_names(round) == ["Clarity", "Sources"]


def test_drafts_do_not_exist_for_members(client, auth, frozen_clock, world, make_user):
    draft = new_round(world, publish=False)
    for person in (world["dee"], make_user("admin", is_admin=True)):
        auth.login(person)
        assert client.get(f"/r/{draft.id}/rubric").status_code == 404
        assert client.post(f"/r/{draft.id}/publish").status_code == 404
    auth.login(world["facilitator"])
    assert client.get(f"/r/{draft.id}/rubric").status_code == 200
    assert client.get("/r/999999/board").status_code == 404


# ---- what the facilitator pages say -------------------------------------------------------------

def test_rounds_list_says_what_each_running_round_expects_of_the_viewer(client, auth, frozen_clock,
                                                                          world):
    running = new_round(world, title="Running")
    new_round(world, title="Draft", publish=False)
    url = f"/c/{world['circle'].slug}/reviews"
    auth.login(world["ana"])
    item = html(client.get(url)).select_one(f"#round-{running.id}")
    assert item.select_one(".expected").get_text() == "Submit your work before the deadline."
    with db.database.connection_context():
        submit(fresh(running), world["ana"], body="Mine")
    item = html(client.get(url)).select_one(f"#round-{running.id}")
    assert "Submitted. You can change it until the deadline." in item.get_text()
    auth.login(world["facilitator"])  # runs the round: nothing expected, nothing said
    page = html(client.get(url))
    assert page.select("#rounds .expected") == []


def test_the_board_of_a_round_nobody_could_be_allocated_in(client, auth, frozen_clock, world):
    round = new_round(world)
    with db.database.connection_context():
        submit(round, world["ana"], body="Alone")
        work = Submission.get(Submission.author == world["ana"].id)
    auth.login(world["facilitator"])
    board = html(client.get(f"/r/{round.id}/board")).select_one(f"#board-{round.id}")
    assert "Reviewers are allocated when reviewing begins." in board.get_text()
    assert board.find("a", href=f"/r/{round.id}/submissions/{work.id}/add-reviewer") is None

    clock.advance(days=2, minutes=1)
    board = html(client.get(f"/r/{round.id}/board")).select_one(f"#board-{round.id}")
    assert fresh(round).allocated_at is None  # a GET never allocates: it shows that it is under way
    assert "Reviewers are being allocated" in board.select_one(f"#round-{round.id}-allocating").get_text()
    background_allocation.worker(client.application).step()
    board = html(client.get(f"/r/{round.id}/board")).select_one(f"#board-{round.id}")
    assert fresh(round).allocated_at is not None
    assert "No reviewers were allocated" in board.get_text()
    assert "allocated when reviewing begins" not in board.get_text()
    link = board.find("a", href=f"/r/{round.id}/submissions/{work.id}/add-reviewer")
    assert link.get_text().startswith("add a reviewer")


def test_a_board_cell_links_to_its_review_and_says_why_it_was_flagged(client, auth, world):
    round = in_review(world)
    with db.database.connection_context():
        done = assignment_of(round, world["ana"], world["ben"])
        review = submit_review(done, review_data(done.round))
        flag_review(Review.get_by_id(review.id), world["ben"], "unkind", note="It mocks my spelling.")
        untouched = assignment_of(round, world["ben"], world["ana"])
    auth.login(world["facilitator"])
    page = html(client.get(f"/r/{round.id}/board"))
    cell = page.select_one(f"#assignment-{done.id}")
    assert cell.find("a", href=f"/a/{done.id}") is not None
    assert cell.select_one(".flag-reason").get_text() == "“It is unkind”: It mocks my spelling."
    assert page.select_one(".flag-reason") is cell.select_one(".flag-reason")  # the one flagged review
    assert page.select_one(f"#assignment-{untouched.id}").find("a", href=f"/a/{untouched.id}") is None


def test_closing_is_behind_an_explanation_and_named_for_the_phase(client, auth, world):
    round = in_review(world)
    auth.login(world["facilitator"])
    panel = html(client.get(f"/r/{round.id}")).select_one(f"#round-{round.id}-manage")
    details = panel.select_one("details.close-round")
    assert details.summary.get_text() == "Close now…" and not details.has_attr("open")
    assert "cannot be undone" in details.get_text()
    button = details.find("button", string="Close now")
    assert button.find_parent("form")["action"] == f"/r/{round.id}/close"
    assert len(panel.find_all("button", string="Close now")) == 1  # not beside Nudge any more

    clock.advance(days=4)  # past the review deadline: closed by the clock, late reviews still welcome
    panel = html(client.get(f"/r/{round.id}")).select_one(f"#round-{round.id}-manage")
    details = panel.select_one("details.close-round")
    assert details.summary.get_text() == "Stop accepting late reviews…"
    assert details.find("button", string="Stop accepting late reviews") is not None
    assert panel.find("button", string="Close now") is None
    assert client.post(f"/r/{round.id}/close").status_code == 303
    panel = html(client.get(f"/r/{round.id}")).select_one(f"#round-{round.id}-manage")
    assert panel.select_one("details.close-round") is None


def test_publish_is_offered_once_the_rubric_has_a_criterion(client, auth, frozen_clock, world):
    round = new_round(world, publish=False, criteria=())
    auth.login(world["facilitator"])
    page = html(client.get(f"/r/{round.id}/rubric"))
    assert page.find("button", string="Publish the round") is None
    # Adding the first criterion in place brings the button, with the warning about unsaved criteria.
    fragment = html(client.post(f"/r/{round.id}/rubric/criteria", headers=HTMX,
                                data=criterion_form("new-criterion")))
    button = fragment.find("button", string="Publish the round")
    assert "secondary" in button["class"]
    form = button.find_parent("form")
    assert form["action"] == f"/r/{round.id}/publish"
    assert "not saved: press “Add criterion” first" in " ".join(form.get_text().split())
    assert html(client.get(f"/r/{round.id}/rubric")).find("button", string="Publish the round") is not None


def test_the_swap_form_warns_about_a_draft_once(client, auth, world):
    round = in_review(world)
    with db.database.connection_context():
        target = assignment_of(round, world["ana"], world["ben"])
        save_review_draft(target, {"what_works": "Half a thought"})
    url = f"/r/{round.id}/assignments/{target.id}/swap"
    auth.login(world["facilitator"])
    assert "swapping deletes their draft" in html(client.get(url)).get_text()
    page = html(client.post(url, data={"reviewer": world["dee"].id}))
    assert page.select_one("#discard_draft-error") is not None
    assert "swapping deletes their draft" not in page.get_text()


def test_a_bad_deadline_from_the_round_page_shows_the_deadlines_page_at_its_address(client, auth, frozen_clock,
                                                                                     world):
    round = new_round(world)
    auth.login(world["facilitator"])
    panel = html(client.get(f"/r/{round.id}")).select_one(f"#round-{round.id}-manage")
    form = panel.find("button", string="Move deadlines").find_parent("form")
    assert form["action"] == f"/r/{round.id}/deadlines"
    boosted = {"HX-Request": "true", "HX-Boosted": "true", "HX-Current-URL": f"http://localhost/r/{round.id}"}
    response = client.post(form["action"], headers=boosted, data={
        "submission_deadline": "2026-03-04T18:00", "review_deadline": "2026-03-01T12:00", "next": f"/r/{round.id}"})
    assert response.status_code == 422 and response.headers["HX-Push-Url"] == f"/r/{round.id}/deadlines"
    assert html(response).find("h1").get_text() == "Move the deadlines"
