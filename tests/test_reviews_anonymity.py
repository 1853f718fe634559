"""Anonymity is real: when a round hides reviewers, nothing an author can fetch (any peer-review page or
htmx fragment, the notices, the start page, the answers to their own forms) carries a reviewer's name,
username or user id; with both sides hidden, reviewers do not learn whose work they review either;
and in an open round the names do appear (so these checks can fail).

Reviewers get user ids from 7001 up, so an id found in an attribute or the text is theirs, not some
other number on the page.
"""
import datetime as dt
import itertools
import re

import pytest
from bs4 import BeautifulSoup
from flask import url_for

from learncircle import clock, db
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, MEMBER
from learncircle.reviews.allocating import add_reviewer, swap_reviewer
from learncircle.reviews.board import nudge
from learncircle.reviews.models import Assignment, Criterion, Review, ReviewRound, Submission
from learncircle.reviews.reviewing import submit_review
from learncircle.reviews.submitting import submit

HX = {"HX-Request": "true"}
GOOD = "The argument is easy to follow and every claim has an example."
BETTER = "Cut the second paragraph: it repeats the first and hides your best point."
DISTINCT_IDS_FROM = 7000
# Names that occur nowhere else, so finding one anywhere is a leak.
HIDDEN_PEOPLE = (("zephyrq", "Zephyr Quillfeather"), ("marlowb", "Marlow Briskwater"), ("thistlew", "Thistle Wickham"))


def jump_user_ids():
    """Make the next accounts' ids start at 7001 (SQLite numbers a new row after the largest id)."""
    User.insert(id=DISTINCT_IDS_FROM, username="idgap", email="idgap@example.org", display_name="Id Gap",
                password_hash="-", session_token="-").execute()


def settings(**overrides):
    now = clock.now()
    data = dict(title="Essay one", brief="Write about a tool you use.", submission_format="text",
                reviews_per_submission=2, reviewer_pool="submitters", anonymity="reviewers_hidden",
                submission_deadline=now + dt.timedelta(days=2), review_deadline=now + dt.timedelta(days=5),
                accept_late=True, results_release="after_close", min_prompt_length=20)
    data.update(overrides)
    return data


def new_round(circle, by, **overrides):
    round = ReviewRound.create_round(circle=circle, created_by=by, data=settings(**overrides))
    round.add_criterion({"name": "Clarity", "description": "Can a newcomer follow it?", "kind": "scale",
                         "levels": ["Hard to follow", "Mostly clear", "Crystal clear"]})
    round.add_criterion({"name": "Sources", "kind": "comments"})
    round.publish()
    return round


def review_data(round, level=2):
    clarity, sources = round.rubric()
    return {"what_works": GOOD, "could_be_better": BETTER, "levels": {clarity.id: level},
            "comments": {clarity.id: "Clear headings.", sources.id: "Cite the manual."}}


def review_form(round):
    clarity, sources = round.rubric()
    return {"what_works": GOOD, "could_be_better": BETTER, f"level-{clarity.id}": "2",
            f"comment-{clarity.id}": "Clear.", f"comment-{sources.id}": "Cite it."}


# ---- finding identities -------------------------------------------------------------------------

def identity_leaks(response, people):
    """Every place the response names one of people: name, username or user id, in text, attributes or headers."""
    body = response.get_data(as_text=True)
    lowered = body.lower()
    doc = BeautifulSoup(body, "html.parser")
    visible = doc.get_text(" ")
    leaks = []
    for person in people:
        words = {person.username, person.display_name, *person.display_name.split()}
        leaks += [f"the words {word!r}" for word in words if word.lower() in lowered]
        number = re.compile(rf"(?<![\w]){person.id}(?![\w])")
        leaks += [f"user-{person.id}" for marker in (f"user-{person.id}", f"user_{person.id}") if marker in lowered]
        if number.search(visible):
            leaks.append(f"id {person.id} in the text")
        for tag in doc.find_all(True):
            for name, value in tag.attrs.items():
                value = " ".join(value) if isinstance(value, list) else str(value)
                if number.search(name) or number.search(value) or value == str(person.id):
                    leaks.append(f"id {person.id} in <{tag.name} {name}={value!r}>")
        for header, value in response.headers.items():
            if number.search(value) or person.username in value.lower():
                leaks.append(f"{person.username} in the {header} header")
    return leaks


