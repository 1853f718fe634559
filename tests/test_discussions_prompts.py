"""Scheduled prompts: a facilitator writes a thread that publishes itself at a time typed in their own zone;
until then only the circle's facilitators see it, and afterwards everyone does, dated then, in their zone.
The clock decides on each request: no job runs."""
import datetime as dt

import pytest

from learncircle import db
from learncircle.circles.models import FACILITATOR, MEMBER, Membership
from learncircle.discussions import watching
from learncircle.discussions.models import Post, Thread
from learncircle.notices.models import Notice
from tests.helpers import html

START = dt.datetime(2026, 3, 2, 9, 0)  # the frozen clock's start, UTC (10:00 in Berlin)


def schedule(client, circle, when, title="Week 3: what surprised you?", body="Tell us one thing.", **extra):
    return client.post(f"/c/{circle.slug}/threads/new", data={
        "title": title, "kind": "discussion", "body": body, "form_key": "", "publish_at": when, **extra})


def titles(page):
    return [a.get_text() for a in page.select("#threads a.title")]


@pytest.fixture
def circle(roles, make_user, add_member, frozen_clock):
    people = roles()
    berliner = make_user("berliner", timezone="Europe/Berlin", display_name="Berit")
    add_member(people["circle"], berliner, FACILITATOR)
    angeleno = make_user("angeleno", timezone="America/Los_Angeles", display_name="Ana")
    add_member(people["circle"], angeleno, MEMBER)
    return {**people, "berliner": berliner, "angeleno": angeleno}


def scheduled_thread(client, auth, circle, when="2026-03-04T18:00"):
    auth.login(circle["berliner"])
    response = schedule(client, circle["circle"], when)
    assert response.status_code == 303
    with db.database.connection_context():
        return Thread.get(Thread.title == "Week 3: what surprised you?")


def test_the_time_is_typed_in_the_facilitators_zone_and_stored_in_utc(client, auth, circle):
    thread = scheduled_thread(client, auth, circle)
    assert thread.created_at == dt.datetime(2026, 3, 4, 17, 0)  # 18:00 in Berlin is 17:00 UTC in March
    with db.database.connection_context():
        opening = Post.get((Post.thread == thread.id) & (Post.number == 1))
    assert opening.created_at == thread.created_at == thread.last_activity_at


def test_until_its_time_only_facilitators_see_it(client, auth, circle):
    thread = scheduled_thread(client, auth, circle)
    with db.database.connection_context():
        opening = Post.get((Post.thread == thread.id) & (Post.number == 1))
    slug = circle["circle"].slug

    page = html(client.get(f"/c/{slug}"))  # the facilitator who wrote it
    listed = page.select_one("#scheduled-prompts li")
    assert listed.select_one("a")["href"] == f"/t/{thread.id}"
    assert "Wed 04 Mar 2026, 18:00" in listed.get_text()  # in Berlin time
    assert "Week 3: what surprised you?" not in titles(page)
    own = html(client.get(f"/t/{thread.id}"))
    assert "Scheduled: this thread publishes itself" in own.select_one(f"#thread-{thread.id}-scheduled").get_text()
    assert own.select_one("#reply-form, form[action$='/reply']") is None

    auth.login(circle["owner"])
    assert client.get(f"/t/{thread.id}").status_code == 200
    for who in ("angeleno", MEMBER, "outsider"):
        auth.login(circle[who])
        page = html(client.get(f"/c/{slug}"))
        assert "Week 3: what surprised you?" not in page.get_text(), who
        assert page.select_one("#scheduled-prompts") is None
        assert client.get(f"/t/{thread.id}").status_code == 404, who
        assert client.get(f"/p/{opening.id}").status_code == 404, who
        assert client.get(f"/t/{thread.id}/unread").status_code == 404, who
        assert client.post(f"/t/{thread.id}/reply", data={"body": "Early!", "form_key": ""}).status_code == 404


def test_nobody_replies_before_it_is_published(client, auth, circle):
    thread = scheduled_thread(client, auth, circle)
    response = client.post(f"/t/{thread.id}/reply", data={"body": "Early!", "form_key": ""})
    assert response.status_code == 409
    assert "not published yet" in html(response).get_text()
    with db.database.connection_context():
        assert Post.select().where(Post.thread == thread.id).count() == 1


