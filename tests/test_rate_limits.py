"""Rate limits on what costs the server or floods a circle: registration per address, posting,
previews and invitation links per account. Over a budget, the form comes back with what was typed
and a clear message (htmx gets the message alone); only what succeeded counts.
"""
import pytest

from learncircle import create_app, db
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, Invitation
from learncircle.discussions.models import Post, Thread
from tests.conftest import PASSWORD, Auth
from tests.helpers import html

HTMX = {"HX-Request": "true"}


@pytest.fixture
def app(tmp_path):
    """The usual test app with rate limits on and budgets of two (conftest's helpers use this one)."""
    app = create_app({
        "TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.sqlite3'}", "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True, "REGISTRATION": "open",
        "POSTING_LIMIT": "2 per hour", "PREVIEW_LIMIT": "2 per hour", "INVITATION_LIMIT": "2 per hour",
        "REGISTRATION_LIMIT": "2 per hour",
    })
    db.upgrade()
    yield app
    db.close_all()


@pytest.fixture
def circle_with(make_user, make_circle, add_member):
    owner = make_user("owner")
    circle = make_circle(owner)
    ana, ben = make_user("ana"), make_user("ben")
    add_member(circle, ana)
    add_member(circle, ben, FACILITATOR)
    with db.database.connection_context():
        thread = Thread.start(circle=circle, author=owner, title="Welcome", kind="discussion", body="Say hello.")
    return {"circle": circle, "thread": thread, "ana": ana, "ben": ben}


def reply(client, thread, body, key, headers=None):
    return client.post(f"/t/{thread.id}/reply", data={"body": body, "form_key": key}, headers=headers or {})


def posts_by(user):
    with db.database.connection_context():
        return Post.select().where(Post.author == user.id).count()


def test_posting_is_limited_per_account_and_the_text_is_kept(client, auth, circle_with):
    thread, ana = circle_with["thread"], auth.login(circle_with["ana"])
    assert reply(client, thread, "", "k0").status_code == 422  # refused forms cost nothing
    assert reply(client, thread, "First reply.", "k1").status_code == 303
    assert reply(client, thread, "Second reply.", "k2").status_code == 303

    response = reply(client, thread, "A third, carefully typed reply.", "k3")
    assert response.status_code == 429
    page = html(response)
    assert "posted a lot in a short time" in page.select_one("#notices").get_text()
    assert page.find("textarea", attrs={"name": "body"}).get_text().strip() == "A third, carefully typed reply."
    assert posts_by(ana) == 2

    # A new thread shares the same budget, and comes back with its title and text.
    response = client.post(f"/c/{circle_with['circle'].slug}/threads/new",
                           data={"title": "My question", "kind": "question", "body": "Why?", "form_key": "k4"})
    assert response.status_code == 429
    page = html(response)
    assert page.select_one("#thread-title")["value"] == "My question"
    assert page.select_one("#thread-body").get_text().strip() == "Why?"
    assert "posted a lot" in page.select_one("#notices").get_text()


def test_over_the_posting_budget_htmx_gets_the_message_alone(client, auth, circle_with):
    thread = circle_with["thread"]
    auth.login(circle_with["ana"])
    for number in range(2):
        assert reply(client, thread, f"Reply {number}", f"h{number}", HTMX).status_code == 200
    response = reply(client, thread, "One more", "h2", HTMX)
    assert response.status_code == 429
    page = html(response)
    assert page.select_one(".error-box p").get_text().startswith("You have posted a lot")
    assert not page.find("html")  # a fragment, not a page


def test_one_persons_budget_is_not_anothers(app, circle_with):
    thread = circle_with["thread"]
    ana_browser, ben_browser = app.test_client(), app.test_client()
    Auth(ana_browser).login(circle_with["ana"])
    Auth(ben_browser).login(circle_with["ben"])
    for number in range(2):
        assert reply(ana_browser, thread, f"Ana {number}", f"a{number}").status_code == 303
    assert reply(ana_browser, thread, "Ana again", "a2").status_code == 429
    assert reply(ben_browser, thread, "Ben here", "b0").status_code == 303


def test_previews_are_limited(client, auth, circle_with):
    auth.login(circle_with["ana"])
    for _ in range(2):
        response = client.post("/preview", data={"body": "*hi*"}, headers=HTMX)
        assert response.status_code == 200 and html(response).find("em")
    response = client.post("/preview", data={"body": "*hi*"}, headers=HTMX)
    assert response.status_code == 429
    assert "Too many previews" in html(response).select_one(".error-box p").get_text()


