"""Notices about replies and new threads: who watches what (authors and repliers by default, levels per thread
and per circle), replies gathered in one notice while it is unread, prompts' notices waiting for their time,
the header count's 304, and marking one notice read."""
import datetime as dt

import pytest

from learncircle import db
from learncircle.circles.models import MEMBER, PRIVATE, Membership
from learncircle.discussions import watching
from learncircle.discussions.models import Thread, ThreadWatch
from learncircle.notices.models import Notice
from tests.helpers import html
from tests.test_discussions_threads import recorded_sql

HTMX = {"HX-Request": "true"}


def start(circle, author, title="Plans for the week", **extra):
    with db.database.connection_context():
        return Thread.start(circle=circle, author=author, title=title, kind="discussion", body="Opening.", **extra)


def reply(thread, author, body="A reply."):
    with db.database.connection_context():
        return Thread.get_by_id(thread.id).reply(author=author, body=body)


def notices_of(user):
    """[(text, url, read?)] of a person's notices, oldest first, as stored."""
    with db.database.connection_context():
        return [(n.text, n.url, n.is_read) for n in Notice.select().where(Notice.user == user.id).order_by(Notice.id)]


def level(user, circle, value):
    with db.database.connection_context():
        watching.set_circle_level(Membership.of(user, circle), value)


@pytest.fixture
def scene(roles, make_user, add_member, frozen_clock):
    people = roles()
    for name in ("ana", "ben", "cai"):
        people[name] = make_user(name)
        add_member(people["circle"], people[name])
    return people


def test_the_author_and_those_who_replied_hear_of_replies_and_nobody_else(app, scene):
    thread = start(scene["circle"], scene["ana"])
    reply(thread, scene["ben"])
    assert notices_of(scene["ana"]) == [(f"Ben replied in “{thread.title}”.", f"/t/{thread.id}/unread", False)]
    reply(thread, scene["ana"], "Thanks, Ben.")
    assert notices_of(scene["ben"]) == [(f"Ana replied in “{thread.title}”.", f"/t/{thread.id}/unread", False)]
    assert notices_of(scene["cai"]) == [] and notices_of(scene["owner"]) == []


def test_replies_gather_in_one_notice_until_it_is_read(app, scene, frozen_clock):
    thread = start(scene["circle"], scene["ana"])
    reply(thread, scene["ben"])
    frozen_clock.advance(minutes=5)
    reply(thread, scene["cai"])
    reply(thread, scene["ben"], "And one more thing.")
    assert notices_of(scene["ana"]) == [(f"New replies in “{thread.title}”.", f"/t/{thread.id}/unread", False)]
    with db.database.connection_context():
        gathered = Notice.get(Notice.user == scene["ana"].id)
        assert gathered.created_at == dt.datetime(2026, 3, 2, 9, 5)  # moved up to the latest reply
        Notice.mark_read(scene["ana"].id)
    reply(thread, scene["cai"], "Last word.")
    assert [text for text, _, read in notices_of(scene["ana"]) if not read] == [f"Cai replied in “{thread.title}”."]


def test_a_muted_thread_is_silent_and_a_watched_one_speaks_to_a_reader(app, scene):
    thread = start(scene["circle"], scene["ana"])
    with db.database.connection_context():
        watching.set_thread_level(scene["ana"], thread, watching.MUTED)
        watching.set_thread_level(scene["cai"], thread, watching.WATCHING)
    reply(thread, scene["ben"])
    assert notices_of(scene["ana"]) == []
    assert [text for text, _, _ in notices_of(scene["cai"])] == [f"Ben replied in “{thread.title}”."]
    reply(thread, scene["ana"], "Muted, but still mine.")  # replying does not undo the choice
    with db.database.connection_context():
        assert ThreadWatch.get((ThreadWatch.user == scene["ana"].id) & (ThreadWatch.thread == thread.id)).level == \
            watching.MUTED


def test_watching_a_circle_hears_of_every_new_thread_and_reply(app, scene):
    level(scene["cai"], scene["circle"], watching.WATCHING)
    thread = start(scene["circle"], scene["ana"])
    reply(thread, scene["ben"])
    assert [text for text, _, _ in notices_of(scene["cai"])] == [
        f"Ana started “{thread.title}” in {scene['circle'].name}.", f"Ben replied in “{thread.title}”."]
    assert notices_of(scene["cai"])[0][1] == f"/t/{thread.id}"


def test_a_muted_circle_is_silent_even_in_ones_own_threads(app, scene):
    level(scene["ana"], scene["circle"], watching.MUTED)
    thread = start(scene["circle"], scene["ana"])
    reply(thread, scene["ben"])
    assert notices_of(scene["ana"]) == []


def test_someone_who_left_the_circle_hears_nothing_more(app, scene):
    thread = start(scene["circle"], scene["ana"])
    with db.database.connection_context():
        Membership.delete().where(Membership.user == scene["ana"].id).execute()
    reply(thread, scene["ben"])
    assert notices_of(scene["ana"]) == []


def test_a_reply_costs_the_same_few_statements_however_many_watch(app, scene, make_user, add_member):
    thread = start(scene["circle"], scene["ana"])
    for n in range(30):
        watcher = make_user(f"watcher{n}")
        add_member(scene["circle"], watcher)
        with db.database.connection_context():
            watching.set_thread_level(watcher, thread, watching.WATCHING)
    reply(thread, scene["ben"])
    with recorded_sql() as statements:
        reply(thread, scene["cai"])
    notice_statements = [sql for sql in statements if '"notice"' in sql]
    assert 1 <= len(notice_statements) <= 3, notice_statements
    with db.database.connection_context():
        assert Notice.select().where(Notice.url == f"/t/{thread.id}/unread").count() == 32  # 30 + ana + ben


