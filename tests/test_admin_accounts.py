"""The instance admin's accounts pages: every account listed, searched and filtered; suspending (sign-in refused
with until when and why, sessions ended, lifted by the clock), lifting, deleting; never oneself or the last admin."""
import datetime as dt

import pytest

from learncircle import clock, db
from learncircle.accounts.models import SUSPENDED_INDEFINITELY, User
from learncircle.accounts.sessions import LoginSession
from learncircle.admin import accounts
from learncircle.audit import AuditEvent
from learncircle.circles.models import FACILITATOR
from learncircle.discussions.models import Post, Thread
from tests.conftest import PASSWORD
from tests.helpers import html

@pytest.fixture
def admin(make_user):
    return make_user("root", is_admin=True, display_name="Rhea Root")


@pytest.fixture
def admin_client(app, admin):
    """A browser signed in as the admin, from an address the audit log records."""
    from tests.conftest import Auth

    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    Auth(client).login(admin)
    return client


@pytest.fixture
def ana(make_user):
    return make_user("ana", display_name="Ana Lopez")


def suspend(client, user, reason="Posted spam links in three circles.", length="until", until="2026-03-09T09:00"):
    return client.post(f"/admin/accounts/{user.id}/suspend",
                       data={"suspend-reason": reason, "suspend-length": length, "suspend-until": until})


def log_in(app, login, password=PASSWORD):
    client = app.test_client()
    return client, client.post("/login", data={"login": login, "password": password})


def events():
    with db.database.connection_context():
        return list(AuditEvent.select().order_by(AuditEvent.id))


def reload(user):
    with db.database.connection_context():
        return User.get_by_id(user.id)


# ---- who may -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/admin", "/admin/accounts", "/admin/audit", "/admin/accounts/{id}"])
def test_only_instance_admins_reach_the_admin_pages(client, auth, admin, ana, path):
    path = path.format(id=ana.id)
    signed_out = client.get(path)
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
    auth.login(ana)
    assert client.get(path).status_code == 403
    auth.login(admin)
    assert client.get(path).status_code == 200


def test_the_header_links_to_the_admin_pages_for_admins_only(client, auth, admin, ana):
    auth.login(ana)
    assert html(client.get("/")).select_one("header a[href='/admin']") is None
    auth.login(admin)
    assert html(client.get("/")).select_one("header a[href='/admin']").get_text() == "Admin"


def test_an_account_that_does_not_exist_is_not_found(admin_client):
    assert admin_client.get("/admin/accounts/999999").status_code == 404
    assert admin_client.post("/admin/accounts/999999/suspend").status_code == 404
    assert admin_client.get(f"/admin/accounts/{10**25}").status_code == 404


# ---- the list -----------------------------------------------------------------------------------

def test_the_list_shows_every_account_newest_first_with_its_circles_and_start(admin_client, admin, ana, make_user,
                                                                                make_circle, add_member):
    ben = make_user("ben", display_name="Ben Okafor")
    circle = make_circle(ana)
    add_member(make_circle(ben, name="Second"), ana)
    add_member(circle, ben)
    rows = html(admin_client.get("/admin/accounts")).select("#account-results li")
    assert [row.select_one("a.title").get_text() for row in rows] == ["Ben Okafor", "Ana Lopez", "Rhea Root"]
    assert "@ana · ana@example.org" in rows[1].get_text()
    assert "in 2 circles" in rows[1].get_text() and "in 0 circles" in rows[2].get_text()
    assert rows[1].select_one("time") is not None
    assert rows[2].select_one(".badge").get_text() == "admin"


@pytest.mark.parametrize("typed, found", [("lopez", ["Ana Lopez"]), ("BEN", ["Ben Okafor"]),
                                          ("ana@example", ["Ana Lopez"]), ("example.org", ["Ben Okafor", "Ana Lopez",
                                                                                           "Rhea Root"]),
                                          ("nobody", []), ("%", []), ("_", [])])
def test_the_list_is_searched_by_name_username_or_email(admin_client, admin, ana, make_user, typed, found):
    make_user("ben", display_name="Ben Okafor")
    page = html(admin_client.get("/admin/accounts", query_string={"q": typed}))
    assert [a.get_text() for a in page.select("#account-results a.title")] == found
    assert page.find(id="account-search")["value"] == typed
    if not found:
        assert "No account matches" in page.find(id="account-results").get_text()