def test_it_publishes_itself_when_the_clock_passes_its_time(client, auth, circle, frozen_clock):
    thread = scheduled_thread(client, auth, circle)
    with db.database.connection_context():
        earlier = Thread.start(circle=circle["circle"], author=circle["owner"], title="Earlier talk",
                               kind="discussion", body="Hi.")
    auth.login(circle["angeleno"])
    frozen_clock.freeze(dt.datetime(2026, 3, 4, 16, 59))
    assert "Week 3: what surprised you?" not in titles(html(client.get(f"/c/{circle['circle'].slug}")))

    frozen_clock.freeze(dt.datetime(2026, 3, 4, 17, 0))
    page = html(client.get(f"/c/{circle['circle'].slug}"))
    assert titles(page)[:2] == ["Week 3: what surprised you?", earlier.title]
    assert page.select_one(f"#thread-{thread.id} a.new").get_text() == "1 new post"  # news to the member
    shown = html(client.get(f"/t/{thread.id}"))
    assert shown.select_one(f"#thread-{thread.id}-scheduled") is None
    stamp = shown.select_one("article.post time")
    assert stamp["datetime"] == "2026-03-04T17:00:00Z"
    assert "09:00" in stamp["title"]  # 17:00 UTC is 09:00 in Los Angeles, shown in the reader's zone
    response = client.post(f"/t/{thread.id}/reply", data={"body": "It was the borrow checker.", "form_key": ""})
    assert response.status_code == 303


def test_a_prompt_is_not_news_before_its_time(client, auth, circle):
    scheduled_thread(client, auth, circle)
    auth.login(circle["angeleno"])
    page = html(client.get("/"))
    assert page.select_one("#my-circles .badge.new") is None


@pytest.mark.parametrize("when, message", [
    ("2026-03-02T09:30", "Choose a time in the future"),  # 09:30 in Berlin has passed (10:00 there now)
    ("2029-01-01T10:00", "Choose a date within 1 years from now"),
    ("tomorrow", "Give a date and a time"),
    ("1999-12-31T23:59", "long past"),
])
def test_a_time_it_cannot_use_keeps_the_form_and_says_why(client, auth, circle, when, message):
    auth.login(circle["berliner"])
    response = schedule(client, circle["circle"], when)
    assert response.status_code == 422
    page = html(response)
    assert message in page.select_one("#publish_at-error").get_text()
    assert page.select_one("#thread-title")["value"] == "Week 3: what surprised you?"
    assert page.select_one("#thread-body").get_text().strip() == "Tell us one thing."
    with db.database.connection_context():
        assert Thread.select().count() == 0


def test_only_facilitators_are_offered_or_allowed_a_publishing_time(client, auth, circle):
    auth.login(circle["angeleno"])
    assert html(client.get(f"/c/{circle['circle'].slug}/threads/new")).select_one("#publish_at") is None
    assert schedule(client, circle["circle"], "2026-03-04T18:00").status_code == 403
    with db.database.connection_context():
        assert Thread.select().count() == 0
    auth.login(circle["berliner"])
    field = html(client.get(f"/c/{circle['circle'].slug}/threads/new")).select_one("#publish_at")
    assert field["type"] == "datetime-local"
    assert "Europe/Berlin time" in html(client.get(f"/c/{circle['circle'].slug}/threads/new")).get_text()


def test_an_empty_time_publishes_at_once(client, auth, circle):
    auth.login(circle["berliner"])
    assert schedule(client, circle["circle"], "").status_code == 303
    auth.login(circle["angeleno"])
    assert "Week 3: what surprised you?" in titles(html(client.get(f"/c/{circle['circle'].slug}")))


