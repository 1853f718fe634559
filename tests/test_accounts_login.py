"""Logging in and out: username or email, remember me, safe next, and the failed-login limits."""
import pytest

from learncircle import create_app, db
from learncircle.accounts.models import User
from tests.conftest import PASSWORD
from tests.helpers import html

LOGIN_FAILED = "Username/email or password is wrong."


def log_in(client, login, password=PASSWORD, address="127.0.0.1", **extra):
    return client.post("/login", data={"login": login, "password": password, **extra},
                       environ_base={"REMOTE_ADDR": address})


def is_signed_in(client):
    return client.get("/settings/profile").status_code == 200


@pytest.mark.parametrize("login", ["alice", "ALICE", "alice@example.org", "Alice@Example.ORG", "  alice  "])
def test_log_in_by_username_or_email_in_any_case(client, make_user, login):
    make_user("alice")
    response = log_in(client, login)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert is_signed_in(client)


@pytest.mark.parametrize("login, password", [("alice", "wrong password"), ("nobody", PASSWORD),
                                             ("alice", PASSWORD.upper())])
def test_a_failed_login_gives_one_message_and_keeps_the_name(client, make_user, login, password):
    make_user("alice")
    response = log_in(client, login, password)
    assert response.status_code == 422
    page = html(response)
    assert page.select_one("main [role=alert]").get_text(strip=True) == LOGIN_FAILED
    assert page.select_one("#login")["value"] == login
    assert page.select_one("#password")["value"] == ""
    for name in ("login", "password"):
        assert page.select_one(f"#{name}")["aria-invalid"] == "true"
        assert page.select_one(f"#{name}")["aria-describedby"] == "login-failed"
    assert not is_signed_in(client)


def test_empty_fields_are_named(client, make_user):
    make_user()
    page = html(log_in(client, "", ""))
    assert "username or email" in page.select_one("#login-error").get_text()
    assert "password" in page.select_one("#password-error").get_text()


def test_the_login_form_hints_password_managers(client, make_user):
    make_user()
    page = html(client.get("/login"))
    assert page.title.get_text().startswith("Log in")
    assert page.select_one("#login")["autocomplete"] == "username"
    assert page.select_one("#password")["autocomplete"] == "current-password"
    assert page.select_one("label[for=login]") and page.select_one("label[for=password]")


def test_the_form_carries_a_csrf_token_and_needs_it(csrf_app, make_user):
    make_user("alice")
    client = csrf_app.test_client()
    token = html(client.get("/login")).select_one("main form input[name=csrf_token]")["value"]
    assert log_in(client, "alice").status_code == 400
    assert log_in(client, "alice", csrf_token=token).status_code == 303


def test_remember_me_sets_a_lasting_cookie(app, make_user):
    make_user("alice")
    forgetful, remembering = app.test_client(), app.test_client()
    log_in(forgetful, "alice")
    log_in(remembering, "alice", remember="y")
    assert forgetful.get_cookie("remember_token") is None
    cookie = remembering.get_cookie("remember_token")
    assert cookie is not None and cookie.expires is not None

    for client in (forgetful, remembering):
        client.delete_cookie("session")  # the browser was closed
    assert is_signed_in(remembering)
    assert not is_signed_in(forgetful)


