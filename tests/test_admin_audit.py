"""The audit log page: every admin and moderation action across the instance, newest first, with who, what, which
circle, to what, why, when and from which address; filtered by circle and by action; only what is still kept."""
import pytest

from learncircle import audit, clock, db
from learncircle.admin import accounts
from learncircle.moderation import log as moderation_log
from learncircle.moderation import logbook  # noqa: F401  (names moderation's actions, as its blueprint does in the app)
from tests.helpers import html


@pytest.fixture
def admin(make_user):
    return make_user("root", is_admin=True, display_name="Rhea Root")


@pytest.fixture
def admin_client(app, admin):
    from tests.conftest import Auth

    client = app.test_client()
    Auth(client).login(admin)
    return client


def rows(response):
    """Each row of the log as {column heading: text}."""
    page = html(response)
    headings = [th.get_text() for th in page.select("#audit-results thead th")]
    return [dict(zip(headings, (td.get_text(" ", strip=True) for td in tr.select("td"))))
            for tr in page.select("#audit-results tbody tr")]


@pytest.fixture
def logged(app, admin, make_user, make_circle, frozen_clock):
    """A suspension from the admin pages (from an address), a hide in one circle and members' flags in another."""
    ana, fred = make_user("ana", display_name="Ana Lopez"), make_user("fred", display_name="Fred Facilitator")
    rust, spanish = make_circle(fred, name="Rust Study Group"), make_circle(fred, name="Spanish Circle")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    from tests.conftest import Auth
    Auth(client).login(admin)
    form = {"suspend-reason": "Spam links in every circle.", "suspend-length": "until",
            "suspend-until": "2026-03-09T09:00"}
    client.post(f"/admin/accounts/{ana.id}/suspend", data=form)
    with db.database.connection_context():
        clock.advance(minutes=5)
        moderation_log.record(rust, fred, "hidden", target_kind="post", target_id=42, reason="Off topic: rule 2.",
                              subject="post 42 by Ana Lopez")
        clock.advance(minutes=5)
        moderation_log.record(spanish, None, "auto_hidden", target_kind="post", target_id=7, subject="post 7")
    return {"ana": ana, "fred": fred, "rust": rust, "spanish": spanish}


def test_the_log_shows_who_what_where_why_when_and_from_where_newest_first(admin_client, logged):
    found = rows(admin_client.get("/admin/audit"))
    assert [row["What"] for row in found] == ["Hidden by members' flags until reviewed", "Hidden by a moderator",
                                              "Suspended an account until a date"]
    flags, hidden, suspended = found
    assert (flags["Who"], flags["Circle"]) == ("members' flags", "Spanish Circle")
    assert hidden == {"When": "5 minutes ago", "Who": "Fred Facilitator", "What": "Hidden by a moderator",
                      "Circle": "Rust Study Group", "To what": "post 42 by Ana Lopez", "Why": "Off topic: rule 2.",
                      "From": "the command line"}  # recorded outside a request
    assert suspended["Who"] == "Rhea Root" and suspended["From"] == "198.51.100.23"
    assert suspended["To what"] == "Ana Lopez (@ana) · 2026-03-09 09:00 UTC"
    assert suspended["Why"] == "Spam links in every circle." and suspended["Circle"] == ""


def test_the_log_is_filtered_by_circle_and_by_action(admin_client, logged):
    rust = logged["rust"].id
    page = html(admin_client.get("/admin/audit"))
    assert page.select_one(f"#audit-results a[href='/admin/audit?circle={rust}']").get_text() == "Rust Study Group"
    by_circle = rows(admin_client.get(f"/admin/audit?circle={rust}"))
    assert [row["What"] for row in by_circle] == ["Hidden by a moderator"]
    assert html(admin_client.get(f"/admin/audit?circle={rust}")).select_one(
        f"#audit-circle option[value='{rust}']").has_attr("selected")
    admin_only = rows(admin_client.get("/admin/audit?action=admin."))
    assert [row["What"] for row in admin_only] == ["Suspended an account until a date"]
    moderation = rows(admin_client.get("/admin/audit?action=moderation."))
    assert len(moderation) == 2
    one = rows(admin_client.get("/admin/audit?action=moderation.auto_hidden"))
    assert [row["Circle"] for row in one] == ["Spanish Circle"]
    assert rows(admin_client.get(f"/admin/audit?circle={rust}&action=admin.")) == []
    options = [option["value"] for option in page.select("#audit-action option")]
    assert options[:4] == ["", "admin.", "moderation.", "account."] and "admin.suspend" in options