def test_a_scheduled_prompts_notices_wait_for_its_time(client, auth, scene, frozen_clock):
    level(scene["cai"], scene["circle"], watching.WATCHING)
    prompt = start(scene["circle"], scene["facilitator"], "Week 3", publish_at=dt.datetime(2026, 3, 3, 9, 0))
    auth.login(scene["cai"])
    page = html(client.get("/notices"))
    assert "Week 3" not in page.get_text() and page.select_one("#notice-count .badge") is None
    frozen_clock.freeze(dt.datetime(2026, 3, 3, 9, 0))
    page = html(client.get("/notices"))
    assert f"Facilitator started “Week 3” in {scene['circle'].name}." in page.get_text()
    assert page.select_one("#notice-count .badge").get_text(" ", strip=True) == "1 unread"
    assert notices_of(scene["cai"])[0][1] == f"/t/{prompt.id}"


def test_the_header_count_answers_304_while_nothing_changes(client, auth, scene):
    auth.login(scene["ana"])
    first = client.get("/notices/count", headers=HTMX)
    assert first.status_code == 200 and first.headers["ETag"]
    assert "private" in first.headers["Cache-Control"] and "no-cache" in first.headers["Cache-Control"]
    count = html(first).select_one("#notice-count")
    assert count["hx-trigger"] == "every 60s" and count.select_one(".badge") is None
    again = client.get("/notices/count", headers={**HTMX, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""

    thread = start(scene["circle"], scene["ana"])
    reply(thread, scene["ben"])
    changed = client.get("/notices/count", headers={**HTMX, "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert html(changed).select_one("#notice-count .badge").get_text(" ", strip=True) == "1 unread"


def test_the_count_check_reads_two_rows_and_writes_nothing(client, auth, scene):
    auth.login(scene["ana"])
    client.get("/notices/count")
    with recorded_sql() as statements:
        assert client.get("/notices/count").status_code == 200
    assert len(statements) <= 2 and all(sql.startswith("SELECT") for sql in statements), statements


def test_marking_one_notice_read(client, auth, scene):
    thread = start(scene["circle"], scene["ana"])
    reply(thread, scene["ben"])
    reply(start(scene["circle"], scene["ana"], "Another"), scene["cai"])
    with db.database.connection_context():
        first, second = Notice.select().where(Notice.user == scene["ana"].id).order_by(Notice.id)
    auth.login(scene["ana"])
    row = html(client.post(f"/notices/{first.id}/read", headers=HTMX)).select_one(f"#notice-{first.id}")
    assert "unread" not in row["class"] and row.select_one("form") is None
    response = client.post(f"/notices/{second.id}/read")
    assert response.status_code == 303 and response.headers["Location"] == f"/notices#notice-{second.id}"
    assert [read for _, _, read in notices_of(scene["ana"])] == [True, True]
    auth.login(scene["ben"])
    assert client.post(f"/notices/{first.id}/read").status_code == 404  # not ben's


def test_the_thread_notices_page_shows_and_sets_the_level(client, auth, scene):
    thread = start(scene["circle"], scene["ana"])
    auth.login(scene["ana"])
    page = html(client.get(f"/t/{thread.id}/notifications"))
    assert page.select_one("input[name=level][checked]")["value"] == "watching"  # its author
    assert "You chose this for this thread." in page.get_text()
    response = client.post(f"/t/{thread.id}/notifications", data={"level": "muted"})
    assert response.status_code == 303 and response.headers["Location"] == f"/t/{thread.id}"
    fragment = html(client.post(f"/t/{thread.id}/notifications", data={"level": "normal"}, headers=HTMX))
    assert fragment.select_one("[role=status]").get_text() == "Notices about this thread: Normal."
    assert fragment.select_one("input[name=level][checked]")["value"] == "normal"
    refused = client.post(f"/t/{thread.id}/notifications", data={"level": "loud"})
    assert refused.status_code == 422 and "Choose how much you want to hear." in html(refused).get_text()

    auth.login(scene["cai"])  # never wrote here: the circle's level applies
    page = html(client.get(f"/t/{thread.id}/notifications"))
    assert page.select_one("input[name=level][checked]")["value"] == "normal"
    assert "follows your choice for the whole circle" in page.get_text()


def test_the_circle_level_is_set_from_the_circle_page(client, auth, scene):
    auth.login(scene["cai"])
    page = html(client.get(f"/c/{scene['circle'].slug}"))
    assert page.select_one("#notify-level option[selected]")["value"] == "normal"
    response = client.post(f"/c/{scene['circle'].slug}/notifications", data={"level": "watching"})
    assert response.status_code == 303
    page = html(client.get(f"/c/{scene['circle'].slug}"))
    assert page.select_one("#notify-level option[selected]")["value"] == "watching"
    assert "Notices about this circle: Watching." in page.get_text()
    client.post(f"/c/{scene['circle'].slug}/notifications", data={"level": "everything!"})
    page = html(client.get(f"/c/{scene['circle'].slug}"))
    assert "Choose how much you want to hear." in page.get_text()
    assert page.select_one("#notify-level option[selected]")["value"] == "watching"


def test_levels_are_for_members_only(client, auth, roles, make_user):
    people = roles(PRIVATE)
    thread = start(people["circle"], people[MEMBER])
    auth.login(people["outsider"])
    assert client.get(f"/t/{thread.id}/notifications").status_code == 404
    assert client.post(f"/c/{people['circle'].slug}/notifications", data={"level": "muted"}).status_code == 404
    auth.login(people["admin"])  # sees every circle, belongs to none
    assert client.get(f"/t/{thread.id}/notifications").status_code == 403
    with db.database.connection_context():
        assert ThreadWatch.select().where(ThreadWatch.user == people["admin"].id).count() == 0