def test_the_list_is_filtered_by_status(app, admin_client, admin, ana, make_user, frozen_clock):
    ben, cai = make_user("ben", display_name="Ben"), make_user("cai", display_name="Cai")
    with db.database.connection_context():
        accounts.suspend(ben, by=admin, reason="Spam.", until=clock.now() + dt.timedelta(days=1))
        User.update(deletion_requested_at=clock.now()).where(User.id == cai.id).execute()

    def names(status):
        page = html(admin_client.get("/admin/accounts", query_string={"status": status}))
        return [a.get_text() for a in page.select("#account-results a.title")]

    assert names("suspended") == ["Ben"]
    assert names("deleting") == ["Cai"]
    assert names("active") == ["Ana Lopez", "Rhea Root"]
    assert names("") == names("junk") == ["Cai", "Ben", "Ana Lopez", "Rhea Root"]
    page = html(admin_client.get("/admin/accounts"))
    badges = [badge.get_text() for badge in page.select("#account-results .badge")]
    assert badges == ["scheduled for deletion", "suspended", "admin"]
    clock.advance(days=1)  # the suspension has ended: the account is active again
    assert names("suspended") == [] and "Ben" in names("active")


def test_the_list_is_paginated_in_a_fixed_number_of_queries(app, admin_client, admin, make_user, make_circle,
                                                            add_member):
    from tests.test_query_plans import recorded_selects

    people = [make_user(f"person{number:02d}") for number in range(55)]
    circle = make_circle(people[0])
    for person in people[1:]:
        add_member(circle, person)
    admin_client.get("/admin")  # the first request of an app asks whether it has accounts yet, once
    with recorded_selects() as one:
        assert len(html(admin_client.get("/admin/accounts?q=person00")).select("#account-results li")) == 1
    with recorded_selects() as fifty:
        first = html(admin_client.get("/admin/accounts"))
    assert len(first.select("#account-results li")) == 50
    assert len(fifty) == len(one), [sql for sql, _ in fifty]  # the circles are counted in the page's query
    second = html(admin_client.get(first.select_one("a[rel=next]")["href"]))
    assert len(second.select("#account-results li")) == 6  # 55 people and the admin
    assert second.select_one("a[rel=prev]") is not None and second.select_one("a[rel=next]") is None


def test_the_overview_counts_suspended_accounts_and_links_both_pages(admin_client, admin, ana):
    with db.database.connection_context():
        accounts.suspend(ana, by=admin, reason="Spam.")
    page = html(admin_client.get("/admin"))
    links = {a["href"] for a in page.select("main a")}
    assert {"/admin/accounts", "/admin/audit", "/admin/accounts?status=suspended"} <= links
    assert "1 account suspended" in page.get_text()


# ---- one account --------------------------------------------------------------------------------

def test_the_account_page_shows_circles_roles_and_status(admin_client, admin, ana, make_circle, add_member):
    circle = make_circle(admin, name="Rust Study Group")
    add_member(circle, ana, FACILITATOR)
    page = html(admin_client.get(f"/admin/accounts/{ana.id}"))
    assert page.h1.get_text() == "Ana Lopez"
    row = page.select_one("section[aria-labelledby=circles-heading] li")
    assert "Rust Study Group" in row.get_text() and row.select_one(".badge").get_text() == "facilitator"
    assert page.find(id="account-status").get_text(strip=True) == "Active"
    assert page.find("form", action=f"/admin/accounts/{ana.id}/suspend") is not None
    assert page.find("form", action=f"/admin/accounts/{ana.id}/delete") is not None
    assert page.find("form", action=f"/admin/accounts/{ana.id}/lift") is None


# ---- suspending ---------------------------------------------------------------------------------

def test_a_suspension_ends_every_session_and_is_recorded(app, admin_client, client, auth, admin, ana,
                                                          frozen_clock):
    auth.login(ana)
    remembered, _ = log_in(app, "ana")
    assert client.get("/settings/profile").status_code == 200
    response = suspend(admin_client, ana)
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/accounts/{ana.id}"
    stored = reload(ana)
    assert stored.suspended_until == dt.datetime(2026, 3, 9, 9, 0)  # the admin's zone is UTC
    assert stored.suspended_reason == "Posted spam links in three circles."
    with db.database.connection_context():
        assert LoginSession.select().where(LoginSession.user == ana.id).count() == 0
    for browser in (client, remembered):
        assert browser.get("/settings/profile").status_code == 302  # signed out: sent to log in
    (event,) = events()
    assert (event.action, event.actor_id, event.actor_name, event.address) == (
        "admin.suspend", admin.id, "Rhea Root", "203.0.113.7")
    assert event.subject == "Ana Lopez (@ana) · 2026-03-09 09:00 UTC"
    assert event.reason == "Posted spam links in three circles."
    status = html(admin_client.get(f"/admin/accounts/{ana.id}")).find(id="account-status").get_text()
    assert "Suspended until Mon 09 Mar 2026, 09:00 UTC" in status and "Posted spam links" in status


