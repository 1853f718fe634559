"""Circles: the start page, starting a circle, the circle home, who may see it, and its settings."""
import logging

import pytest

from learncircle import db
from learncircle.accounts.models import User
from learncircle.circles.models import DEFAULT_CONDUCT, FACILITATOR, MEMBER, OWNER, PRIVATE, PUBLIC, Circle, Membership
from learncircle.discussions.models import QUESTION, Thread
from tests.conftest import PASSWORD
from tests.helpers import PSEUDO_LANGUAGE, html, pseudo_language_app

VALID = {"name": "Rust Study Group", "slug": "", "purpose": "Learn Rust together by building small tools.",
         "goals": "Ship **one** tool each.", "conduct": DEFAULT_CONDUCT, "visibility": PUBLIC}


def field_error(page, field_id):
    error = page.find(id=f"{field_id}-error")
    return error.get_text(" ", strip=True) if error else None


# ---- start page ---------------------------------------------------------------------------------

def test_anonymous_start_page_welcomes_and_offers_login(client, make_user):
    make_user()
    page = html(client.get("/"))
    assert "learning communities" in page.find("main").get_text()
    main_links = {a.get_text(strip=True): a["href"] for a in page.find("main").find_all("a")}
    assert main_links["Log in"] == "/login"
    assert "Create an account" not in main_links  # registration is by invitation by default


def test_anonymous_start_page_offers_register_when_registration_is_open(app, client, make_user):
    make_user()
    app.config["REGISTRATION"] = "open"
    links = {a.get_text(strip=True): a["href"] for a in html(client.get("/")).find("main").find_all("a")}
    assert links["Create an account"] == "/register"


def test_start_page_lists_my_circles_with_role_and_public_circles_to_join(client, auth, make_user, make_circle,
                                                                           add_member):
    me = auth.login(make_user("ada"))
    mine = make_circle(me, name="Compilers", visibility=PRIVATE, purpose="Write a compiler in ten weeks.")
    theirs = make_circle(name="Poetry", visibility=PUBLIC, purpose="Read one poem a day.")
    joined = make_circle(name="Chess", visibility=PUBLIC, purpose="Improve our endgames.")
    add_member(joined, me, FACILITATOR)
    make_circle(name="Secret", visibility=PRIVATE)

    page = html(client.get("/"))
    rows = page.find(id="my-circles").find_all("li")
    assert [(r.find("a").get_text(), r.find(class_="badge").get_text(), r.find(class_="purpose").get_text())
            for r in rows] == [("Chess", FACILITATOR, "Improve our endgames."),
                               ("Compilers", OWNER, "Write a compiler in ten weeks.")]
    assert rows[1].find("a")["href"] == f"/c/{mine.slug}"
    public = page.find(id="public-circles")
    assert [a.get_text() for a in public.find_all("a", class_="title")] == ["Poetry"]
    assert public.find("a", string="Join")["href"] == f"/c/{theirs.slug}/join"
    assert page.find("a", string="Start a circle")["href"] == "/circles/new"


def test_public_circles_are_paginated_and_htmx_gets_the_list_alone(client, auth, make_user, make_circle):
    auth.login(make_user())
    owner = make_user()
    for n in range(26):
        make_circle(owner, name=f"Circle {n:02d}", visibility=PUBLIC)
    first = html(client.get("/")).find(id="public-circles")
    assert len(first.find_all("a", class_="title")) == 25
    assert first.find("a", string="Next")["href"] == "/?page=2"
    response = client.get("/?page=2", headers={"HX-Request": "true"})
    fragment = html(response)
    assert fragment.find("html") is None and fragment.find(id="public-circles") is not None
    assert len(fragment.find_all("a", class_="title")) == 1
    assert client.get("/?page=zero").status_code == 404


# ---- starting a circle --------------------------------------------------------------------------

