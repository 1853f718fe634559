"""Unread posts: what is new to each member (in the circle's list, on My circles and on the thread page),
jumping to the first unread post, marking a circle read, and what recording a visit may write."""
import peewee
import pytest

from learncircle import db
from learncircle.circles.models import MEMBER, PRIVATE, PUBLIC
from learncircle.discussions import reading
from learncircle.discussions.models import POSTS_PER_PAGE, Post, ReadState, Thread
from tests.helpers import html
from tests.test_discussions_threads import recorded_sql


def start(circle, author, title="A thread", body="Opening words."):
    with db.database.connection_context():
        return Thread.start(circle=circle, author=author, title=title, kind="discussion", body=body)


def reply(thread, author, body="A reply."):
    with db.database.connection_context():
        return Thread.get_by_id(thread.id).reply(author=author, body=body)


def last_read(user, thread):
    with db.database.connection_context():
        return reading.last_read(user, thread)


def new_badges(page):
    """{thread title: the text of its "new" link} in a circle's thread list."""
    return {li.select_one("a.title").get_text(): li.select_one("a.new").get_text()
            for li in page.select("#threads ul.rows > li") if li.select_one("a.new")}


@pytest.fixture
def scene(roles, make_user, add_member, frozen_clock):
    """The owner's circle with an old thread (before the member joined) and two since: one the member
    started, one the owner started, with replies."""
    people = roles()
    circle, owner = people["circle"], people["owner"]
    old = start(circle, owner, "Before your time")
    frozen_clock.advance(hours=1)
    newcomer = make_user("newcomer")
    add_member(circle, newcomer)
    frozen_clock.advance(hours=1)
    mine = start(circle, newcomer, "My own question")
    theirs = start(circle, owner, "Plans for the week")
    reply(theirs, people["facilitator"], "I can host on Tuesday.")
    return {**people, "newcomer": newcomer, "old": old, "mine": mine, "theirs": theirs}


def test_threads_active_since_joining_are_new_and_ones_own_posts_never_are(client, auth, scene):
    auth.login(scene["newcomer"])
    page = html(client.get(f"/c/{scene['circle'].slug}"))
    assert new_badges(page) == {"Plans for the week": "2 new posts"}
    assert page.select_one("#threads form.unread-line button").get_text() == "Mark everything in this circle read"


def test_reading_a_thread_leaves_nothing_new_and_a_later_reply_is_one_new_post(client, auth, scene):
    auth.login(scene["newcomer"])
    assert client.get(f"/t/{scene['theirs'].id}").status_code == 200
    assert last_read(scene["newcomer"], scene["theirs"]) == 2
    page = html(client.get(f"/c/{scene['circle'].slug}"))
    assert new_badges(page) == {} and page.select_one("form.unread-line") is None

    reply(scene["theirs"], scene["owner"], "Tuesday it is.")
    page = html(client.get(f"/c/{scene['circle'].slug}"))
    assert new_badges(page) == {"Plans for the week": "1 new post"}
    link = page.select_one("#threads a.new")["href"]
    assert link == f"/t/{scene['theirs'].id}/unread"


def test_the_thread_page_marks_where_the_new_posts_begin(client, auth, scene):
    auth.login(scene["newcomer"])
    client.get(f"/t/{scene['theirs'].id}")
    third = reply(scene["theirs"], scene["owner"], "Tuesday it is.")
    reply(scene["theirs"], scene["facilitator"], "See you then.")
    page = html(client.get(f"/t/{scene['theirs'].id}"))
    mark = page.select_one("#first-new")
    assert mark.get_text() == "New since your last visit"
    assert mark.find_next_sibling("article")["id"] == f"post-{third.id}"
    assert len(page.select("#first-new")) == 1
    assert html(client.get(f"/t/{scene['theirs'].id}")).select_one("#first-new") is None  # seen now


def test_a_never_opened_thread_shows_no_mark_and_an_old_one_is_not_news(client, auth, scene):
    auth.login(scene["newcomer"])
    assert html(client.get(f"/t/{scene['theirs'].id}")).select_one("#first-new") is None
    assert "Before your time" not in new_badges(html(client.get(f"/c/{scene['circle'].slug}")))
    reply(scene["old"], scene["owner"], "Reviving this one.")
    assert new_badges(html(client.get(f"/c/{scene['circle'].slug}")))["Before your time"] == "2 new posts"


def test_jumping_to_the_first_unread_post_lands_on_its_page_and_place(client, auth, scene, make_user, add_member):
    newcomer, thread = scene["newcomer"], scene["theirs"]
    auth.login(newcomer)
    client.get(f"/t/{thread.id}")  # read posts 1 and 2
    with db.database.connection_context():
        for n in range(POSTS_PER_PAGE + 10):
            Thread.get_by_id(thread.id).reply(author=scene["owner"], body=f"Update {n}")
        third = Post.get((Post.thread == thread.id) & (Post.number == 3))
    response = client.get(f"/t/{thread.id}/unread")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/{thread.id}#post-{third.id}"

    client.get(f"/t/{thread.id}")  # page one: read up to post 50
    with db.database.connection_context():
        fifty_first = Post.get((Post.thread == thread.id) & (Post.number == POSTS_PER_PAGE + 1))
    assert client.get(f"/t/{thread.id}/unread").headers["Location"] == f"/t/{thread.id}?page=2#post-{fifty_first.id}"
    second = html(client.get(f"/t/{thread.id}?page=2"))
    assert second.select_one("#first-new").find_next_sibling("article")["id"] == f"post-{fifty_first.id}"

    with db.database.connection_context():
        last = Post.get((Post.thread == thread.id) & (Post.number == POSTS_PER_PAGE + 12))
    # All read: the jump goes to the last post.
    assert client.get(f"/t/{thread.id}/unread").headers["Location"] == f"/t/{thread.id}?page=2#post-{last.id}"