@pytest.mark.parametrize("next_url, lands_on", [
    ("/u/alice", "/u/alice"),
    ("/settings/profile?x=1", "/settings/profile?x=1"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_is_followed_only_within_the_site(client, make_user, next_url, lands_on):
    make_user("alice")
    page = html(client.get("/login", query_string={"next": next_url}))
    action = page.select_one("main form")["action"]
    response = client.post(action, data={"login": "alice", "password": PASSWORD})
    assert response.headers["Location"] == lands_on


def test_a_page_behind_login_comes_back_after_logging_in(client, make_user):
    make_user("alice")
    response = client.get("/settings/profile")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/login?next=")
    response = client.post(login_url, data={"login": "alice", "password": PASSWORD})
    assert response.headers["Location"] == "/settings/profile"


def test_a_signed_in_visitor_skips_the_login_page(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/login?next=/settings/profile").headers["Location"] == "/settings/profile"


def test_log_out_is_a_post(client, make_user):
    make_user("alice")
    log_in(client, "alice", remember="y")
    assert client.get("/logout").status_code == 405
    assert is_signed_in(client)
    response = client.post("/logout")
    assert response.status_code == 303
    assert not is_signed_in(client)
    assert client.get_cookie("remember_token") is None
    assert "logged out" in html(client.get("/login")).select_one("#notices").get_text()


# ---- failed-login limits ------------------------------------------------------------------------

@pytest.fixture
def limited_app(tmp_path):
    """An app with rate limits on (the shared test app turns them off), with small budgets:
    3 failures for an account from one address (or from one known browser), 5 for an account from
    unknown browsers anywhere, 8 from one address over all accounts."""
    app = create_app({
        "TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'limited.sqlite3'}", "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True, "LOGIN_LIMIT": "3 per 15 minutes",
        "LOGIN_ACCOUNT_LIMIT": "5 per hour", "LOGIN_ADDRESS_LIMIT": "8 per hour",
    })
    db.upgrade()
    with db.database.connection_context():
        for name in ("alice", "bob", "carol"):
            User.register(username=name, email=f"{name}@example.org", password=PASSWORD)
    yield app
    if not db.database.is_closed():
        db.database.close()


def assert_refused_for_too_many(response, typed):
    assert response.status_code == 429
    page = html(response)
    message = page.select_one("main .error-box").get_text(" ", strip=True)
    assert "Too many login attempts" in message and "few minutes" in message
    assert page.select_one("#login")["value"] == typed


def fresh(app):
    """A browser that has never signed in to anything here."""
    return app.test_client()


def test_failures_on_one_account_are_limited_from_any_address(limited_app):
    addresses = [f"10.0.0.{n}" for n in range(1, 6)]
    for address, login in zip(addresses, ("alice", "ALICE@example.org", "Alice", "alice", "alice@example.org")):
        assert log_in(fresh(limited_app), login, "guess", address).status_code == 422
    # Even the right password is refused now, from a fresh address, by username or email…
    client = fresh(limited_app)
    assert_refused_for_too_many(log_in(client, "alice", PASSWORD, "10.0.0.6"), "alice")
    assert_refused_for_too_many(log_in(client, "alice@example.org", PASSWORD, "10.0.0.7"), "alice@example.org")
    assert not is_signed_in(client)
    # …while other accounts are not affected.
    assert log_in(client, "bob", PASSWORD, "10.0.0.6").status_code == 303


def test_failures_on_one_account_from_one_address_are_limited_there(limited_app):
    for _ in range(3):
        assert log_in(fresh(limited_app), "alice", "guess", "10.1.1.1").status_code == 422
    assert_refused_for_too_many(log_in(fresh(limited_app), "alice", PASSWORD, "10.1.1.1"), "alice")
    assert log_in(fresh(limited_app), "alice", PASSWORD, "10.1.1.2").status_code == 303


def test_a_classroom_behind_one_address_is_not_locked_out_by_one_account(limited_app):
    """Someone hammers alice's account from the school's one address; bob and carol still log in there."""
    school = "192.0.2.10"
    for _ in range(12):
        assert log_in(fresh(limited_app), "alice", "guess", school).status_code in (422, 429)
    for name in ("bob", "carol"):
        client = fresh(limited_app)
        assert log_in(client, name, PASSWORD, school).status_code == 303
        assert is_signed_in(client)


def test_the_address_budget_is_large_but_ends(limited_app):
    """Failures over many names from one address add up (to 8 here); known browsers still get in."""
    laptop = fresh(limited_app)
    assert log_in(laptop, "carol", PASSWORD, "192.0.2.20").status_code == 303
    laptop.post("/logout")
    for number in range(8):
        assert log_in(fresh(limited_app), f"name{number}", "guess", "192.0.2.20").status_code == 422
    assert_refused_for_too_many(log_in(fresh(limited_app), "bob", PASSWORD, "192.0.2.20"), "bob")
    assert log_in(laptop, "carol", PASSWORD, "192.0.2.20").status_code == 303


def test_a_browser_that_signed_in_before_gets_in_during_a_lockout(limited_app):
    laptop = fresh(limited_app)
    assert log_in(laptop, "alice", PASSWORD, "198.51.100.1", remember="y").status_code == 303
    device = laptop.get_cookie("device", path="/login")
    assert device is not None and device.http_only and device.expires is not None
    laptop.post("/logout")

    for number in range(5):  # an attacker spends the account's budget for unknown browsers
        assert log_in(fresh(limited_app), "alice", "guess", f"203.0.113.{number}").status_code == 422
    assert_refused_for_too_many(log_in(fresh(limited_app), "alice", PASSWORD, "198.51.100.1"), "alice")

    # The owner's laptop is judged by its own budget only, from wherever it is.
    assert log_in(laptop, "alice", PASSWORD, "203.0.113.0").status_code == 303
    assert is_signed_in(laptop)
    laptop.post("/logout")
    # A forged or copied-and-edited device cookie counts for nothing.
    forger = fresh(limited_app)
    forger.set_cookie("device", device.value[:-2] + "xx", path="/login")
    assert_refused_for_too_many(log_in(forger, "alice", PASSWORD, "203.0.113.9"), "alice")
    # The laptop's own budget ends too: three wrong passwords from it, and it waits like everyone else.
    for _ in range(3):
        assert log_in(laptop, "alice", "guess", "198.51.100.1").status_code == 422
    assert_refused_for_too_many(log_in(laptop, "alice", PASSWORD, "198.51.100.1"), "alice")


def test_a_device_cookie_vouches_only_for_the_account_it_names(limited_app):
    laptop = fresh(limited_app)
    assert log_in(laptop, "alice", PASSWORD, "198.51.100.2").status_code == 303
    laptop.post("/logout")
    for number in range(5):
        assert log_in(fresh(limited_app), "bob", "guess", f"203.0.113.{number}").status_code == 422
    assert_refused_for_too_many(log_in(laptop, "bob", PASSWORD, "198.51.100.2"), "bob")


def test_unknown_names_lock_nobody_out(limited_app):
    """Made-up names and near-misses of a real one spend only their own and the address's budgets."""
    for number, typed in enumerate(["alicia", "alice@example.com", "alice.", "alice@example.org.uk"] * 2):
        assert log_in(fresh(limited_app), typed, "guess", f"203.0.113.{number}").status_code == 422
    for _ in range(3):
        assert log_in(fresh(limited_app), "nobody", "guess", "192.0.2.30").status_code == 422
    assert_refused_for_too_many(log_in(fresh(limited_app), "nobody", PASSWORD, "192.0.2.30"), "nobody")
    # alice's account lost nothing, from anywhere, including the address the unknown name is refused at.
    assert log_in(fresh(limited_app), "alice", PASSWORD, "192.0.2.30").status_code == 303
    assert log_in(fresh(limited_app), "alice", PASSWORD, "192.0.2.31").status_code == 303


def test_successful_logins_and_page_views_spend_nothing(limited_app):
    for _ in range(5):
        client = limited_app.test_client()
        assert client.get("/login", environ_base={"REMOTE_ADDR": "10.2.2.2"}).status_code == 200
        assert log_in(client, "alice", PASSWORD, "10.2.2.2").status_code == 303
    assert log_in(limited_app.test_client(), "", "", "10.2.2.2").status_code == 422
    assert log_in(limited_app.test_client(), "alice", "guess", "10.2.2.2").status_code == 422


def test_guessing_the_current_password_in_settings_is_limited_too(limited_app):
    client = limited_app.test_client()
    assert log_in(client, "alice").status_code == 303
    guess = {"current_password": "guess", "new_password": "new passphrase", "confirm": "new passphrase"}
    for _ in range(3):
        assert client.post("/settings/password", data=guess).status_code == 422
    response = client.post("/settings/password", data=dict(guess, current_password=PASSWORD))
    assert response.status_code == 429
    assert "Too many wrong current passwords" in html(response).select_one("main .error-box").get_text()
    assert is_signed_in(client)
    assert log_in(limited_app.test_client(), "alice", PASSWORD, "10.3.3.3").status_code == 303  # unchanged


def test_wrong_passwords_on_any_settings_page_spend_one_budget(limited_app):
    """Guessing on the password page and then on the account deletion form is one account's password guessed."""
    client = limited_app.test_client()
    assert log_in(client, "alice").status_code == 303
    guess = {"current_password": "guess", "new_password": "new passphrase", "confirm": "new passphrase"}
    for _ in range(3):
        assert client.post("/settings/password", data=guess).status_code == 422
    response = client.post("/settings/data/delete", data={"password": PASSWORD, "posts": "keep"})
    assert response.status_code == 429
    assert "Too many wrong passwords" in html(response).get_text()


def test_a_login_with_control_characters_is_refused_cleanly(client, make_user):
    make_user("alice")
    response = log_in(client, "alice\x00")
    assert response.status_code == 422
    assert "control characters" in html(response).select_one("#login-error").get_text()
