"""First-run setup and registration in each mode, with invitations, duplicates and password rules."""
import datetime as dt

import pytest

from learncircle import clock, db
from learncircle.accounts.models import User
from learncircle.circles.models import Invitation
from tests.helpers import html


def account(name="newcomer", *, password="a long passphrase", confirm=None, **extra):
    """A filled-in account form for `name`; keyword arguments replace single fields."""
    form = {"username": name, "email": f"{name.strip().lower()}@example.org", "display_name": "",
            "password": password, "confirm": password if confirm is None else confirm, "timezone": "UTC"}
    form.update(extra)
    return form


def stored(username):
    with db.database.connection_context():
        return User.get_or_none(User.username == username)


def signed_in_as(client):
    """The username the navigation shows, or None for a signed-out visitor."""
    link = html(client.get("/settings/profile")).select_one("nav[aria-label=Settings] a[href^='/u/']")
    return link["href"].removeprefix("/u/") if link else None


def field_error(page, name):
    error = page.select_one(f"#{name}-error")
    return error.get_text(" ", strip=True) if error else None


# ---- first-run setup ------------------------------------------------------------------------------

def test_an_empty_instance_leads_every_page_to_setup(client):
    for path in ("/", "/login", "/register", "/u/anyone"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == "/setup"
    page = html(client.get("/setup"))
    assert page.h1.get_text(strip=True).startswith("Set up")
    assert page.select_one("select#timezone[data-guess-timezone]") is not None


def test_setup_creates_the_signed_in_admin_then_disappears(app, client):
    response = client.post("/setup", data=account("Founder", display_name="Ada"))
    assert response.status_code == 303
    admin = stored("founder")
    assert admin.is_admin and admin.display_name == "Ada"
    assert signed_in_as(client) == "founder"
    assert client.get("/setup").status_code == 404
    assert client.post("/setup", data=account("second")).status_code == 404
    assert stored("second") is None
    assert app.test_client().get("/login").status_code == 200  # no more detour to setup


def test_setup_refuses_bad_input_and_keeps_it(client):
    response = client.post("/setup", data=account("Founder", password="short", display_name="Ada"))
    assert response.status_code == 422
    page = html(response)
    assert "at least 8" in field_error(page, "password")
    assert page.select_one("#password")["aria-invalid"] == "true"
    assert "password-error" in page.select_one("#password")["aria-describedby"]
    assert page.select_one("#username")["value"] == "Founder"
    assert page.select_one("#display_name")["value"] == "Ada"
    assert stored("founder") is None


def test_setup_cannot_make_a_second_admin_even_when_the_page_was_open(app, make_user):
    from learncircle.accounts.models import SetupAlreadyDone

    make_user("first")
    with db.database.connection_context(), pytest.raises(SetupAlreadyDone):
        User.create_first_admin(username="late", email="late@example.org", password="a long passphrase")


# ---- registration modes ---------------------------------------------------------------------------

@pytest.fixture
def invitation(app, make_circle):
    circle = make_circle(name="Botany Walks", purpose="Name every tree on our street by June.")
    with db.database.connection_context():
        return Invitation.make(circle=circle, created_by=circle.owner())


def update_invitation(invitation, **fields):
    with db.database.connection_context():
        Invitation.update(**fields).where(Invitation.id == invitation.id).execute()


def test_invite_mode_without_a_link_explains_registration_is_by_invitation(client, make_user):
    make_user()
    for response in (client.get("/register"), client.post("/register", data=account())):
        assert response.status_code == 403
        assert "by invitation" in html(response).select_one(".error-box").get_text()
        assert html(response).select_one("form#register, input#username") is None
    assert stored("newcomer") is None


def test_invite_mode_with_a_valid_link_shows_the_circle_and_registers(client, invitation):
    url = f"/register?invite={invitation.token}"
    page = html(client.get(url))
    card = page.select_one("section.card").get_text(" ", strip=True)
    assert "Botany Walks" in card and "Name every tree on our street by June." in card
    form = page.select_one("main form")
    assert form["action"] == url
    select = form.select_one("select#timezone")
    assert select.has_attr("data-guess-timezone")
    assert select.select_one("option[selected]")["value"] == "UTC"
    assert len(select.select("option")) > 300

    response = client.post(url, data=account("Newcomer", timezone="America/Bogota"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/invite/{invitation.token}"
    user = stored("newcomer")
    assert user.timezone == "America/Bogota" and user.display_name == "Newcomer" and not user.is_admin
    assert signed_in_as(client) == "newcomer"


@pytest.mark.parametrize("spoil", ["expired", "revoked", "used up", "unknown"])
def test_invite_mode_refuses_a_spent_link(client, invitation, spoil):
    token = invitation.token
    if spoil == "expired":
        update_invitation(invitation, expires_at=clock.now() - dt.timedelta(minutes=1))
    elif spoil == "revoked":
        update_invitation(invitation, revoked_at=clock.now())
    elif spoil == "used up":
        update_invitation(invitation, max_uses=2, uses=2)
    else:
        token = "not-a-real-token"
    for response in (client.get(f"/register?invite={token}"),
                     client.post(f"/register?invite={token}", data=account())):
        assert response.status_code == 403
        assert "can no longer be used" in html(response).select_one(".error-box").get_text()
    assert stored("newcomer") is None


def test_closed_mode_refuses_even_a_valid_link(app, client, invitation):
    app.config["REGISTRATION"] = "closed"
    for response in (client.get("/register"), client.get(f"/register?invite={invitation.token}"),
                     client.post(f"/register?invite={invitation.token}", data=account())):
        assert response.status_code == 403
        assert "closed" in html(response).select_one(".error-box").get_text()
    assert stored("newcomer") is None


def test_open_mode_registers_anyone(app, client, make_user):
    make_user()
    app.config["REGISTRATION"] = "open"
    assert html(client.get("/register")).select_one("input#username") is not None
    response = client.post("/register", data=account("Open.Door", display_name="  Door  "))
    assert response.status_code == 303 and response.headers["Location"] == "/"
    user = stored("open.door")
    assert user.email == "open.door@example.org" and user.display_name == "Door"
    assert signed_in_as(client) == "open.door"


def test_open_mode_with_a_spent_link_still_registers(app, client, invitation):
    app.config["REGISTRATION"] = "open"
    invitation_token = invitation.token
    update_invitation(invitation, revoked_at=clock.now())
    page = html(client.get(f"/register?invite={invitation_token}"))
    assert "can no longer be used" in page.select_one("main .notice").get_text()
    assert page.select_one("section.card") is None
    response = client.post(f"/register?invite={invitation_token}", data=account())
    assert response.headers["Location"] == "/"


def test_a_signed_in_person_is_sent_on_from_register(client, auth, make_user, invitation):
    auth.login(make_user())
    assert client.get("/register").headers["Location"] == "/"
    assert client.get(f"/register?invite={invitation.token}").headers["Location"] == f"/invite/{invitation.token}"


# ---- duplicates and field rules -------------------------------------------------------------------

def test_a_taken_username_is_a_field_error_with_the_values_kept(client, make_user, invitation):
    make_user("alice")
    url = f"/register?invite={invitation.token}"
    response = client.post(url, data=account("ALICE", email="other@example.org", display_name="Another Alice",
                                             timezone="Asia/Tokyo"))
    assert response.status_code == 422
    page = html(response)
    assert "username is taken" in field_error(page, "username")
    assert field_error(page, "email") is None
    assert page.select_one("#username")["value"] == "ALICE"
    assert page.select_one("#email")["value"] == "other@example.org"
    assert page.select_one("#display_name")["value"] == "Another Alice"
    assert page.select_one("#timezone option[selected]")["value"] == "Asia/Tokyo"
    assert page.select_one("section.card") is not None  # the invitation is still shown


def test_a_taken_email_is_a_field_error_on_the_email(client, make_user, invitation):
    make_user("alice")
    response = client.post(f"/register?invite={invitation.token}",
                           data=account("bob", email="  Alice@Example.ORG "))
    assert response.status_code == 422
    page = html(response)
    assert "already exists" in field_error(page, "email")
    assert field_error(page, "username") is None
    assert page.select_one("#email")["value"] == "Alice@Example.ORG"
    assert stored("bob") is None


@pytest.mark.parametrize("field, changes, message", [
    ("username", {"username": "no spaces"}, "letters, digits"),
    ("username", {"username": "ab"}, "3 to 30"),
    ("email", {"email": "not-an-email"}, "email address like"),
    ("email", {"email": "nul\x00@example.org"}, "control characters"),
    ("display_name", {"display_name": "Bell\x07"}, "control characters"),
    ("password", {"password": "seven77"}, "at least 8"),
    ("password", {"password": "x" * 1025}, "at most 1024"),
    ("confirm", {"confirm": "something else"}, "not the same"),
    ("timezone", {"timezone": "Mars/Olympus_Mons"}, "from the list"),
])
def test_invalid_registration_names_the_field(client, invitation, field, changes, message):
    response = client.post(f"/register?invite={invitation.token}", data=account("carol", **changes))
    assert response.status_code == 422
    page = html(response)
    assert message in field_error(page, field)
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    with db.database.connection_context():
        assert User.select().where(User.email == "carol@example.org").count() == 0


def test_password_fields_carry_autocomplete_hints_and_are_not_echoed(client, invitation):
    response = client.post(f"/register?invite={invitation.token}", data=account("d", password="secret passphrase"))
    page = html(response)
    assert page.select_one("#username")["autocomplete"] == "username"
    assert page.select_one("#email")["autocomplete"] == "email"
    assert page.select_one("#password")["autocomplete"] == "new-password"
    assert "secret passphrase" not in response.get_data(as_text=True)


# ---- passwords as typed ---------------------------------------------------------------------------

def log_in(app, login, password):
    """Try the login form from a fresh browser; True when it signs in."""
    return app.test_client().post("/login", data={"login": login, "password": password}).status_code == 303


def test_spaces_around_a_password_are_part_of_it(app, client, invitation):
    response = client.post(f"/register?invite={invitation.token}", data=account("spacey", password="  pass word  "))
    assert response.status_code == 303
    assert log_in(app, "spacey", "  pass word  ")
    for near_miss in ("pass word", "  pass word", "pass word  ", " pass word "):
        assert not log_in(app, "spacey", near_miss)


def test_a_long_unicode_passphrase_works(app, client, invitation):
    passphrase = ("Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich; 彼は桜の下で🌸待つ ")
    passphrase = (passphrase * 5)[:300]
    assert len(passphrase) == 300
    response = client.post(f"/register?invite={invitation.token}", data=account("poet", password=passphrase))
    assert response.status_code == 303
    assert log_in(app, "poet", passphrase)
    assert not log_in(app, "poet", passphrase[:-1])