@pytest.mark.parametrize("query", ["circle=abc", "circle=99999999999999999999999", "circle=-1", "action=nonsense",
                                   "action=%00", "page=0", "page=abc"])
def test_junk_filters_are_ignored_or_not_found_never_a_server_error(admin_client, logged, query):
    response = admin_client.get(f"/admin/audit?{query}")
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert len(rows(response)) == 3


def test_the_log_is_paginated_newest_first(app, admin, admin_client, frozen_clock):
    with db.database.connection_context():
        for number in range(55):
            clock.advance(minutes=1)
            audit.record("admin.suspend", actor=admin, subject=f"account {number}", reason="Spam.")
    first = html(admin_client.get("/admin/audit"))
    subjects = [tr.select("td")[4].get_text() for tr in first.select("#audit-results tbody tr")]
    assert len(subjects) == 50 and subjects[0] == "account 54"
    second = html(admin_client.get(first.select_one("a[rel=next]")["href"]))
    assert [tr.select("td")[4].get_text() for tr in second.select("#audit-results tbody tr")][-1] == "account 0"


def test_events_past_the_retention_are_no_longer_shown(app, admin, admin_client, frozen_clock):
    app.config["AUDIT_RETENTION_DAYS"] = 30
    with db.database.connection_context():
        audit.record("admin.lift_suspension", actor=admin, subject="old")
        clock.advance(days=20)
        audit.record("admin.lift_suspension", actor=admin, subject="recent")
    clock.advance(days=11)
    assert [row["To what"] for row in rows(admin_client.get("/admin/audit"))] == ["recent"]
    assert "Kept for 30 days" in html(admin_client.get("/admin")).get_text()


def test_an_action_from_the_command_line_or_the_site_itself_says_so(app, admin, admin_client):
    with app.app_context(), db.database.connection_context():  # no request: the command line
        user = accounts.find(admin.id)
        audit.record("account.deleted", actor=None, subject="@gone", reason="")
        audit.record("admin.lift_suspension", actor=user, subject="@ana")
    lifted, deleted = rows(admin_client.get("/admin/audit"))
    assert (lifted["Who"], lifted["From"]) == ("Rhea Root", "the command line")
    assert deleted["Who"] == "no one: done by the site itself"


def test_members_and_signed_out_visitors_never_see_the_log(client, auth, make_user, logged):
    assert client.get("/admin/audit").status_code == 302
    auth.login(logged["fred"])
    response = client.get("/admin/audit")
    assert response.status_code == 403 and "198.51.100.23" not in response.get_data(as_text=True)


def test_the_overview_lists_each_circle_with_flags_waiting_and_links_its_queue(admin_client, make_user, make_circle,
                                                                             add_member):
    from learncircle.moderation.models import Flag

    owner, ana, bea = make_user("owner"), make_user("ana"), make_user("bea")
    quiet, busy = make_circle(owner, name="Quiet Circle"), make_circle(owner, name="Busy Circle")
    with db.database.connection_context():
        for flagger, target in ((ana, 1), (bea, 1), (ana, 2)):
            Flag.create(circle=busy, target_kind="post", target_id=target, flagger=flagger, reason="spam")
        Flag.create(circle=quiet, target_kind="post", target_id=3, flagger=bea, reason="spam", resolved_at=clock.now(),
                    resolution="kept")
    listed = html(admin_client.get("/admin")).select("#flagged-circles li")
    assert [(li.a.get_text(), li.a["href"], li.select_one(".meta").get_text()) for li in listed] == [
        ("Busy Circle", f"/c/{busy.slug}/moderation", "3 open flags")]
