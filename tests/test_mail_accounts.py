"""Account mail, end to end through a real SMTP server: a forgotten password's link (expiring, single use), an
answer that never tells whether an address has an account, registration that confirms the address by mail and
warns the owner of a taken one, a new address confirmed by mail, and one-click unsubscribe without login."""
import re

import pytest
from itsdangerous import URLSafeSerializer

from learncircle import clock, db
from learncircle.accounts.models import User
from learncircle.mail import preferences, unsubscribe
from learncircle.mail.models import PendingAccount
from tests.fixtures_mail import BASE_URL, parts, send
from tests.conftest import PASSWORD
from tests.helpers import html


def link_in(message, path):
    """The site link to path in a mail's plain text, as a local path for the test client."""
    found = re.search(re.escape(BASE_URL) + re.escape(path) + r"[^\s]+", parts(message)[0])
    assert found, f"no {path} link in: {parts(message)[0]}"
    return found[0].removeprefix(BASE_URL)


def page_without_tokens(response, address):
    """A page's HTML with the typed address and the CSRF tokens (timestamped, so they change by the second) taken
    out: what must be the same for a known and an unknown address."""
    body = response.get_data(as_text=True).replace(address, "ADDRESS")
    return re.sub(r'(content|value)="[A-Za-z0-9._-]{40,}"', r'\1="TOKEN"', body)


def account_of(username):
    with db.database.connection_context():
        return User.get_or_none(User.username == username)


def test_a_forgotten_password_is_reset_through_the_mailed_link_once(mail_app, smtp, client, make_user, frozen_clock):
    make_user("ana")
    login = html(client.get("/login")).find(id="forgot-password")
    assert login.a["href"] == "/forgot-password"
    assert client.post("/forgot-password", data={"email": "ANA@example.org"}).status_code == 200
    assert send(mail_app) == (1, 0)
    [message] = smtp.inbox.to("ana@example.org")
    assert "List-Unsubscribe" not in message  # asked for, not news: nothing to unsubscribe from
    path = link_in(message, "/reset-password/")
    assert client.get(path).status_code == 200
    new = {"new_password": "my brand new secret", "confirm": "my brand new secret"}
    assert client.post(path, data=new).status_code == 303
    assert client.post("/login", data={"login": "ana", "password": "my brand new secret"}).status_code == 303
    client.post("/logout")
    assert client.get(path).status_code == 404  # used
    assert client.post(path, data={**new, "new_password": "x" * 12, "confirm": "x" * 12}).status_code == 404


def test_a_mailed_reset_link_expires(mail_app, smtp, client, make_user, frozen_clock):
    make_user("ana")
    client.post("/forgot-password", data={"email": "ana@example.org"})
    send(mail_app)
    path = link_in(smtp.inbox.to("ana@example.org")[0], "/reset-password/")
    clock.advance(hours=23, minutes=59)
    assert client.get(path).status_code == 200
    clock.advance(minutes=1)
    assert client.get(path).status_code == 404