def test_a_thread_never_opened_jumps_to_its_opening_post(client, auth, scene):
    auth.login(scene["newcomer"])
    with db.database.connection_context():
        opening = Post.get((Post.thread == scene["theirs"].id) & (Post.number == 1))
    assert client.get(f"/t/{scene['theirs'].id}/unread").headers["Location"] == \
        f"/t/{scene['theirs'].id}#post-{opening.id}"


def test_what_was_read_never_moves_backwards(client, auth, scene):
    thread = scene["theirs"]
    with db.database.connection_context():
        for n in range(POSTS_PER_PAGE + 5):
            Thread.get_by_id(thread.id).reply(author=scene["owner"], body=f"Update {n}")
    auth.login(scene["newcomer"])
    client.get(f"/t/{thread.id}?page=2")
    assert last_read(scene["newcomer"], thread) == POSTS_PER_PAGE + 7
    with recorded_sql() as statements:
        client.get(f"/t/{thread.id}?page=1")  # an older page: nothing to write
    assert not [sql for sql in statements if not sql.startswith("SELECT")]
    assert last_read(scene["newcomer"], thread) == POSTS_PER_PAGE + 7


def test_mark_all_read_clears_the_circle_and_only_for_that_member(client, auth, scene):
    auth.login(scene["newcomer"])
    response = client.post(f"/c/{scene['circle'].slug}/read")
    assert response.status_code == 303 and response.headers["Location"] == f"/c/{scene['circle'].slug}"
    page = html(client.get(f"/c/{scene['circle'].slug}"))
    assert new_badges(page) == {}
    assert f"Everything in {scene['circle'].name} is marked read." in page.get_text()
    assert last_read(scene["newcomer"], scene["theirs"]) == 2
    assert last_read(scene["newcomer"], scene["old"]) == 1
    assert last_read(scene["member"], scene["theirs"]) is None  # nobody else's reading changed


def test_mark_all_read_is_for_members(client, auth, scene, make_circle):
    auth.login(scene["outsider"])
    assert client.post(f"/c/{scene['circle'].slug}/read").status_code == 403
    hidden = make_circle(name="Hidden", visibility=PRIVATE)
    assert client.post(f"/c/{hidden.slug}/read").status_code == 404
    auth.logout()
    assert client.post(f"/c/{scene['circle'].slug}/read").status_code == 302  # to the login page
    with db.database.connection_context():
        assert ReadState.select().where(ReadState.user == scene["outsider"].id).count() == 0


def test_my_circles_counts_each_circles_new_posts(client, auth, scene, make_circle, add_member):
    quiet = make_circle(scene["owner"], name="Quiet corner", visibility=PUBLIC)
    add_member(quiet, scene["newcomer"])
    auth.login(scene["newcomer"])
    rows = {li.select_one("a.title").get_text(): li for li in html(client.get("/")).select("#my-circles > li")}
    assert rows[scene["circle"].name].select_one(".badge.new").get_text() == "2 new posts"
    assert rows["Quiet corner"].select_one(".badge.new") is None


def test_a_member_who_left_and_an_outsider_see_nothing_new(client, auth, scene):
    auth.login(scene["outsider"])  # a public circle: readable, but nothing is news to a non-member
    page = html(client.get(f"/c/{scene['circle'].slug}"))
    assert new_badges(page) == {} and page.select_one("form.unread-line") is None
    assert client.get(f"/t/{scene['theirs'].id}/unread").status_code == 302  # still a readable thread


def test_unread_routes_of_a_private_circle_are_404_outside_it(client, auth, roles, make_user):
    people = roles(PRIVATE)
    thread = start(people["circle"], people["owner"])
    auth.login(people["outsider"])
    assert client.get(f"/t/{thread.id}/unread").status_code == 404
    assert client.get("/t/999999/unread").status_code == 404
    auth.login(people[MEMBER])
    assert client.get(f"/t/{thread.id}/unread").status_code == 302


def test_a_visit_that_cannot_be_recorded_still_shows_the_page(client, auth, scene, monkeypatch, caplog):
    def locked(*args):
        raise peewee.OperationalError("database is locked")

    monkeypatch.setattr(ReadState, "upsert", locked)
    auth.login(scene["newcomer"])
    response = client.get(f"/t/{scene['theirs'].id}")
    assert response.status_code == 200
    assert len(html(response).select("article.post")) == 2
    assert "could not record" in caplog.text


def test_the_unread_counts_cost_one_query_however_many_threads(client, auth, scene):
    with db.database.connection_context():
        for n in range(30):
            Thread.start(circle=scene["circle"], author=scene["owner"], title=f"Extra {n}", kind="discussion",
                         body="More.")
    auth.login(scene["newcomer"])
    client.get("/")
    with recorded_sql() as statements:
        page = html(client.get("/"))
    assert page.select_one("#my-circles .badge.new").get_text() == "32 new posts"
    assert len([sql for sql in statements if "read_state" in sql]) == 1


def test_deleting_a_member_or_thread_takes_its_read_state_along(client, auth, scene):
    auth.login(scene["newcomer"])
    client.get(f"/t/{scene['theirs'].id}")
    with db.database.connection_context():
        Thread.delete_by_id(scene["theirs"].id)
        assert ReadState.select().where(ReadState.thread == scene["theirs"].id).count() == 0


def test_a_reply_marks_the_thread_read_up_to_it_for_its_author(scene):
    post = reply(scene["theirs"], scene["newcomer"], "Count me in.")
    assert last_read(scene["newcomer"], scene["theirs"]) == post.number == 3