def get_urls(app, candidates):
    """Every reviews.* GET route, with every combination of the given argument values."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("reviews.") or "GET" not in rule.methods:
                continue
            names = sorted(rule.arguments)
            for values in itertools.product(*(candidates[name] for name in names)):
                urls.append(url_for(rule.endpoint, **dict(zip(names, values))))
        urls += [url_for("circles.home"), url_for("circles.circle", slug=candidates["slug"][0])]
    return urls


def fetch_everything(client, urls):
    """GET each URL as a page and as an htmx fragment; return (url, response) pairs, none a server error."""
    answers = []
    for url in urls:
        for headers in ({}, HX):
            response = client.get(url, headers=headers)
            assert response.status_code < 500, url
            answers.append((url, response))
    return answers


def candidates_for(round):
    assignments = list(Assignment.select().where(Assignment.round == round))
    return {
        "round_id": [round.id], "slug": [round.circle.slug],
        "submission_id": [s.id for s in Submission.select().where(Submission.round == round)],
        "assignment_id": [a.id for a in assignments],
        "review_id": [r.id for r in Review.select().where(Review.assignment.in_([a.id for a in assignments]))],
        "criterion_id": [c.id for c in Criterion.select().where(Criterion.round == round)],
    }


def assert_nothing_names(answers, people):
    found = {f"{url} ({response.status_code})": leaks for url, response in answers
             if (leaks := identity_leaks(response, people))}
    assert found == {}


# ---- the worlds ---------------------------------------------------------------------------------

@pytest.fixture
def circle_world(app, frozen_clock, make_user, make_circle, add_member):
    """An author (ana), two members whose work she reviews, a facilitator, and three hidden reviewers."""
    owner = make_user("olga", display_name="Olga Owner")
    circle = make_circle(owner)
    facilitator = make_user("fred", display_name="Fred Facilitator")
    add_member(circle, facilitator, FACILITATOR)
    ana, pia, raj = (make_user(name, display_name=f"{name.title()} Plain") for name in ("ana", "pia", "raj"))
    for person in (ana, pia, raj):
        add_member(circle, person, MEMBER)
    jump_user_ids()
    hidden = [make_user(username, display_name=name) for username, name in HIDDEN_PEOPLE]
    for person in hidden:
        add_member(circle, person, MEMBER)
    assert all(person.id > DISTINCT_IDS_FROM for person in hidden)
    yield {"circle": circle, "owner": owner, "facilitator": facilitator, "ana": ana, "pia": pia, "raj": raj,
           "hidden": hidden}
    if not db.database.is_closed():
        db.database.close()


def run_round_for_ana(world, **overrides):
    """ana, pia and raj submit; ana's work goes to the three hidden reviewers, ana reviews pia and raj."""
    ana, pia, raj = world["ana"], world["pia"], world["raj"]
    round = new_round(world["circle"], world["facilitator"], **overrides)
    for person in (ana, pia, raj):
        submit(round, person, body=f"# Work by {person.username}\n\nMy essay.")
    round.start_reviewing_now()
    mine = Submission.get((Submission.round == round) & (Submission.author == ana))
    first, second = Assignment.select().where(Assignment.submission == mine).order_by(Assignment.id)
    z, m, t = world["hidden"]
    swap_reviewer(first, z, url="/somewhere")
    swap_reviewer(second, m, url="/somewhere")
    add_reviewer(mine, t, url="/somewhere")
    nudge(round, url=f"/r/{round.id}")  # ana gets a reminder too: she has reviews to write
    for assignment in Assignment.select().where(Assignment.submission == mine):
        submit_review(assignment, review_data(round))
    return ReviewRound.get_by_id(round.id), mine


# ---- reviewers hidden from authors --------------------------------------------------------------

