"""Deleting an account: asked with the password, a grace period, cancelling at sign-in, then final (deletion.py)."""
import io
import json
import zipfile

import pytest

from learncircle import audit, clock, create_app, db, housekeeping
from learncircle.accounts import deletion
from learncircle.accounts.models import User
from learncircle.accounts.sessions import LoginSession
from learncircle.circles.models import DEPARTED_KEEP, PUBLIC, Circle, Membership
from learncircle.discussions import reactions, watching
from learncircle.discussions.models import Post, ReadState, Thread
from learncircle.moderation.models import Flag
from learncircle.notices.models import Notice
from tests.conftest import PASSWORD, Auth
from tests.helpers import html
from tests.test_discussions_threads import recorded_sql


@pytest.fixture
def scene(app, frozen_clock, make_user, make_circle, add_member):
    """Mia wrote in a circle that lets her choose and in one that keeps departing members' posts."""
    owner, mia, olga = make_user("owner"), make_user("mia", display_name="Mia M"), make_user("olga")
    chooses = make_circle(owner, name="Open Rust", visibility=PUBLIC)
    keeps = make_circle(owner, name="Keepers", visibility=PUBLIC)
    for circle in (chooses, keeps):
        add_member(circle, mia)
        add_member(circle, olga)
    with db.database.connection_context():
        Circle.update(departed_posts=DEPARTED_KEEP).where(Circle.id == keeps.id).execute()
        discussed = Thread.start(circle=chooses, author=mia, title="Mia's question", kind="discussion",
                                 body="mia opening words")
        olgas_reply = discussed.reply(author=olga, body="olga replies here")
        mias_second = discussed.reply(author=mia, body="mia answers back")
        alone = Thread.start(circle=chooses, author=mia, title="Nobody answered", kind="discussion",
                             body="mia alone")
        kept = Thread.start(circle=keeps, author=olga, title="Olga's topic", kind="discussion", body="olga asks")
        kept_reply = kept.reply(author=mia, body="mia in the keeping circle")
        reactions.toggle(olgas_reply, mia, reactions.HELPFUL)
        Flag.create(circle=chooses, target_kind="post", target_id=olgas_reply.id, flagger=mia, reason="spam")
    return dict(owner=owner, mia=mia, olga=olga, chooses=chooses, keeps=keeps, discussed=discussed,
                olgas_reply=olgas_reply, mias_second=mias_second, alone=alone, kept=kept, kept_reply=kept_reply)


def ask(client, posts="keep", password=PASSWORD):
    data = {"password": password}
    if posts:
        data["posts"] = posts
    return client.post("/settings/data/delete", data=data)


def reload(user):
    with db.database.connection_context():
        return User.get_by_id(user.id)


def audited(action):
    with db.database.connection_context():
        return [event.subject for event in audit.AuditEvent.select().where(audit.AuditEvent.action == action)]


def run_housekeeping(app):
    with app.app_context(), db.database.connection_context():
        return housekeeping.run()


def test_the_page_names_the_circles_that_keep_posts(client, auth, scene):
    auth.login(scene["mia"])
    page = html(client.get("/settings/data"))
    assert [li.get_text() for li in page.select("#keeping-circles li")] == ["Keepers"]
    assert page.select_one("#delete-form input[name=password]")["autocomplete"] == "current-password"
    assert {radio["value"] for radio in page.select("#delete-form input[name=posts]")} == {"keep", "remove"}


def test_a_wrong_password_is_refused_and_the_choice_kept(client, auth, scene):
    auth.login(scene["mia"])
    response = ask(client, "remove", "not my password")
    assert response.status_code == 422
    page = html(response)
    assert page.select_one("#password-error").get_text() == "That is not your password."
    assert page.select_one("#password")["aria-invalid"] == "true"
    assert page.select_one("input[name=posts][value=remove]").has_attr("checked")
    assert reload(scene["mia"]).deletion_requested_at is None


def test_a_missing_choice_is_refused(client, auth, scene):
    auth.login(scene["mia"])
    response = ask(client, posts=None)
    assert response.status_code == 422
    assert "Choose what happens to your posts." in html(response).select_one("#delete-form").get_text()
    assert reload(scene["mia"]).deletion_requested_at is None


