"""Changing the password and signing out everywhere else end every other session, remembered ones too."""
import pytest

from learncircle import db
from learncircle.accounts.models import User
from tests.conftest import PASSWORD, html

NEW_PASSWORD = "a brand new passphrase"


def log_in(app, login="alice", password=PASSWORD, remember=False):
    """A browser that went through the login form; None when the login failed."""
    client = app.test_client()
    data = {"login": login, "password": password}
    if remember:
        data["remember"] = "y"
    return client if client.post("/login", data=data).status_code == 303 else None


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


def test_a_session_from_before_the_rotation_cannot_come_back(app, client, auth, alice):
    auth.login(alice)
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