def test_a_suspended_person_is_told_until_when_and_why_only_with_the_right_password(app, admin, ana,
                                                                                      frozen_clock):
    with db.database.connection_context():
        accounts.suspend(ana, by=admin, reason="Insults in the Rust circle.", until=clock.now() + dt.timedelta(days=2))
    browser, refused = log_in(app, "ana")
    assert refused.status_code == 403
    message = html(refused).find(id="login-suspended").get_text(" ", strip=True)
    assert "suspended until Wed 04 Mar 2026, 09:00 UTC" in message
    assert "Reason: Insults in the Rust circle." in message
    assert browser.get("/settings/profile").status_code == 302  # not signed in
    _, wrong = log_in(app, "ana", password="not the password")
    assert wrong.status_code == 422 and html(wrong).find(id="login-suspended") is None
    assert "suspended" not in wrong.get_data(as_text=True).lower()
    clock.advance(days=2)  # the suspension lifts by itself at its end
    browser, accepted = log_in(app, "ana")
    assert accepted.status_code == 303 and browser.get("/settings/profile").status_code == 200


def test_an_indefinite_suspension_says_so_and_lasts(app, admin_client, ana, frozen_clock):
    assert suspend(admin_client, ana, length="indefinitely", until="").status_code == 303
    assert reload(ana).suspended_until == SUSPENDED_INDEFINITELY
    assert events()[0].action == "admin.suspend_indefinitely"
    clock.advance(days=3650)
    _, refused = log_in(app, "ana")
    assert refused.status_code == 403
    assert "until an admin of this site lifts" in html(refused).find(id="login-suspended").get_text()


def test_a_session_of_a_suspended_account_is_refused_when_it_is_used(client, auth, ana, frozen_clock):
    auth.login(ana)
    with db.database.connection_context():  # a session begun while the suspension was being written
        User.update(suspended_until=clock.now() + dt.timedelta(hours=1), suspended_reason="x").where(
            User.id == ana.id).execute()
    assert client.get("/settings/profile").status_code == 302
    clock.advance(hours=1)
    assert client.get("/settings/profile").status_code == 200  # the clock lifted it; the session was kept


@pytest.mark.parametrize("form, field, message", [
    ({"reason": "   "}, "suspend-reason", "why the account is suspended"),
    ({"reason": "x" * 301}, "suspend-reason", "300 characters"),
    ({"until": "2026-03-01T09:00"}, "suspend-until", "has passed"),
    ({"until": ""}, "suspend-until", "Give the date and time"),
    ({"until": "2031-13-45T99:99"}, "suspend-until", "Give a date and a time"),
    ({"until": "2099-01-01T00:00"}, "suspend-until", "within 5 years"),
    ({"length": "forever"}, "suspend-length", "Not a valid choice"),
])
def test_a_suspension_without_a_reason_or_with_a_bad_end_is_refused_clearly(admin_client, ana, frozen_clock, form,
                                                                             field, message):
    values = {"reason": "Spam.", "length": "until", "until": "2026-03-09T09:00", **form}
    response = suspend(admin_client, ana, **values)
    assert response.status_code == 422
    page = html(response)
    error = page.find(id=f"{field}-error") or page.find("fieldset", attrs={"aria-invalid": "true"})
    assert error is not None and message in error.get_text(), page.select(".field-error")
    assert page.find(id="suspend-reason")["value"] == " ".join(values["reason"].split())
    assert reload(ana).suspended_until is None and events() == []


def test_lifting_a_suspension_lets_the_person_sign_in_again(app, admin_client, admin, ana):
    with db.database.connection_context():
        accounts.suspend(ana, by=admin, reason="Spam.")
    page = html(admin_client.get(f"/admin/accounts/{ana.id}"))
    assert page.find("form", action=f"/admin/accounts/{ana.id}/lift") is not None
    response = admin_client.post(f"/admin/accounts/{ana.id}/lift", data={"lift-reason": "They apologised."})
    assert response.status_code == 303
    assert reload(ana).suspended_until is None and reload(ana).suspended_reason == ""
    assert [(e.action, e.reason) for e in events()] == [("admin.suspend_indefinitely", "Spam."),
                                                        ("admin.lift_suspension", "They apologised.")]
    assert log_in(app, "ana")[1].status_code == 303
    again = admin_client.post(f"/admin/accounts/{ana.id}/lift", data={}, follow_redirects=True)
    assert "nothing to lift" in again.get_data(as_text=True) and len(events()) == 2


def test_an_admin_cannot_suspend_or_delete_themselves(admin_client, admin):
    page = html(admin_client.get(f"/admin/accounts/{admin.id}"))
    assert page.find("form", action=f"/admin/accounts/{admin.id}/suspend") is None
    assert "your own account" in page.get_text()
    refused = suspend(admin_client, admin)
    assert refused.status_code == 403 and "your own account" in refused.get_data(as_text=True)
    deleted = admin_client.post(f"/admin/accounts/{admin.id}/delete",
                                data={"delete-confirm": "root", "delete-posts": "keep", "delete-reason": "Leaving."})
    assert deleted.status_code == 403
    assert reload(admin).suspended_until is None and reload(admin).deleted_at is None and events() == []