def test_the_forgotten_password_answer_is_the_same_for_known_and_unknown_addresses(mail_app, smtp, client, make_user):
    make_user("ana")
    known = client.post("/forgot-password", data={"email": "ana@example.org"})
    unknown = client.post("/forgot-password", data={"email": "ana2@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert page_without_tokens(known, "ana@example.org") == page_without_tokens(unknown, "ana2@example.org")
    send(mail_app)
    assert [recipients for recipients, _ in smtp.inbox.messages] == [["ana@example.org"]]


def test_a_bad_address_in_the_forgotten_password_form_is_said(mail_app, client, make_user):
    make_user("ana")
    response = client.post("/forgot-password", data={"email": "not an address"})
    assert response.status_code == 422
    assert html(response).select_one("#email-error") is not None


def test_registration_with_a_taken_address_keeps_the_secret_and_mails_the_owner(mail_app, smtp, client, make_user):
    mail_app.config["REGISTRATION"] = "open"
    make_user("ana")
    form = {"username": "newcomer", "email": "ana@example.org", "display_name": "", "password": "a long passphrase",
            "confirm": "a long passphrase", "timezone": "UTC"}
    taken = client.post("/register", data=form)
    fresh = client.post("/register", data={**form, "email": "fresh@example.org"})
    assert taken.status_code == fresh.status_code == 200
    assert "already exists" not in taken.get_data(as_text=True)
    assert page_without_tokens(taken, "ana@example.org") == page_without_tokens(fresh, "fresh@example.org")
    assert account_of("newcomer") is None  # nothing exists until the address is confirmed
    send(mail_app)
    [warning] = smtp.inbox.to("ana@example.org")
    assert "tried" in warning["Subject"] and "/forgot-password" in parts(warning)[0]
    [confirm] = smtp.inbox.to("fresh@example.org")
    path = link_in(confirm, "/register/confirm/")
    with db.database.connection_context():  # the chosen password waits here, and travels in no mail
        [pending] = PendingAccount.select()
        assert pending.password_hash.startswith("$argon2")
        assert "argon2" not in confirm.as_string()
        signed = path.removeprefix("/register/confirm/").rsplit(".", 1)[0]  # what the link says, unsigned
        assert set(URLSafeSerializer("any key").load_payload(signed.encode())) == {"pending", "nonce", "until"}
    assert client.get(path).status_code == 200 and account_of("newcomer") is None  # a GET writes nothing
    assert client.post(path).status_code == 303
    assert account_of("newcomer").email == "fresh@example.org"
    assert client.post("/login", data={"login": "newcomer", "password": "a long passphrase"}).status_code == 303
    client.post("/logout")
    assert client.post(path).status_code == 404  # once only
    with db.database.connection_context():
        assert PendingAccount.select().count() == 0


def test_a_taken_username_is_still_said_at_registration(mail_app, client, make_user):
    mail_app.config["REGISTRATION"] = "open"
    make_user("ana")
    form = {"username": "ana", "email": "other@example.org", "display_name": "", "password": "a long passphrase",
            "confirm": "a long passphrase", "timezone": "UTC"}
    response = client.post("/register", data=form)
    assert response.status_code == 422
    assert "taken" in html(response).select_one("#username-error").get_text()


def test_a_new_address_is_used_only_once_the_link_mailed_to_it_is_followed(mail_app, smtp, client, auth, make_user,
                                                                            frozen_clock):
    ana = auth.login(make_user("ana"))
    refused = client.post("/settings/email/address", data={"email": "new@example.org", "current_password": "wrong"})
    assert refused.status_code == 422
    sent = client.post("/settings/email/address", data={"email": "New@example.org",
                                                         "current_password": PASSWORD})
    assert sent.status_code == 303
    assert account_of("ana").email == "ana@example.org"  # the old one stays in use
    send(mail_app)
    [message] = smtp.inbox.to("new@example.org")
    path = link_in(message, "/email/confirm/")
    auth.logout()  # the link works in any browser: the signed token is the authority
    assert client.get(path).status_code == 200 and account_of("ana").email == "ana@example.org"
    assert client.post(path).status_code == 303
    assert account_of("ana").email == "new@example.org"
    assert client.post(path).status_code == 404  # once only
    assert ana.id == account_of("ana").id


def test_a_change_to_an_address_someone_has_mails_its_owner_instead(mail_app, smtp, client, auth, make_user):
    make_user("bob")
    auth.login(make_user("ana"))
    client.post("/settings/email/address", data={"email": "bob@example.org", "current_password": PASSWORD})
    send(mail_app)
    assert [recipients for recipients, _ in smtp.inbox.messages] == [["bob@example.org"]]
    assert account_of("ana").email == "ana@example.org"


def test_an_address_link_expires(mail_app, smtp, client, auth, make_user, frozen_clock):
    auth.login(make_user("ana"))
    client.post("/settings/email/address", data={"email": "new@example.org", "current_password": PASSWORD})
    send(mail_app)
    path = link_in(smtp.inbox.to("new@example.org")[0], "/email/confirm/")
    clock.advance(hours=24)
    assert client.post(path).status_code == 404
    assert account_of("ana").email == "ana@example.org"


# ---- unsubscribe ----------------------------------------------------------------------------------

@pytest.fixture
def unsubscribe_link(app, make_user):
    ana = make_user("ana")
    with app.app_context():
        return ana, f"/unsubscribe/{unsubscribe.make(ana.id, 'mentions')}"


def chosen(user, category="mentions"):
    with db.database.connection_context():
        return preferences.choices(user.id)[category]


def test_one_click_unsubscribe_works_without_login_or_csrf_token(csrf_app, client, unsubscribe_link):
    ana, path = unsubscribe_link
    page = html(client.get(path))
    assert page.find("form")["method"] == "post" and chosen(ana) == "immediately"  # the GET writes nothing
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert chosen(ana) == "never"


def test_a_tampered_or_foreign_unsubscribe_token_is_refused(app, client, unsubscribe_link):
    ana, path = unsubscribe_link
    tampered = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    other_salt = "/unsubscribe/" + URLSafeSerializer("test-secret", salt="another.purpose").dumps([ana.id, "mentions"])
    other_key = "/unsubscribe/" + URLSafeSerializer("another-secret", salt=unsubscribe.SALT).dumps([ana.id, "mentions"])
    for bad in (tampered, other_salt, other_key, "/unsubscribe/" + "x" * 500, "/unsubscribe/%00"):
        assert client.get(bad).status_code == 404
        assert client.post(bad, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert chosen(ana) == "immediately"


def test_a_registration_link_needs_its_invitation_still_usable_in_invite_mode(mail_app, smtp, client, make_user,
                                                                             make_circle):
    from learncircle.circles.models import Invitation

    owner = make_user("owner")
    circle = make_circle(owner)
    with db.database.connection_context():
        invitation = Invitation.make(circle=circle, created_by=owner)
    form = {"username": "newcomer", "email": "new@example.org", "display_name": "", "password": "a long passphrase",
            "confirm": "a long passphrase", "timezone": "UTC"}
    assert client.post(f"/register?invite={invitation.token}", data=form).status_code == 200
    send(mail_app)
    path = link_in(smtp.inbox.to("new@example.org")[0], "/register/confirm/")
    with db.database.connection_context():
        Invitation.update(revoked_at=clock.now()).where(Invitation.id == invitation.id).execute()
    assert client.post(path).status_code == 403
    assert account_of("newcomer") is None
