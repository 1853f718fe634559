"""Anonymity is real: when a round hides reviewers, nothing an author can fetch (any peer-review page or
htmx fragment, the notices, the start page, the answers to their own forms) carries a reviewer's name,
username or user id; with both sides hidden, reviewers do not learn whose work they review either;
and in an open round the names do appear (so these checks can fail).

Reviewers get user ids from 7001 up, so an id found in an attribute or the text is theirs, not some
other number on the page.
"""
import itertools
import re

import pytest
from bs4 import BeautifulSoup
from flask import url_for

from learncircle import clock
from learncircle.accounts.models import User
from learncircle.circles.models import MEMBER
from learncircle.reviews.allocation import add_reviewer, swap_reviewer
from learncircle.reviews.board import nudge
from learncircle.reviews.models import Assignment, Criterion, Review, ReviewRound, Submission
from learncircle.reviews.reviewing import submit_review
from learncircle.reviews.submitting import submit
from tests.fixtures_reviews import make_round, review_data, review_form, start_reviewing

HX = {"HX-Request": "true"}
DISTINCT_IDS_FROM = 7000
# Names that occur nowhere else, so finding one anywhere is a leak.
HIDDEN_PEOPLE = (("zephyrq", "Zephyr Quillfeather"), ("marlowb", "Marlow Briskwater"), ("thistlew", "Thistle Wickham"))


def jump_user_ids():
    """Make the next accounts' ids start at 7001 (SQLite numbers a new row after the largest id)."""
    User.insert(id=DISTINCT_IDS_FROM, username="idgap", email="idgap@example.org", display_name="Id Gap",
                password_hash="-", session_token="-").execute()


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
    """Every peer-review and notices GET route, with every combination of the given argument values."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith(("reviews_", "notices.")) or "GET" not in rule.methods:
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


# ---- people whose names must never leak ------------------------------------------------------

@pytest.fixture
def hidden_reviewers(world, make_user, add_member):
    """Three more members of the world's circle, whose names occur nowhere else, to review Ana's work."""
    jump_user_ids()
    hidden = [make_user(username, display_name=name) for username, name in HIDDEN_PEOPLE]
    for person in hidden:
        add_member(world["circle"], person, MEMBER)
    assert all(person.id > DISTINCT_IDS_FROM for person in hidden)
    return hidden


def run_round_for_ana(world, hidden, **overrides):
    """Ana, Ben and Cai submit; Ana's work goes to the three hidden reviewers, Ana reviews Ben and Cai."""
    ana, ben, cai = world["members"][:3]
    round = make_round(world["circle"], world["facilitator"], **{"results_release": "after_close", **overrides})
    for person in (ana, ben, cai):
        submit(round, person, body=f"# Work by {person.username}\n\nMy essay.")
    start_reviewing(round)
    mine = Submission.get((Submission.round == round) & (Submission.author == ana))
    first, second = Assignment.select().where(Assignment.submission == mine).order_by(Assignment.id)
    z, m, t = hidden
    swap_reviewer(first, z, url="/somewhere")
    swap_reviewer(second, m, url="/somewhere")
    add_reviewer(mine, t, url="/somewhere")
    nudge(round, url=f"/r/{round.id}")  # ana gets a reminder too: she has reviews to write
    for assignment in Assignment.select().where(Assignment.submission == mine):
        submit_review(assignment, review_data(round))
    return ReviewRound.get_by_id(round.id), mine


# ---- reviewers hidden from authors --------------------------------------------------------------

def test_nothing_an_author_can_fetch_names_their_reviewers(app, world, hidden_reviewers, client, auth):
    round, mine = run_round_for_ana(world, hidden_reviewers)
    ana, hidden = world["ana"], hidden_reviewers
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
        ("flag 422", client.post(f"/reviews/{reviews[0].id}/flag", data={}, headers=HX)),
        ("flag", client.post(f"/reviews/{reviews[0].id}/flag", data={
            f"review-{reviews[0].id}-flag-reason": "unkind", f"review-{reviews[0].id}-flag-note": "Unkind words."},
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


def test_in_an_open_round_authors_see_who_reviewed_them(app, world, hidden_reviewers, client, auth):
    round, mine = run_round_for_ana(world, hidden_reviewers, anonymity="open")
    clock.advance(days=5)
    auth.login(world["ana"])
    page = client.get(f"/s/{mine.id}")
    text = BeautifulSoup(page.get_data(as_text=True), "html.parser").get_text(" ")
    assert all(name in text for _, name in HIDDEN_PEOPLE)
    assert identity_leaks(page, hidden_reviewers)


# ---- both hidden: reviewers do not learn whose work they review -----------------------------------

def test_with_both_hidden_reviewers_never_see_whose_work_it_is(app, world, hidden_reviewers, make_user, add_member,
                                                                client, auth):
    owner = world["owner"]
    orion = make_user("orionv", display_name="Orion Valeport")
    add_member(world["circle"], orion, MEMBER)
    people = [*hidden_reviewers, orion]
    round = make_round(world["circle"], owner, anonymity="both_hidden")
    for person in people:
        submit(round, person, body=f"My essay, {len(person.username)} letters in my name.")
    start_reviewing(round)
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