def test_publish_now_and_cancel(client, auth, circle):
    thread = scheduled_thread(client, auth, circle)
    auth.login(circle["owner"])
    response = client.post(f"/t/{thread.id}/publish")
    assert response.status_code == 303 and response.headers["Location"] == f"/t/{thread.id}"
    auth.login(circle["angeleno"])
    assert client.get(f"/t/{thread.id}").status_code == 200
    assert client.post(f"/t/{thread.id}/publish").status_code == 403  # a member, on a published thread
    assert client.post(f"/t/{thread.id}/cancel").status_code == 403

    auth.login(circle["berliner"])
    response = client.post(f"/t/{thread.id}/cancel", follow_redirects=True)
    assert "was published before it could be cancelled" in html(response).get_text()
    assert schedule(client, circle["circle"], "2026-03-05T08:00", title="Another prompt").status_code == 303
    with db.database.connection_context():
        other = Thread.get(Thread.title == "Another prompt")
    response = client.post(f"/t/{other.id}/cancel")
    assert response.status_code == 303 and response.headers["Location"] == f"/c/{circle['circle'].slug}"
    with db.database.connection_context():
        assert Thread.get_or_none(Thread.id == other.id) is None
        assert Thread.get_or_none(Thread.id == thread.id) is not None


def test_a_scheduled_prompt_is_invisible_to_members_actions(client, auth, circle):
    thread = scheduled_thread(client, auth, circle)
    auth.login(circle["angeleno"])
    assert client.post(f"/t/{thread.id}/publish").status_code == 404
    assert client.post(f"/t/{thread.id}/cancel").status_code == 404
    assert client.post("/t/999999/publish").status_code == 404


def test_publishing_now_or_cancelling_moves_or_drops_the_notices_waiting_for_it(client, auth, circle):
    with db.database.connection_context():
        watching.set_circle_level(Membership.of(circle["angeleno"], circle["circle"]), watching.WATCHING)
    thread = scheduled_thread(client, auth, circle)
    auth.login(circle["angeleno"])
    assert "Week 3" not in html(client.get("/notices")).get_text()
    auth.login(circle["berliner"])
    client.post(f"/t/{thread.id}/publish")
    auth.login(circle["angeleno"])
    assert "Berit started “Week 3: what surprised you?”" in html(client.get("/notices")).get_text()

    auth.login(circle["berliner"])
    assert schedule(client, circle["circle"], "2026-03-05T08:00", title="Another prompt").status_code == 303
    with db.database.connection_context():
        other = Thread.get(Thread.title == "Another prompt")
        assert Notice.select().where(Notice.url == f"/t/{other.id}").count() == 1  # waiting for its time
    client.post(f"/t/{other.id}/cancel")
    with db.database.connection_context():
        assert Notice.select().where(Notice.url == f"/t/{other.id}").count() == 0


def test_a_clock_set_back_hides_no_published_thread(client, auth, circle, frozen_clock):
    """A server whose clock jumps back (a Raspberry Pi that booted without one) still shows what it showed."""
    with db.database.connection_context():
        thread = Thread.start(circle=circle["circle"], author=circle["owner"], title="Posted today",
                              kind="discussion", body="Hello.")
    frozen_clock.freeze(START - dt.timedelta(days=400))
    auth.login(circle["angeleno"])
    assert "Posted today" in titles(html(client.get(f"/c/{circle['circle'].slug}")))
    assert client.get(f"/t/{thread.id}").status_code == 200


def test_a_scheduled_prompt_is_found_by_search_only_once_published(client, auth, circle, frozen_clock):
    scheduled_thread(client, auth, circle)
    for who in ("angeleno", "berliner"):
        auth.login(circle[who])
        page = html(client.get("/search?q=surprised"))
        assert "Week 3" not in page.get_text(), who
    frozen_clock.freeze(dt.datetime(2026, 3, 4, 17, 0))
    auth.login(circle["angeleno"])
    assert "Week 3: what surprised you?" in html(client.get("/search?q=surprised")).get_text()


def test_a_prompts_mentions_are_told_when_it_is_published(client, auth, circle, frozen_clock):
    auth.login(circle["berliner"])
    assert schedule(client, circle["circle"], "2026-03-04T18:00", body="@angeleno, what surprised you?")\
        .status_code == 303
    auth.login(circle["angeleno"])
    assert "mentioned you" not in html(client.get("/notices")).get_text()
    frozen_clock.freeze(dt.datetime(2026, 3, 4, 17, 0))
    assert "Berit mentioned you in “Week 3: what surprised you?”." in html(client.get("/notices")).get_text()