def test_an_owner_must_hand_their_circles_over_first(client, auth, scene):
    auth.login(scene["owner"])
    page = html(client.get("/settings/data"))
    refused = page.select_one("#delete-refused")
    assert [a.get_text() for a in refused.select("a")] == ["Keepers", "Open Rust"]
    assert page.select_one("#delete-form") is None
    assert ask(client).status_code == 422
    assert reload(scene["owner"]).deletion_requested_at is None
    with db.database.connection_context(), pytest.raises(deletion.OwnsCircles):
        deletion.delete_now(scene["owner"], remove_posts=False)


def test_asking_signs_out_everywhere_and_signing_in_offers_to_cancel(app, client, auth, scene):
    auth.login(scene["mia"])
    other_browser = app.test_client()
    Auth(other_browser).login(scene["mia"])
    response = ask(client, "remove")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "16 Mar 2026" in html(client.get("/")).select_one("#notices").get_text()
    mia = reload(scene["mia"])
    assert mia.deletion_requested_at == clock.now() and mia.deletion_removes_posts is True
    with db.database.connection_context():
        assert LoginSession.select().where(LoginSession.user == mia.id).count() == 0
    assert other_browser.get("/settings/data").status_code in (302, 303)  # signed out there too
    assert audited(deletion.REQUESTED_REMOVING) == ["@mia"] and audited(deletion.REQUESTED) == []

    clock.advance(days=3)
    signed = client.post("/login", data={"login": "mia", "password": PASSWORD})
    assert signed.status_code == 200
    page = html(signed)
    assert "16 Mar 2026" in page.select_one("#deletion-date").get_text()
    with db.database.connection_context():
        assert LoginSession.select().where(LoginSession.user == mia.id).count() == 0  # not signed in by that
    token = page.select_one("input[name=token]")["value"]
    cancelled = client.post("/login/cancel-deletion", data={"token": token})
    assert cancelled.status_code == 303 and cancelled.headers["Location"] == "/settings/data"
    assert reload(mia).deletion_requested_at is None
    assert client.get("/settings/data").status_code == 200  # signed in now
    assert audited(deletion.CANCELLED) == ["@mia"]
    assert run_housekeeping(app)["accounts.deletions"] == 0


