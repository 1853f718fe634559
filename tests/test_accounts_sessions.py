"""Sessions are rows: signing out ends one for good, changing the password and signing out everywhere
else end every other one (remembered ones too), and unused or old sessions end by themselves."""
import datetime as dt

import pytest

from learncircle import db
from learncircle.accounts import sessions
from learncircle.accounts.models import User
from learncircle.accounts.sessions import LoginSession, describe_browser
from learncircle.circles.models import PRIVATE
from learncircle.discussions.models import Post, Thread
from tests.conftest import PASSWORD
from tests.helpers import PSEUDO_LANGUAGE, html, pseudo_language_app

NEW_PASSWORD = "a brand new passphrase"


FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.5 Mobile/15E148 Safari/604.1")


def log_in(app, login="alice", password=PASSWORD, remember=False, user_agent=None):
    """A browser that went through the login form; None when the login failed."""
    client = app.test_client()
    data = {"login": login, "password": password}
    if remember:
        data["remember"] = "y"
    headers = {"User-Agent": user_agent} if user_agent else {}
    if user_agent:
        client.environ_base["HTTP_USER_AGENT"] = user_agent
    return client if client.post("/login", data=data, headers=headers).status_code == 303 else None


def is_signed_in(client):
    return client.get("/settings/profile").status_code == 200


def only_remembered(app, client):
    """A browser holding nothing but the remember-me cookie of client (it was closed and reopened)."""
    reopened = app.test_client()
    reopened.set_cookie("remember_token", client.get_cookie("remember_token").value)
    return reopened


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post("/settings/password", data={"current_password": current, "new_password": new,
                                                   "confirm": new if confirm is None else confirm})


@pytest.mark.parametrize("current, new, confirm, field, message", [
    ("not my password", NEW_PASSWORD, None, "current_password", "not your current password"),
    ("", NEW_PASSWORD, None, "current_password", "current password"),
    (PASSWORD, "short", None, "new_password", "at least 8"),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + " ", "confirm", "not the same"),
])
def test_a_password_change_needs_the_current_one_and_the_new_one_twice(app, alice, current, new, confirm,
                                                                     field, message):
    acting, other = log_in(app), log_in(app)
    response = change_password(acting, current, new, confirm)
    assert response.status_code == 422
    page = html(response)
    assert message in page.select_one(f"#{field}-error").get_text()
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    assert is_signed_in(acting) and is_signed_in(other)
    assert log_in(app, password=PASSWORD) is not None
    assert log_in(app, password=new) is None