def test_new_circle_needs_sign_in(client, make_user):
    make_user()
    response = client.get("/circles/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_new_circle_form_is_prefilled_with_the_default_conduct_and_private(client, auth, make_user):
    auth.login(make_user())
    page = html(client.get("/circles/new"))
    assert page.find("textarea", id="conduct").get_text().strip() == DEFAULT_CONDUCT.strip()
    assert page.find("input", {"name": "visibility", "value": PRIVATE}).has_attr("checked")
    assert page.find("label", attrs={"for": "purpose"}).get_text() == "Purpose"


def test_create_circle_derives_the_slug_and_makes_the_creator_owner(client, auth, make_user):
    ada = auth.login(make_user("ada"))
    response = client.post("/circles/new", data=VALID)
    assert response.status_code == 303 and response.headers["Location"] == "/c/rust-study-group"
    circle = Circle.by_slug("rust-study-group")
    assert circle.purpose == VALID["purpose"] and circle.is_public and circle.member_count == 1
    assert "<strong>one</strong>" in circle.goals_html
    assert Membership.of(ada, circle).role == OWNER
    # The same name again gets the next free address.
    assert client.post("/circles/new", data=VALID).headers["Location"] == "/c/rust-study-group-2"


def test_create_circle_keeps_a_chosen_slug_lowercased(client, auth, make_user):
    auth.login(make_user())
    response = client.post("/circles/new", data={**VALID, "slug": "Rustaceans"})
    assert response.headers["Location"] == "/c/rustaceans"


def test_a_name_that_is_a_reserved_word_gets_another_slug(client, auth, make_user):
    auth.login(make_user())
    response = client.post("/circles/new", data={**VALID, "name": "New"})
    assert response.headers["Location"] == "/c/new-circle"


def test_duplicate_slug_is_refused_with_the_values_kept(client, auth, make_user, make_circle):
    make_circle(slug="rust")
    auth.login(make_user())
    response = client.post("/circles/new", data={**VALID, "slug": "rust", "name": "Another Rust group"})
    assert response.status_code == 422
    page = html(response)
    assert field_error(page, "slug").startswith("That address is taken")
    assert page.find("input", id="slug")["aria-invalid"] == "true"
    assert page.find("input", id="name")["value"] == "Another Rust group"
    assert page.find("input", id="purpose")["value"] == VALID["purpose"]
    assert page.find("textarea", id="goals").get_text().strip() == VALID["goals"]
    assert Circle.select().count() == 1


@pytest.mark.parametrize("changes, field, message", [
    ({"purpose": ""}, "purpose", "one sentence"),
    ({"purpose": "Learn Rust. Then build tools together."}, "purpose", "one sentence"),
    ({"purpose": "x" * 301}, "purpose", "300"),
    ({"name": "  "}, "name", "name"),
    ({"name": "n" * 101}, "name", "100"),
    ({"slug": "Bad Slug!"}, "slug", "lower-case"),
    ({"slug": "-edge-"}, "slug", "lower-case"),
    ({"slug": "settings"}, "slug", "reserved"),
    ({"slug": "a" * 61}, "slug", "60"),
    ({"conduct": ""}, "conduct", "code of conduct"),
    ({"goals": "g" * 20_001}, "goals", "20000"),
    ({"visibility": "secret"}, "visibility", "valid choice"),
])
def test_invalid_circle_is_refused_with_a_message(client, auth, make_user, changes, field, message):
    auth.login(make_user())
    response = client.post("/circles/new", data={**VALID, **changes})
    assert response.status_code == 422
    assert message.lower() in field_error(html(response), field).lower()
    assert Circle.select().count() == 0


def test_a_purpose_may_mention_an_abbreviation(client, auth, make_user):
    auth.login(make_user())
    purpose = "Read Dr. Knuth's books, e.g. TAOCP, slowly."
    response = client.post("/circles/new", data={**VALID, "purpose": purpose})
    assert response.status_code == 303
    assert Circle.get().purpose == purpose  # whole, not cut at an abbreviation's full stop
    assert html(client.get(response.headers["Location"])).find("main").find(class_="purpose").get_text() == purpose


# ---- circle home --------------------------------------------------------------------------------

def test_circle_home_shows_purpose_and_goals_before_the_threads(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    Thread.start(circle=circle, author=people[MEMBER], title="How do lifetimes work?", kind=QUESTION, body="Help")
    auth.login(people[MEMBER])
    page = html(client.get(f"/c/{circle.slug}"))
    main = page.find("main")
    purpose = main.find(class_="purpose")
    assert purpose.get_text() == circle.purpose
    thread_link = main.find("a", string="How do lifetimes work?")
    assert thread_link is not None
    order = [element for element in main.descendants if element in (purpose, thread_link)]
    assert order == [purpose, thread_link]
    assert "Ship one tool each." in main.find(class_="goals").get_text()
    assert "3 members" in main.get_text() and "You are a member" in main.get_text()


def test_circle_home_actions_follow_the_role(client, auth, roles):
    people = roles(PUBLIC)
    slug = people["circle"].slug

    def actions(who):
        auth.login(people[who])
        page = html(client.get(f"/c/{slug}"))
        return {element.get_text(strip=True) for element in page.select(".actions a, .actions button")}

    assert {"New thread", "Members", "Invitations", "Settings"} <= actions(OWNER)
    assert {"New thread", "Members", "Invitations"} <= actions(FACILITATOR)
    assert "Settings" not in actions(FACILITATOR)
    assert actions(MEMBER) & {"Invitations", "Settings"} == set()
    assert {"New thread", "Members"} <= actions(MEMBER)
    # Leaving is no button among the everyday actions: a link beside one's role, to a confirmation.
    for who in (OWNER, FACILITATOR, MEMBER, "outsider"):
        assert "Leave circle" not in actions(who)
        auth.login(people[who])
        leave = html(client.get(f"/c/{slug}")).find("a", string="Leave circle")
        assert (leave is not None) == (who in (FACILITATOR, MEMBER)), who
        if leave is not None:
            assert leave["href"] == f"/c/{slug}/leave" and leave.find_parent(class_="meta") is not None
    # Whoever reads the circle finds its code of conduct and moderation log; its moderators, the review queue.
    assert actions("outsider") == {"Join this circle", "Code of conduct and moderation log", "Meetings"}
    assert actions("admin") == {"Join this circle", "Members", "Peer review", "Code of conduct and moderation log",
                                "Review queue", "Meetings"}  # the admin may join a public circle too, and moderates it
    assert "Review queue" in actions(FACILITATOR) and "Review queue" not in actions(MEMBER)
    assert "Peer review" in actions(MEMBER)


def test_circle_home_thread_list_paginates_as_an_htmx_fragment(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    for n in range(26):
        Thread.start(circle=circle, author=people[OWNER], title=f"Thread {n:02d}", kind="discussion", body="b")
    auth.login(people[MEMBER])
    response = client.get(f"/c/{circle.slug}?page=2", headers={"HX-Request": "true"})
    fragment = html(response)
    assert fragment.find("html") is None and fragment.find(class_="purpose") is None
    assert fragment.find("a", string="Thread 00") is not None  # the oldest is alone on page two
    assert "HX-Request" in response.headers["Vary"]


def test_circle_home_needs_few_queries(client, auth, roles, caplog):
    people = roles(PUBLIC)
    circle = people["circle"]
    for n in range(5):
        Thread.start(circle=circle, author=people[MEMBER], title=f"Thread {n}", kind="discussion", body="b")
    auth.login(people[MEMBER])
    client.get(f"/c/{circle.slug}")  # the instance's one-time "any account yet?" check is behind us
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        assert client.get(f"/c/{circle.slug}").status_code == 200
    selects = [r for r in caplog.records if r.name == "peewee" and "SELECT" in r.getMessage()]
    # the session's user, the circle, the membership, the threads with authors, what waits for the member
    # in the circle's review rounds, the unread-notices count
    assert len(selects) <= 6


@pytest.mark.parametrize("visibility, expected", [
    (PUBLIC, {"outsider": 200, MEMBER: 200, FACILITATOR: 200, OWNER: 200, "admin": 200}),
    (PRIVATE, {"outsider": 404, MEMBER: 200, FACILITATOR: 200, OWNER: 200, "admin": 200}),
])
def test_who_may_see_a_circle(client, auth, roles, visibility, expected):
    people = roles(visibility)
    seen = {}
    for who in expected:
        auth.login(people[who])
        seen[who] = client.get(f"/c/{people['circle'].slug}").status_code
    assert seen == expected


def test_anonymous_visitors_log_in_for_public_circles_and_never_see_private_ones(client, roles, make_circle):
    public = roles(PUBLIC)["circle"]
    private = make_circle(name="Hidden", visibility=PRIVATE)
    response = client.get(f"/c/{public.slug}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(f"/c/{private.slug}").status_code == 404
    assert client.get("/c/no-such-circle").status_code == 404


# ---- settings -----------------------------------------------------------------------------------

@pytest.mark.parametrize("visibility, expected", [
    (PUBLIC, {FACILITATOR: 403, MEMBER: 403, "outsider": 403, "admin": 403, OWNER: 200}),
    (PRIVATE, {FACILITATOR: 403, MEMBER: 403, "outsider": 404, "admin": 403, OWNER: 200}),
])
def test_only_the_owner_may_change_settings(client, auth, roles, visibility, expected):
    people = roles(visibility)
    circle = people["circle"]
    for who, status in expected.items():  # the owner comes last: their change must be the only one
        auth.login(people[who])
        assert client.get(f"/c/{circle.slug}/settings").status_code == status, who
        posted = client.post(f"/c/{circle.slug}/settings", data={**VALID, "slug": circle.slug, "name": f"By {who}"})
        assert posted.status_code == (303 if who == OWNER else status), who
        assert Circle.get_by_id(circle.id).name == ("By owner" if who == OWNER else "Rust Study Group")


def test_settings_edit_everything_and_move_the_address(client, auth, roles):
    people = roles(PUBLIC)
    auth.login(people[OWNER])
    slug = people["circle"].slug
    page = html(client.get(f"/c/{slug}/settings"))
    assert page.find("input", id="slug")["value"] == slug
    response = client.post(f"/c/{slug}/settings", data={
        "name": "Rust Readers", "slug": "rust-readers", "purpose": "Read the Rust book together.",
        "goals": "Finish *chapter 10*.", "conduct": "Be kind.", "visibility": PRIVATE})
    circle = Circle.get_by_id(people["circle"].id)
    # Made private, its address gets a random ending after the one typed.
    assert circle.slug.startswith("rust-readers-") and len(circle.slug) == len("rust-readers-") + 8
    assert response.status_code == 303 and response.headers["Location"] == f"/c/{circle.slug}"
    assert (circle.name, circle.visibility) == ("Rust Readers", PRIVATE)
    assert "<em>chapter 10</em>" in circle.goals_html and circle.conduct_html == "<p>Be kind.</p>\n"
    assert client.get(f"/c/{slug}").status_code == 404


def test_settings_refuse_a_taken_slug_and_keep_what_was_typed(client, auth, roles, make_circle):
    people = roles(PUBLIC)
    make_circle(name="Other", slug="taken")
    auth.login(people[OWNER])
    slug = people["circle"].slug
    response = client.post(f"/c/{slug}/settings", data={**VALID, "name": "Renamed", "slug": "taken"})
    assert response.status_code == 422
    page = html(response)
    assert field_error(page, "slug").startswith("That address is taken")
    assert page.find("input", id="name")["value"] == "Renamed"
    circle = Circle.get_by_id(people["circle"].id)
    assert (circle.name, circle.slug) == ("Rust Study Group", slug)


def test_circle_pages_speak_the_readers_language_but_keep_the_circles_own_words(tmp_path):
    """The code of conduct a new circle is offered, role badges and counted members are in the reader's
    language; a circle's name and stored code of conduct are its own."""
    app = pseudo_language_app(tmp_path)
    try:
        with db.database.connection_context():
            ada = User.register(username="ada", email="ada@example.org", password=PASSWORD)
            ben = User.register(username="ben", email="ben@example.org", password=PASSWORD)
            circle = Circle.found(owner=ada, name="Rust Study Group", slug="rust", purpose="Learn Rust.",
                                  visibility=PUBLIC)
            Membership.join(user=ben, circle=circle)
        client = app.test_client()
        assert client.post("/login", data={"login": "ada", "password": PASSWORD}).status_code == 303
        ru = {"Accept-Language": PSEUDO_LANGUAGE}

        offered = html(client.get("/circles/new", headers=ru)).find("textarea", id="conduct").get_text().strip()
        assert offered.startswith("⟦We are here to learn together.")
        assert "\n1. ⟦**Be kind and assume good intent.**" in offered

        start = html(client.get("/", headers=ru))
        assert [badge.get_text() for badge in start.select("#my-circles .badge")] == ["⟦owner⟧"]
        home = html(client.get("/c/rust", headers=ru))
        assert home.find("h1").get_text(strip=True) == "Rust Study Group"
        assert " ".join(home.find("p", class_="meta").get_text().split()) == "⟦2 members⟧ · ⟦You are the owner⟧"
        with db.database.connection_context():
            assert Circle.by_slug("rust").conduct == DEFAULT_CONDUCT  # stored: the circle's own words

        roster = html(client.get("/c/rust/members", headers=ru))
        ben_row = roster.find("a", string="ben").find_parent("li")
        assert ben_row.find(class_="badge").get_text() == "⟦member⟧"
        assert "⟦Make facilitator⟧" in [button.get_text() for button in ben_row.find_all("button")]
    finally:
        db.close_all()