def test_nothing_an_author_can_fetch_names_their_reviewers(app, circle_world, client, auth):
    world = circle_world
    round, mine = run_round_for_ana(world)
    ana, hidden = world["ana"], world["hidden"]
    assert {a.reviewer_id for a in Assignment.select().where(Assignment.submission == mine)} == {p.id for p in hidden}
    auth.login(ana)

    # While reviewing: ana writes her own reviews through the form (a fragment, then a page).
    answers = []
    for assignment in list(Assignment.select().where((Assignment.round == round) & (Assignment.reviewer == ana))):
        answers.append(("draft", client.post(f"/a/{assignment.id}/draft", data={"what_works": "Hmm"}, headers=HX)))
        answers.append(("submit", client.post(f"/a/{assignment.id}/submit", data=review_form(round),
                                              follow_redirects=True)))
    urls = get_urls(app, candidates_for(round))
    answers += fetch_everything(client, urls)
    assert client.get(f"/r/{round.id}/export.csv").status_code == 403

    clock.advance(days=5)  # closed: ana reads her results and answers them
    answers += fetch_everything(client, urls)
    page = client.get(f"/s/{mine.id}")
    assert len(BeautifulSoup(page.get_data(as_text=True), "html.parser").select(".review-result")) == 3
    reviews = list(Review.select().join(Assignment).where(Assignment.submission == mine))
    for review in reviews:
        answers += [
            ("rate 422", client.post(f"/reviews/{review.id}/rate", data={"helpfulness": "0"})),
            ("rate", client.post(f"/reviews/{review.id}/rate", data={"helpfulness": "4", "helpfulness_note": "Thanks"},
                                 follow_redirects=True)),
            ("rate htmx", client.post(f"/reviews/{review.id}/rate", data={"helpfulness": "5"}, headers=HX)),
        ]
    answers += [
        ("flag 422", client.post(f"/reviews/{reviews[0].id}/flag", data={"reason": ""}, headers=HX)),
        ("flag", client.post(f"/reviews/{reviews[0].id}/flag", data={"reason": "Unkind words."},
                             follow_redirects=True)),
        ("plan", client.post(f"/s/{mine.id}/plan", data={"body": "Shorter intro."}, follow_redirects=True)),
        ("plan htmx", client.post(f"/s/{mine.id}/plan", data={"body": "More examples."}, headers=HX)),
        ("export", client.get(f"/r/{round.id}/export.csv")),
    ]
    answers += fetch_everything(client, urls)
    assert all(r.status_code < 500 for _, r in answers)
    assert_nothing_names(answers, hidden)
    assert Review.get_by_id(reviews[0].id).is_flagged and mine.revision_plan().body == "More examples."

    # The same pages carry the names to a facilitator, so the search above looks in the right places.
    auth.login(world["facilitator"])
    assert identity_leaks(client.get(f"/s/{mine.id}"), hidden)


def test_in_an_open_round_authors_see_who_reviewed_them(app, circle_world, client, auth):
    world = circle_world
    round, mine = run_round_for_ana(world, anonymity="open")
    clock.advance(days=5)
    auth.login(world["ana"])
    page = client.get(f"/s/{mine.id}")
    text = BeautifulSoup(page.get_data(as_text=True), "html.parser").get_text(" ")
    assert all(name in text for _, name in HIDDEN_PEOPLE)
    assert identity_leaks(page, world["hidden"])


# ---- both hidden: reviewers do not learn whose work they review -----------------------------------

def test_with_both_hidden_reviewers_never_see_whose_work_it_is(app, frozen_clock, make_user, make_circle, add_member,
                                                                client, auth):
    owner = make_user("olga", display_name="Olga Owner")
    circle = make_circle(owner)
    jump_user_ids()
    people = [make_user(username, display_name=name) for username, name in
              (*HIDDEN_PEOPLE, ("orionv", "Orion Valeport"))]
    for person in people:
        add_member(circle, person, MEMBER)
    round = new_round(circle, owner, anonymity="both_hidden", results_release="as_arrive")
    for person in people:
        submit(round, person, body=f"My essay, {len(person.username)} letters in my name.")
    round.start_reviewing_now()
    round = ReviewRound.get_by_id(round.id)
    viewer, others = people[0], people[1:]
    own = list(Assignment.select().where((Assignment.round == round) & (Assignment.reviewer == viewer)))
    assert len(own) == 2
    for a in Assignment.select().where((Assignment.round == round) & (Assignment.reviewer != viewer)):
        submit_review(a, review_data(round))

    auth.login(viewer)
    answers = [("draft", client.post(f"/a/{own[0].id}/draft", data={"what_works": "Hmm"}, headers=HX)),
               ("draft page", client.post(f"/a/{own[0].id}/draft", data={"what_works": "Hmm"},
                                          follow_redirects=True)),
               ("submit 422", client.post(f"/a/{own[0].id}/submit", data={"what_works": "Short"})),
               ("submit", client.post(f"/a/{own[1].id}/submit", data=review_form(round), follow_redirects=True))]
    answers += fetch_everything(client, get_urls(app, candidates_for(round)))
    page = client.get(f"/a/{own[0].id}")
    assert page.status_code == 200 and "Submission" in BeautifulSoup(page.get_data(as_text=True), "html.parser").h1.text
    assert_nothing_names(answers, others)

    # A manager's view of the same review names the author, so the search can find names there.
    auth.login(owner)
    assert identity_leaks(client.get(f"/s/{own[0].submission_id}"), others)