def test_changing_the_password_ends_every_other_session(app, alice):
    acting, other = log_in(app), log_in(app)
    remembered = log_in(app, remember=True)
    assert is_signed_in(only_remembered(app, remembered))

    response = change_password(acting)
    assert response.status_code == 303 and response.headers["Location"] == "/settings/password"
    assert "Every other session" in html(acting.get("/settings/password")).select_one("#notices").get_text()

    assert is_signed_in(acting)
    response = other.get("/settings/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert not is_signed_in(remembered)
    assert not is_signed_in(only_remembered(app, remembered))
    assert log_in(app, password=NEW_PASSWORD) is not None
    assert log_in(app, password=PASSWORD) is None


def test_a_remembered_browser_that_changes_the_password_stays_remembered(app, alice):
    acting = log_in(app, remember=True)
    change_password(acting)
    assert is_signed_in(acting)
    assert is_signed_in(only_remembered(app, acting))


def test_sign_out_everywhere_else(app, alice):
    acting, other, remembered = log_in(app), log_in(app), log_in(app, remember=True)
    page = html(acting.get("/settings/password"))
    form = page.find("button", string="Sign out everywhere else").find_parent("form")
    assert form["method"] == "post"

    response = acting.post(form["action"])
    assert response.status_code == 303
    assert "signed out everywhere else" in html(acting.get("/settings/password")).select_one("#notices").get_text()
    assert is_signed_in(acting)
    assert other.get("/settings/profile").headers["Location"].startswith("/login")
    assert not is_signed_in(only_remembered(app, remembered))
    assert log_in(app, password=PASSWORD) is not None  # the password itself is unchanged


def test_a_session_whose_record_is_gone_cannot_come_back(app, client, auth, alice):
    auth.login(alice)
    assert is_signed_in(client)
    with db.database.connection_context():
        User.get_by_id(alice.id).end_all_sessions()
    assert not is_signed_in(client)


def test_session_pages_need_a_signed_in_person(client, alice):
    for response in (client.get("/settings/password"), client.post("/settings/sessions"),
                     change_password(client)):
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/settings/sessions").status_code == 405
    assert log_in(client.application, password=PASSWORD) is not None


def test_the_password_form_hints_password_managers(app, alice):
    page = html(log_in(app).get("/settings/password"))
    assert page.title.get_text().startswith("Password and sessions")
    assert page.select_one("#current_password")["autocomplete"] == "current-password"
    assert page.select_one("#new_password")["autocomplete"] == "new-password"
    assert page.select_one("#confirm")["autocomplete"] == "new-password"


# ---- sessions are rows ----------------------------------------------------------------------------

def session_rows(user):
    with db.database.connection_context():
        return list(LoginSession.select().where(LoginSession.user == user.id).order_by(LoginSession.id))


def copy_of(app, client, *names):
    """Another browser holding copies of client's cookies (stolen, or kept from before a sign-out)."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        thief.set_cookie(name, cookie.value)
    return thief


@pytest.fixture
def private_thread(alice, make_circle):
    circle = make_circle(alice, visibility=PRIVATE, name="Private circle")
    with db.database.connection_context():
        return Thread.start(circle=circle, author=alice, title="Private", kind="discussion", body="Members only.")


def replies_in(thread):
    with db.database.connection_context():
        return Post.select().where(Post.thread == thread.id).count()


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_cookie_copied_before_signing_out_gets_nothing_after(app, alice, private_thread, cookie):
    browser = log_in(app, remember=True)
    copied = copy_of(app, browser, cookie)
    assert copied.get(f"/t/{private_thread.id}").status_code == 200  # the copy works while signed in

    assert browser.post("/logout").status_code == 303
    assert session_rows(alice) == []
    response = copied.get(f"/t/{private_thread.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    response = copied.post(f"/t/{private_thread.id}/reply", data={"body": "Still here?", "form_key": "k1"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert replies_in(private_thread) == 1


def test_every_sign_in_is_a_row_named_by_its_cookie(app, alice, frozen_clock):
    phone = log_in(app, user_agent=FIREFOX_ANDROID, remember=True)
    (row,) = session_rows(alice)
    assert (row.browser, row.remembered, row.created_at, row.last_seen_at) == \
        ("Firefox on Android", True, frozen_clock.now(), frozen_clock.now())
    with phone.session_transaction() as session:
        session_id, _, secret = session["_user_id"].partition(":")
    assert int(session_id) == row.id and secret and secret not in row.secret_hash  # only a hash is kept
    assert phone.get_cookie("remember_token").value.startswith(f"{row.id}:")


def test_the_settings_page_lists_sessions_and_signs_one_out(app, alice):
    phone = log_in(app, user_agent=FIREFOX_ANDROID)
    laptop = log_in(app, user_agent=SAFARI_IPHONE, remember=True)
    page = html(laptop.get("/settings/password"))
    rows = page.select("table.sessions tbody tr")
    assert len(rows) == 2
    described = {row.td.get_text(" ", strip=True) for row in rows}
    assert described == {"Firefox on Android", "Safari on iPhone this browser (remembered)"}
    phone_row = next(row for row in rows if "Android" in row.td.get_text())
    assert all(row.find("time") for row in rows)
    form = phone_row.find("form")
    assert form["method"] == "post" and form.find("input", attrs={"name": "csrf_token"})

    response = laptop.post(form["action"])
    assert response.status_code == 303
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    assert [row.browser for row in session_rows(alice)] == ["Safari on iPhone"]


def test_signing_out_someone_elses_session_does_nothing(app, alice, make_user):
    make_user("mallory")
    victim = log_in(app)
    (row,) = session_rows(alice)
    mallory = log_in(app, login="mallory")
    response = mallory.post(f"/settings/sessions/{row.id}/end")
    assert response.status_code == 303
    assert "already ended" in html(mallory.get("/settings/password")).select_one("#notices").get_text()
    assert is_signed_in(victim)


def test_signing_this_browser_out_from_the_list_logs_out(app, alice):
    browser = log_in(app)
    (row,) = session_rows(alice)
    page = html(browser.get("/settings/password"))
    assert page.find("button", string="Sign out here")
    response = browser.post(f"/settings/sessions/{row.id}/end")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert not is_signed_in(browser) and session_rows(alice) == []


def test_sign_out_everywhere_else_keeps_only_this_row(app, alice):
    browsers = [log_in(app) for _ in range(3)]
    acting = browsers[0]
    with acting.session_transaction() as session:
        mine = int(session["_user_id"].partition(":")[0])
    acting.post("/settings/sessions")
    assert [row.id for row in session_rows(alice)] == [mine]


def test_a_session_unused_for_two_weeks_ends(app, alice, frozen_clock):
    browser = log_in(app, remember=True)
    frozen_clock.advance(days=13, hours=23)
    assert is_signed_in(browser)  # used again: the two weeks start over
    frozen_clock.advance(days=13, hours=23)
    assert is_signed_in(browser)
    frozen_clock.advance(days=14, minutes=1)
    assert not is_signed_in(browser)
    assert not is_signed_in(copy_of(app, browser, "remember_token"))


def test_remember_me_lasts_thirty_days_at_most(app, alice, frozen_clock):
    browser = log_in(app, remember=True)
    cookie = browser.get_cookie("remember_token")
    lasts = cookie.expires.replace(tzinfo=None) - dt.datetime.utcnow()
    assert dt.timedelta(days=29, hours=23) < lasts <= dt.timedelta(days=30)
    for _ in range(3):  # used every nine days, so it never sits idle
        frozen_clock.advance(days=9)
        assert is_signed_in(copy_of(app, browser, "remember_token"))
    frozen_clock.advance(days=3, minutes=1)
    assert not is_signed_in(copy_of(app, browser, "remember_token"))
    assert not is_signed_in(browser)


def test_session_lifetimes_are_settings(app, alice, frozen_clock):
    app.config.update(SESSION_IDLE_DAYS=2, REMEMBER_DAYS=3)
    browser = log_in(app)
    frozen_clock.advance(days=1, hours=23)
    assert is_signed_in(browser)
    frozen_clock.advance(days=1, hours=2)
    assert not is_signed_in(browser)


def test_last_seen_is_written_at_most_once_an_hour(app, alice, frozen_clock):
    browser = log_in(app)
    signed_in_at = frozen_clock.now()
    statements = []
    db.database.obj.query_hooks.append(lambda event: statements.append(event.sql))
    try:
        for _ in range(3):
            frozen_clock.advance(minutes=19)
            assert is_signed_in(browser)
        assert session_rows(alice)[0].last_seen_at == signed_in_at
        assert not [sql for sql in statements if sql.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
        frozen_clock.advance(minutes=4)
        assert is_signed_in(browser)
        assert session_rows(alice)[0].last_seen_at == frozen_clock.now()
    finally:
        db.database.obj.query_hooks.clear()


def test_a_signed_in_request_finds_its_session_and_person_in_one_query(app, alice):
    browser = log_in(app)
    statements = []
    db.database.obj.query_hooks.append(lambda event: statements.append(" ".join(event.sql.split())))
    try:
        assert is_signed_in(browser)
    finally:
        db.database.obj.query_hooks.clear()
    about_the_person = [sql for sql in statements if '"login_session"' in sql or 'FROM "user"' in sql]
    assert len(about_the_person) == 1
    assert 'FROM "login_session"' in about_the_person[0] and 'JOIN "user"' in about_the_person[0]


@pytest.mark.parametrize("agent, described", [
    (FIREFOX_ANDROID, "Firefox on Android"),
    (SAFARI_IPHONE, "Safari on iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
     "Safari/537.36 Edg/126.0.0.0", "Edge on Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
     "Safari/537.36", "Chrome on macOS"),
    ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
     "Chrome on ChromeOS"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"),
    ("curl/8.5.0", "Unknown browser"),
    ("", "Unknown browser"),
    ("x" * 5000, "Unknown browser"),
])
def test_a_browser_is_described_in_a_few_words(agent, described):
    assert describe_browser(agent) == described


def test_sign_ins_without_the_form_need_a_session(app, alice):
    """A person object that no sign-in produced has no login cookie value to give."""
    with pytest.raises(RuntimeError):
        alice.get_id()
    with db.database.connection_context():
        cookie_id = sessions.start(alice)
    assert alice.get_id() == cookie_id


@pytest.mark.parametrize("stored, shown", [
    ("Firefox on Android", "Firefox on Android"), ("A browser on Linux", "A browser on Linux"),
    ("Firefox", "Firefox"), ("Unknown browser", "Unknown browser"), ("", "Unknown browser"),
])
def test_a_stored_browser_description_reads_as_it_was_written_in_english(app, stored, shown):
    with app.test_request_context():
        assert sessions.browser_label(stored) == shown


def test_the_sessions_list_names_browsers_in_the_readers_language(tmp_path):
    """The description is stored once, in English words; the list says it in the language of whoever reads it."""
    app = pseudo_language_app(tmp_path)
    try:
        with db.database.connection_context():
            User.register(username="alice", email="alice@example.org", password=PASSWORD)
        browser = log_in(app, user_agent=FIREFOX_ANDROID)
        log_in(app, user_agent="curl/8.5.0")
        page = html(browser.get("/settings/password", headers={"Accept-Language": PSEUDO_LANGUAGE}))
        browsers = [row.find("td").get_text(" ", strip=True) for row in page.select("tbody tr")]
        assert sorted(browsers) == ["⟦Firefox on Android⟧ ⟦this browser⟧", "⟦Unknown browser⟧"]
        assert page.find("th").get_text() == "⟦Browser⟧"
    finally:
        db.close_all()