def test_the_last_admin_who_can_sign_in_is_never_suspended_or_deleted(app, admin, make_user):
    other = make_user("other", is_admin=True)
    with db.database.connection_context():
        accounts.suspend(other, by=admin, reason="Compromised account.")
        for action in (lambda: accounts.suspend(admin, by=None, reason="From a script."),
                       lambda: accounts.delete(admin, by=None, reason="From a script.", remove_posts=False),
                       lambda: accounts.suspend(admin, by=other, reason="Revenge.")):
            with pytest.raises(accounts.Refused, match="last admin"):
                action()
        assert not User.get_by_id(admin.id).is_suspended
        accounts.lift(other, by=admin)
        accounts.suspend(admin, by=None, reason="Another admin can sign in now.")
        assert User.get_by_id(admin.id).is_suspended


# ---- deleting -----------------------------------------------------------------------------------

def delete(client, user, confirm=None, posts="keep", reason="A spam account."):
    return client.post(f"/admin/accounts/{user.id}/delete",
                       data={"delete-confirm": user.username if confirm is None else confirm, "delete-posts": posts,
                             "delete-reason": reason})


@pytest.mark.parametrize("confirm, posts, reason, field, message", [
    ("", "keep", "Spam.", "delete-confirm", "Type the username"),
    ("anna", "keep", "Spam.", "delete-confirm", "type ana exactly"),
    ("ana", "keep", "", "delete-reason", "why the account is deleted"),
    ("ana", "junk", "Spam.", "delete-posts", "Not a valid choice"),
])
def test_deleting_needs_the_username_typed_and_a_reason(admin_client, ana, confirm, posts, reason, field, message):
    response = delete(admin_client, ana, confirm=confirm, posts=posts, reason=reason)
    assert response.status_code == 422
    page = html(response)
    error = page.find(id=f"{field}-error")
    assert error is not None and message in error.get_text()
    assert reload(ana).deleted_at is None and events() == []


@pytest.fixture
def ana_posted(ana, make_circle, add_member, admin):
    circle = make_circle(admin)
    add_member(circle, ana)
    with db.database.connection_context():
        thread = Thread.start(circle=circle, author=admin, title="Welcome", kind="discussion", body="Hello all.")
        return thread.reply(author=ana, body="Hello from Ana, who will be deleted.")


@pytest.mark.parametrize("posts", ["keep", "remove"])
def test_deleting_an_account_keeps_or_removes_its_posts_as_chosen(admin_client, ana, ana_posted, posts):
    assert delete(admin_client, ana, confirm="ANA", posts=posts).headers["Location"] == "/admin/accounts"
    with db.database.connection_context():
        gone = User.get_by_id(ana.id)
        assert gone.deleted_at is not None and gone.username != "ana" and gone.email != "ana@example.org"
        post = Post.get_or_none(Post.id == ana_posted.id)
        if posts == "keep":
            assert post is not None and "Hello from Ana" in post.body
        else:
            assert post is None or "Hello from Ana" not in post.body
    ours, theirs = events()  # the admin's action and why, then what deleting did (accounts.deletion)
    assert ours.action == {"keep": "admin.delete_keep_posts", "remove": "admin.delete_remove_posts"}[posts]
    assert (ours.subject, ours.reason, ours.actor_name) == ("Ana Lopez (@ana)", "A spam account.", "Rhea Root")
    assert (theirs.action, theirs.actor_id) == (
        {"keep": "account.deleted", "remove": "account.deleted_remove"}[posts], ours.actor_id)
    assert admin_client.get(f"/admin/accounts/{ana.id}").status_code == 404
    assert "Ana Lopez" not in html(admin_client.get("/admin/accounts")).find(id="account-results").get_text()


def test_an_owner_of_circles_is_not_deleted_until_they_are_handed_over(admin_client, ana, make_circle):
    make_circle(ana, name="Ana's Spanish Circle")
    response = delete(admin_client, ana)
    assert response.status_code == 422
    assert "Ana's Spanish Circle" in html(response).find(id="action-refused").get_text()
    assert reload(ana).deleted_at is None and events() == []


def test_htmx_asks_for_the_next_page_of_accounts_and_gets_the_list_alone(admin_client, admin, make_user):
    for number in range(50):
        make_user(f"person{number:02d}")
    response = admin_client.get("/admin/accounts?page=2", headers={"HX-Request": "true"})
    part = html(response)
    assert response.status_code == 200 and part.find("header") is None and part.find("h1") is None
    assert part.select_one("section#account-results a.title").get_text() == "Rhea Root"
    assert "HX-Request" in response.headers["Vary"]