def test_a_forged_or_stale_cancel_token_cancels_nothing(app, client, auth, scene):
    auth.login(scene["mia"])
    ask(client)
    page = html(client.post("/login", data={"login": "mia", "password": PASSWORD}))
    token = page.select_one("input[name=token]")["value"]
    response = client.post("/login/cancel-deletion", data={"token": token + "x"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    clock.advance(hours=1)  # the sign-in page's token lasts half an hour
    assert client.post("/login/cancel-deletion", data={"token": token}).headers["Location"] == "/login"
    assert reload(scene["mia"]).deletion_requested_at is not None


def test_the_housekeeping_job_deletes_after_the_grace_period(app, client, auth, scene):
    auth.login(scene["mia"])
    ask(client, "keep")
    clock.advance(days=13, hours=23)
    assert run_housekeeping(app)["accounts.deletions"] == 0
    assert reload(scene["mia"]).deleted_at is None
    clock.advance(hours=1)
    assert run_housekeeping(app)["accounts.deletions"] == 1
    mia = reload(scene["mia"])
    assert mia.deleted_at == clock.now()
    assert (mia.username, mia.email, mia.display_name, mia.bio, mia.pronouns) == (
        f"~deleted{mia.id}", f"~deleted{mia.id}", "", "", "")
    assert audited(deletion.DELETED) == ["@mia"] and audited(deletion.DELETED_REMOVING) == []
    assert run_housekeeping(app)["accounts.deletions"] == 0  # twice is once
    response = client.post("/login", data={"login": "mia", "password": PASSWORD})
    assert response.status_code == 422  # nobody signs in as a deleted account, by any name
    assert client.post("/login", data={"login": mia.username, "password": "!"}).status_code == 422


def test_kept_posts_show_a_deleted_member_in_order(app, client, auth, scene):
    with db.database.connection_context():
        deletion.delete_now(scene["mia"], remove_posts=False)
        assert Membership.select().where(Membership.user == scene["mia"].id).count() == 0
        assert Circle.get_by_id(scene["chooses"].id).member_count == 2
    auth.login(scene["olga"])
    page = html(client.get(f"/t/{scene['discussed'].id}"))
    posts = page.select("article.post")
    assert [p.select_one(".author").get_text() for p in posts] == ["deleted member", "Olga", "deleted member"]
    assert [p.select_one(".body").get_text(" ", strip=True) for p in posts] == [
        "mia opening words", "olga replies here", "mia answers back"]
    assert "Mia M" not in page.get_text()
    listing = html(client.get(f"/c/{scene['chooses'].slug}")).get_text(" ")
    assert "by deleted member" in listing and "Mia M" not in listing


def test_removed_posts_are_blanked_but_a_keeping_circle_keeps_them(app, client, auth, scene):
    with db.database.connection_context():
        deletion.delete_now(scene["mia"], remove_posts=True)
        numbers = [(p.number, p.body, p.deleted_at is not None) for p in
                   Post.select().where(Post.thread == scene["discussed"].id).order_by(Post.number)]
        assert numbers == [(1, "", True), (2, "olga replies here", False), (3, "", True)]
        assert Thread.get_or_none(Thread.id == scene["alone"].id) is None  # nobody else wrote in it
        assert Thread.get_by_id(scene["discussed"].id).title == "Mia's question"  # the replies' topic
        assert Post.get_by_id(scene["kept_reply"].id).body == "mia in the keeping circle"
    auth.login(scene["olga"])
    page = html(client.get(f"/t/{scene['discussed'].id}"))
    posts = page.select("article.post")
    assert [p["id"] for p in posts] == [f"post-{n}" for n in (
        Post.get((Post.thread == scene["discussed"].id) & (Post.number == 1)).id, scene["olgas_reply"].id,
        scene["mias_second"].id)]
    assert [p.select_one(".body").get_text(strip=True) for p in posts] == [
        "This post was deleted.", "olga replies here", "This post was deleted."]
    kept = html(client.get(f"/t/{scene['kept'].id}"))
    assert [p.select_one(".author").get_text() for p in kept.select("article.post")] == ["Olga", "deleted member"]
    assert "mia in the keeping circle" in kept.get_text()


def test_what_was_hers_alone_goes(app, scene):
    mia, olgas_reply = scene["mia"], scene["olgas_reply"]
    with db.database.connection_context():
        watching.set_thread_level(mia, scene["kept"], watching.WATCHING)
        assert Post.get_by_id(olgas_reply.id).helpful_count == 1
        deletion.delete_now(mia, remove_posts=False, by=scene["owner"])
        assert Post.get_by_id(olgas_reply.id).helpful_count == 0
        for model, column in ((reactions.Reaction, reactions.Reaction.user), (Flag, Flag.flagger),
                              (ReadState, ReadState.user), (watching.ThreadWatch, watching.ThreadWatch.user),
                              (Notice, Notice.user), (LoginSession, LoginSession.user)):
            assert model.select().where(column == mia.id).count() == 0, model.__name__
        event = audit.AuditEvent.get(audit.AuditEvent.action == deletion.DELETED)
        assert event.actor_id == scene["owner"].id and event.subject == "@mia"
        assert deletion.delete_now(mia, remove_posts=True) is False  # already done: nothing more goes


def test_her_calendar_address_answers_and_votes_go_and_her_attendance_stays(app, scene):
    import datetime as dt

    from learncircle.meetings import feeds, scheduling
    from learncircle.meetings.models import GOING, YES, Attendance, CalendarFeed, Occurrence, Poll, Rsvp, Slot, Vote

    mia = scene["mia"]
    with db.database.connection_context():
        meeting = scheduling.schedule(circle=scene["chooses"], organiser=scene["owner"], title="Weekly call",
                                      local_start=dt.datetime(2031, 1, 6, 18), zone="UTC", duration_minutes=60)
        occurrence = Occurrence.get(Occurrence.meeting == meeting)
        Rsvp.create(occurrence=occurrence, user=mia, answer=GOING)
        Attendance.create(occurrence=occurrence, user=mia)
        poll = Poll.create(circle=scene["chooses"], title="When?", zone="UTC", duration_minutes=60)
        Vote.create(slot=Slot.create(poll=poll, starts_at=dt.datetime(2031, 1, 7, 18)), user=mia, answer=YES)
        token = feeds.make(mia)
        deletion.delete_now(mia, remove_posts=False)
        assert feeds.owner(token) is None
        for model in (CalendarFeed, Rsvp, Vote):
            assert model.select().where(model.user == mia.id).count() == 0, model.__name__
        assert Attendance.select().where(Attendance.user == mia.id).count() == 1


def test_a_deleted_author_costs_the_thread_page_no_query(client, auth, scene):
    """"deleted member" is said from the author's name the page already reads: the same queries as before."""
    auth.login(scene["olga"])
    url = f"/t/{scene['discussed'].id}"
    client.get(url)
    with recorded_sql() as before:
        client.get(url)
    with db.database.connection_context():
        deletion.delete_now(scene["mia"], remove_posts=False)
    client.get(url)
    with recorded_sql() as after:
        page = html(client.get(url))
    assert "deleted member" in page.select_one("article.post .author").get_text()
    assert len(after) == len(before), after


def test_a_deleted_members_profile_is_gone(client, auth, scene):
    with db.database.connection_context():
        deletion.delete_now(scene["mia"], remove_posts=False)
    auth.login(scene["owner"])
    assert client.get(f"/u/~deleted{scene['mia'].id}").status_code == 404
    assert client.get("/u/mia").status_code == 404


def test_the_owner_chooses_what_the_circle_keeps(client, auth, scene):
    circle = scene["chooses"]
    auth.login(scene["owner"])
    page = html(client.get(f"/c/{circle.slug}/settings"))
    assert page.select_one("input[name=departed_posts][value=choice]").has_attr("checked")
    response = client.post(f"/c/{circle.slug}/settings", data={
        "name": circle.name, "slug": circle.slug, "purpose": "Learn Rust together.", "goals": "",
        "conduct": "Be kind.", "visibility": PUBLIC, "departed_posts": DEPARTED_KEEP})
    assert response.status_code == 303
    with db.database.connection_context():
        assert Circle.get_by_id(circle.id).departed_posts == DEPARTED_KEEP
    auth.login(scene["mia"])
    assert [li.get_text() for li in html(client.get("/settings/data")).select("#keeping-circles li")] == [
        "Keepers", "Open Rust"]


def test_wrong_passwords_are_limited_as_on_the_password_page(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.sqlite3'}",
                      "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
                      "LOGIN_LIMIT": "2 per hour"})
    db.upgrade()
    try:
        with db.database.connection_context():
            mia = User.register(username="mia", email="mia@example.org", password=PASSWORD)
        client = app.test_client()
        Auth(client).login(mia)
        assert [ask(client, "keep", "wrong").status_code for _ in range(2)] == [422, 422]
        refused = ask(client, "keep", PASSWORD)
        assert refused.status_code == 429
        page = html(refused)
        assert "Too many wrong passwords" in page.select_one("[role=alert]").get_text()
        assert page.select_one("#delete-form") is not None
        assert reload(mia).deletion_requested_at is None
    finally:
        db.close_all()


# ---- PostgreSQL ------------------------------------------------------------------------------------

def test_deleting_and_exporting_on_postgresql(pg_app):
    """The set-based updates and deletes of delete_now, and the export's joined batches, as PostgreSQL runs them."""
    app = pg_app  # emptied and migrated (tests/conftest.py)
    try:
        with app.app_context(), db.database.connection_context():
            owner, mia, olga = (User.register(username=name, email=f"{name}@example.org", password=PASSWORD)
                                for name in ("owner", "mia", "olga"))
            circle = Circle.found(owner=owner, name="PG", slug="pg", purpose="Together.")
            for person in (mia, olga):
                Membership.join(user=person, circle=circle)
            thread = Thread.start(circle=circle, author=mia, title="On PG", kind="discussion", body="mia words")
            olgas = thread.reply(author=olga, body="olga words")
            Thread.start(circle=circle, author=mia, title="Alone", kind="discussion", body="mia alone")
            reactions.toggle(olgas, mia, reactions.THANKS)
        client = app.test_client()
        assert client.post("/login", data={"login": "mia", "password": PASSWORD}).status_code == 303
        files = zipfile.ZipFile(io.BytesIO(client.get("/settings/data/export.zip").data))
        assert len(json.loads(files.read("posts.json"))) == 2
        with app.app_context(), db.database.connection_context():
            assert deletion.delete_now(mia, remove_posts=True) is True
            assert [(p.number, p.body) for p in Post.select().where(Post.thread == thread.id).order_by(
                Post.number)] == [(1, ""), (2, "olga words")]
            assert Thread.select().count() == 1
            assert Post.get_by_id(olgas.id).thanks_count == 0
            assert Circle.get_by_id(circle.id).member_count == 2
    finally:
        db.close_all()
