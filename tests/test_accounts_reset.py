"""A forgotten password: `learncircle reset-password` prints a one-time, expiring link (or sets a password
from standard input); the link's page sets a new password and ends every session of the account."""
import re

import pytest

from learncircle import db
from learncircle.accounts.models import User
from learncircle.accounts.resets import PasswordReset
from learncircle.accounts.sessions import LoginSession
from tests.conftest import PASSWORD
from tests.helpers import html

NEW_PASSWORD = "a freshly chosen passphrase"


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def reset_command(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["reset-password", *args], input=input)


def printed_link(app, username="alice"):
    result = reset_command(app, username)
    assert result.exit_code == 0, result.output
    (link,) = re.findall(r"\S+/reset-password/\S+", result.output)
    return link


def log_in(app, password=PASSWORD):
    client = app.test_client()
    return client if client.post("/login", data={"login": "alice", "password": password}).status_code == 303 else None


def is_signed_in(client):
    return client.get("/settings/profile").status_code == 200


def table(model):
    with db.database.connection_context():
        return list(model.select().dicts())


def test_a_printed_link_sets_a_new_password_once_and_ends_every_session(app, alice):
    app.config["BASE_URL"] = "https://learn.example.org"
    signed_in = log_in(app)
    link = printed_link(app)
    assert link.startswith("https://learn.example.org/reset-password/")
    path, token = link.removeprefix("https://learn.example.org"), link.rsplit("/", 1)[1]
    assert token not in str(table(PasswordReset))  # only a hash is stored

    before = table(PasswordReset), table(LoginSession), table(User)
    visitor = app.test_client()
    response = visitor.get(path)
    assert response.status_code == 200 and response.headers["Referrer-Policy"] == "no-referrer"
    page = html(response)
    assert "alice" in page.select_one("main").get_text()
    assert page.select_one("#new_password")["autocomplete"] == "new-password"
    assert (table(PasswordReset), table(LoginSession), table(User)) == before  # showing the form writes nothing

    response = visitor.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "Log in with it" in html(visitor.get("/login")).select_one("#notices").get_text()
    assert not is_signed_in(signed_in) and table(LoginSession) == []
    assert log_in(app) is None and log_in(app, NEW_PASSWORD) is not None

    for response in (visitor.get(path), visitor.post(path, data={"new_password": "another passphrase",
                                                                 "confirm": "another passphrase"})):
        assert response.status_code == 404
        assert "cannot be used" in html(response).select_one("main").get_text()
    assert log_in(app, NEW_PASSWORD) is not None


def test_the_new_password_is_checked_and_the_link_kept_until_then(app, alice):
    path = "/" + printed_link(app).split("/", 3)[3]
    client = app.test_client()
    response = client.post(path, data={"new_password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert "at least 8" in html(response).select_one("#new_password-error").get_text()
    response = client.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"})
    assert response.status_code == 422
    assert client.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303


def test_a_link_expires_after_a_day(app, alice, frozen_clock):
    path = "/" + printed_link(app).split("/", 3)[3]
    frozen_clock.advance(hours=23, minutes=59)
    assert app.test_client().get(path).status_code == 200
    frozen_clock.advance(minutes=2)
    assert app.test_client().get(path).status_code == 404
    response = app.test_client().post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 404 and log_in(app) is not None


def test_a_newer_link_replaces_the_older_one(app, alice):
    older, newer = ("/" + printed_link(app).split("/", 3)[3] for _ in range(2))
    assert app.test_client().get(older).status_code == 404
    assert app.test_client().get(newer).status_code == 200


@pytest.mark.parametrize("token", ["nothing", "x" * 500, "ü" * 20])
def test_made_up_links_lead_nowhere(app, alice, token):
    response = app.test_client().get(f"/reset-password/{token}")
    assert response.status_code == 404


def test_password_stdin_sets_the_password_directly_and_ends_every_session(app, alice):
    signed_in = log_in(app)
    pending_link = "/" + printed_link(app).split("/", 3)[3]
    result = reset_command(app, "ALICE", "--password-stdin", input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "every session of the account has ended" in result.output and "/reset-password/" not in result.output
    assert not is_signed_in(signed_in)
    assert log_in(app) is None and log_in(app, NEW_PASSWORD) is not None
    assert app.test_client().get(pending_link).status_code == 404


def test_password_stdin_refuses_a_short_password(app, alice):
    result = reset_command(app, "alice", "--password-stdin", input="short\n")
    assert result.exit_code != 0 and "at least 8" in result.output
    assert log_in(app) is not None


def test_an_unknown_account_is_named(app, alice):
    result = reset_command(app, "nobody")
    assert result.exit_code != 0 and "no account" in result.output and "'nobody'" in result.output
    assert table(PasswordReset) == []


def test_the_login_page_says_what_to_do_about_a_forgotten_password(client, alice):
    hint = html(client.get("/login")).select_one("#forgot-password").get_text(" ", strip=True)
    assert hint.startswith("Forgot your password?") and "organiser" in hint