def test_previews_without_javascript_count_as_previews_not_posts(client, auth, circle_with):
    slug, thread = circle_with["circle"].slug, circle_with["thread"]
    auth.login(circle_with["ana"])
    form = {"title": "Draft", "kind": "discussion", "body": "*hi*", "action": "preview", "form_key": "p"}
    for _ in range(2):
        assert client.post(f"/c/{slug}/threads/new", data=form).status_code == 200
    response = client.post(f"/c/{slug}/threads/new", data=form)
    assert response.status_code == 429
    assert html(response).select_one("#thread-title")["value"] == "Draft"
    assert reply(client, thread, "Posting still works.", "k1").status_code == 303


def test_invitation_links_are_limited_and_the_choices_kept(client, auth, circle_with):
    slug = circle_with["circle"].slug
    auth.login(circle_with["ben"])
    for _ in range(2):
        response = client.post(f"/c/{slug}/invitations", data={"role": "member", "expires_in_days": "7"})
        assert response.status_code == 303
    response = client.post(f"/c/{slug}/invitations", data={"role": "member", "expires_in_days": "3",
                                                            "max_uses": "25"})
    assert response.status_code == 429
    page = html(response)
    assert "many invitation links" in page.select_one("#notices").get_text()
    assert page.select_one("#expires_in_days")["value"] == "3" and page.select_one("#max_uses")["value"] == "25"
    with db.database.connection_context():
        assert Invitation.select().count() == 2


def register(client, username, address="10.0.0.1", password=PASSWORD):
    return client.post("/register", data={"username": username, "email": f"{username}@example.org",
                                          "password": password, "confirm": password, "timezone": "UTC"},
                       environ_base={"REMOTE_ADDR": address})


def test_registrations_are_limited_per_address(app, make_user):
    make_user("admin", is_admin=True)
    assert register(app.test_client(), "short", password="x").status_code == 422  # no hash spent, no count
    for name in ("pupil1", "pupil2"):
        assert register(app.test_client(), name).status_code == 303
    response = register(app.test_client(), "pupil3")
    assert response.status_code == 429
    page = html(response)
    assert "Many accounts were created from your network" in page.select_one("main .error-box").get_text()
    assert page.select_one("#username")["value"] == "pupil3"
    assert register(app.test_client(), "pupil3", address="10.0.0.2").status_code == 303
    with db.database.connection_context():
        assert sorted(user.username for user in User.select()) == ["admin", "pupil1", "pupil2", "pupil3"]


@pytest.mark.parametrize("name, value", [("POSTING_LIMIT", "lots"), ("LOGIN_ADDRESS_LIMIT", "10 per fortnight"),
                                         ("REMEMBER_DAYS", "0"), ("SESSION_IDLE_DAYS", "two weeks")])
def test_a_limit_or_lifetime_that_cannot_work_is_refused_at_start(tmp_path, name, value):
    with pytest.raises(ValueError, match=name):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "test",
                    name: value})


BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}  # a form sent by the page's hx-boost: a whole page back


def test_over_the_invitation_budget_htmx_gets_the_message_and_a_boosted_form_its_page(client, auth, circle_with):
    slug = circle_with["circle"].slug
    auth.login(circle_with["ben"])
    for _ in range(2):
        assert client.post(f"/c/{slug}/invitations", data={"role": "member"}).status_code == 303
    short = client.post(f"/c/{slug}/invitations", data={"role": "member"}, headers=HTMX)
    assert short.status_code == 429
    assert html(short).select_one(".error-box p").get_text().startswith("You have made many invitation links")
    assert not html(short).find("html")
    boosted = client.post(f"/c/{slug}/invitations", data={"role": "member", "expires_in_days": "3"},
                          headers=BOOSTED)
    assert boosted.status_code == 429
    page = html(boosted)
    assert "many invitation links" in page.select_one("#notices").get_text()
    assert page.select_one("#expires_in_days")["value"] == "3"


def test_over_the_registration_budget_a_boosted_form_keeps_what_was_typed(app, make_user):
    make_user("admin", is_admin=True)
    browser = app.test_client()
    for name in ("pupil1", "pupil2"):
        assert register(app.test_client(), name).status_code == 303
    response = browser.post("/register", headers=BOOSTED, environ_base={"REMOTE_ADDR": "10.0.0.1"},
                            data={"username": "pupil3", "email": "pupil3@example.org", "password": PASSWORD,
                                  "confirm": PASSWORD, "timezone": "UTC"})
    assert response.status_code == 429
    page = html(response)
    assert "Many accounts were created from your network" in page.select_one("main .error-box").get_text()
    assert page.select_one("#username")["value"] == "pupil3"
    assert page.select_one("#email")["value"] == "pupil3@example.org"
