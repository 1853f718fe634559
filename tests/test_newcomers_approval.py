"""A new member's first post waiting for a facilitator's approval (learncircle/newcomers/approvals.py): held hidden
and told to nobody but the circle's facilitators; approved, it is shown and the notices it would have sent go out
then; rejected, it stays hidden with a reason its author reads, and they may edit it and ask again. Both are in the
circle's moderation log."""
import pytest

from learncircle import clock, db
from learncircle.circles.models import FACILITATOR, Membership
from learncircle.discussions import watching
from learncircle.discussions.models import Post, Thread
from learncircle.moderation.models import LogEntry
from learncircle.newcomers import approvals, rules
from learncircle.notices.models import Notice
from tests.helpers import html

HTMX = {"HX-Request": "true"}


@pytest.fixture
def scene(frozen_clock, make_user, make_circle, add_member):
    """A circle that holds new members' first posts: its owner's thread (which Wes watches, as does the whole
    circle for Cleo), a facilitator, and Nia, new today."""
    owner = make_user("owner")
    circle = make_circle(owner)
    facilitator, wes, cleo, nia = (make_user(name) for name in ("facilitator", "wes", "cleo", "nia"))
    add_member(circle, facilitator, FACILITATOR)
    for person in (wes, cleo):
        add_member(circle, person)
    with db.database.connection_context():
        Membership.update(joined_at=clock.now().replace(year=2025)).where(
            Membership.user.in_([wes.id, cleo.id])).execute()
        watching.set_circle_level(Membership.of(cleo, circle), watching.WATCHING)
        thread = Thread.start(circle=circle, author=owner, title="Welcome", kind="discussion", body="Say hello.")
        watching.set_thread_level(wes, thread, watching.WATCHING)
        rules.set_own_values(circle, {"approval": True})
        Notice.delete().execute()
    add_member(circle, nia)
    return {"circle": circle, "thread": thread, "owner": owner, "facilitator": facilitator, "wes": wes,
            "cleo": cleo, "nia": nia}


def notices():
    """(user id, kind) of every notice sent, in order."""
    with db.database.connection_context():
        return [(notice.user_id, notice.kind) for notice in Notice.select().order_by(Notice.id)]


def reply(client, thread, body, headers=None):
    return client.post(f"/t/{thread.id}/reply", data={"body": body, "form_key": ""}, headers=headers or {})


def decide(client, circle, post, decision, reason="", headers=None):
    return client.post(f"/c/{circle.slug}/moderation/approvals/{post.id}", headers=headers or {},
                       data={"decision": decision, "reason": reason})


def stored(post_id):
    with db.database.connection_context():
        return Post.get_by_id(post_id)


def held_reply(client, auth, scene, body="Hello @wes, glad to be here."):
    auth.login(scene["nia"])
    assert reply(client, scene["thread"], body).status_code == 303
    with db.database.connection_context():
        return Post.get(Post.author == scene["nia"].id)


# ---- held ---------------------------------------------------------------------------------------

def test_a_held_reply_tells_nobody_but_the_facilitators_and_only_its_author_reads_it(client, auth, scene):
    thread, nia = scene["thread"], scene["nia"]
    post = held_reply(client, auth, scene)
    assert (post.hidden_kind, post.number) == ("approval", 2) and post.hidden_at is not None
    # Wes is mentioned and watches the thread: nothing yet. The owner and the facilitator are told it waits.
    assert sorted(notices()) == sorted([(scene["owner"].id, "approval_waiting"),
                                        (scene["facilitator"].id, "approval_waiting")])
    with db.database.connection_context():
        notice = Notice.get(Notice.user == scene["facilitator"].id)
        listed = Thread.get_by_id(thread.id)
    assert notice.url == f"/c/{scene['circle'].slug}/moderation/approvals"
    assert listed.last_author_id == scene["owner"].id  # the circle's list shows no new activity

    mine = html(client.get(f"/t/{thread.id}")).select_one(f"#post-{post.id}")
    assert "Waiting for a facilitator's approval" in mine.select_one(".hidden-note").get_text()
    assert "glad to be here" in mine.select_one(".body").get_text()
    auth.login(scene["wes"])
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "glad to be here" not in page and nia.display_name not in page
    assert "#2: a new member's post, waiting for a facilitator's approval." in html(client.get(
        f"/t/{thread.id}")).select_one(f"#post-{post.id}").get_text()

    # A second post before anyone decided waits too; the facilitators' unread notice already says so.
    auth.login(nia)
    assert reply(client, thread, "And another thing.").status_code == 303
    assert len(notices()) == 2
    with db.database.connection_context():
        assert [p.hidden_kind for p in Post.select().where(Post.author == nia.id)] == ["approval", "approval"]


def test_a_held_thread_is_hidden_whole_and_no_watcher_hears_of_it(client, auth, scene):
    circle = scene["circle"]
    auth.login(scene["nia"])
    response = client.post(f"/c/{circle.slug}/threads/new",
                           data={"title": "Hi all", "kind": "discussion", "body": "I am Nia.", "form_key": "k"})
    assert response.status_code == 303
    with db.database.connection_context():
        thread = Thread.get(Thread.title == "Hi all")
    assert (thread.hidden_kind, thread.hidden_at is not None) == ("approval", True)
    assert "waits for a facilitator's approval" in html(client.get(response.headers["Location"])).get_text()
    assert ("cleo" not in {kind for _, kind in notices()}) and all(kind == "approval_waiting"
                                                                    for _, kind in notices())
    auth.login(scene["cleo"])
    elsewhere = client.get(f"/t/{thread.id}").get_data(as_text=True)  # says it is hidden, and nothing more
    assert "Hi all" not in elsewhere and "I am Nia" not in elsewhere


# ---- approved -----------------------------------------------------------------------------------

def test_approving_shows_the_post_and_sends_the_notices_it_would_have_sent(client, auth, scene):
    circle, thread = scene["circle"], scene["thread"]
    post = held_reply(client, auth, scene)
    clock.advance(hours=1)
    auth.login(scene["facilitator"])
    page = html(client.get(f"/c/{circle.slug}/moderation/approvals"))
    assert [item["id"] for item in page.select("#approvals article")] == [f"approval-{post.id}"]
    assert "glad to be here" in page.select_one(f"#approval-{post.id} .body").get_text()

    response = decide(client, circle, post, "approve", reason="Welcome!")
    assert response.status_code == 303
    shown = stored(post.id)
    assert (shown.hidden_at, shown.hidden_kind) == (None, "")
    sent = notices()[2:]
    assert (scene["wes"].id, "mentioned") in sent and (scene["nia"].id, "post_approved") in sent
    with db.database.connection_context():
        entry = LogEntry.get(LogEntry.action == "approved")
        listed = Thread.get_by_id(thread.id)
    assert (entry.target_kind, entry.target_id, entry.target_user_id, entry.reason, entry.actor_role) == \
        ("post", post.id, scene["nia"].id, "Welcome!", FACILITATOR)
    assert listed.last_author_id == scene["nia"].id and listed.last_activity_at == clock.now()

    auth.login(scene["wes"])
    assert "glad to be here" in html(client.get(f"/t/{thread.id}")).select_one(f"#post-{post.id} .body").get_text()
    # Once one of her posts was shown, Nia's next ones are not held.
    auth.login(scene["nia"])
    assert reply(client, thread, "Thanks!").status_code == 303
    with db.database.connection_context():
        assert Post.get(Post.body == "Thanks!").hidden_at is None


def test_an_approved_reply_tells_the_threads_watchers(client, auth, scene):
    post = held_reply(client, auth, scene, body="No mention this time.")
    auth.login(scene["facilitator"])
    decide(client, scene["circle"], post, "approve")
    assert (scene["wes"].id, "thread_replied") in notices()


def test_approving_a_held_thread_shows_it_and_tells_the_circles_watchers(client, auth, scene):
    circle = scene["circle"]
    auth.login(scene["nia"])
    client.post(f"/c/{circle.slug}/threads/new",
                data={"title": "Hi all", "kind": "discussion", "body": "I am Nia.", "form_key": "k"})
    with db.database.connection_context():
        thread = Thread.get(Thread.title == "Hi all")
        post = Post.get(Post.thread == thread.id)
    auth.login(scene["owner"])
    response = decide(client, circle, post, "approve", headers=HTMX)
    assert response.status_code == 200
    answer = html(response).select_one(f"#approval-{post.id}")
    assert "Approved" in answer.get_text() and answer.has_attr("autofocus")
    with db.database.connection_context():
        assert Thread.get_by_id(thread.id).hidden_at is None
        entry = LogEntry.get(LogEntry.action == "approved")
    assert (entry.target_kind, entry.target_id) == ("thread", thread.id)
    assert (scene["cleo"].id, "thread_started") in notices()
    auth.login(scene["cleo"])
    assert client.get(f"/t/{thread.id}").status_code == 200


# ---- rejected -----------------------------------------------------------------------------------

def test_rejecting_needs_a_reason_and_the_form_comes_back(client, auth, scene):
    circle = scene["circle"]
    post = held_reply(client, auth, scene)
    auth.login(scene["facilitator"])
    response = decide(client, circle, post, "reject", reason="   ")
    assert response.status_code == 422
    error = html(response).select_one(f"#approval-{post.id}-reason-error")
    assert "why you do not approve it" in error.get_text()
    response = decide(client, circle, post, "reject", headers=HTMX)
    assert response.status_code == 422
    assert html(response).select_one(f"article#approval-{post.id} .field-error") is not None
    assert stored(post.id).hidden_kind == "approval"


def test_a_rejected_post_stays_hidden_with_the_reason_and_its_author_may_ask_again(client, auth, scene):
    circle, thread, nia = scene["circle"], scene["thread"], scene["nia"]
    post = held_reply(client, auth, scene, body="Buy cheap watches at https://spam.example")
    auth.login(scene["facilitator"])
    response = decide(client, circle, post, "reject", reason="Please leave out the advertising link.",
                      headers=HTMX)
    assert "Not approved" in html(response).get_text()
    rejected = stored(post.id)
    assert (rejected.hidden_kind, rejected.hidden_reason) == ("approval", "Please leave out the advertising link.")
    assert (nia.id, "post_not_approved") in notices()
    with db.database.connection_context():
        assert LogEntry.get(LogEntry.action == "rejected").reason == "Please leave out the advertising link."
    assert html(client.get(f"/c/{circle.slug}/moderation/approvals")).select("#approvals article") == []
    assert decide(client, circle, post, "approve").status_code == 409  # decided already

    auth.login(nia)
    note = html(client.get(f"/t/{thread.id}")).select_one(f"#post-{post.id}")
    assert "did not approve this post: “Please leave out the advertising link.”" in note.get_text()
    assert client.post(f"/p/{post.id}/edit", data={"body": "Hello everyone, I collect watches."}).status_code == 303
    with db.database.connection_context():
        Notice.update(read_at=clock.now()).execute()  # the facilitators read that a post waited
    told_before = len(notices())
    asked = client.post(f"/c/{circle.slug}/moderation/approvals/{post.id}/again")
    assert asked.status_code == 303
    waiting = stored(post.id)
    assert (waiting.hidden_kind, waiting.hidden_reason, waiting.body) == ("approval", "",
                                                                          "Hello everyone, I collect watches.")
    assert {kind for _, kind in notices()[told_before:]} == {"approval_waiting"}
    auth.login(scene["facilitator"])
    page = html(client.get(f"/c/{circle.slug}/moderation/approvals"))
    assert [item["id"] for item in page.select("#approvals article")] == [f"approval-{post.id}"]


def test_only_the_author_asks_again(client, auth, scene):
    post = held_reply(client, auth, scene)
    auth.login(scene["wes"])
    assert client.post(f"/c/{scene['circle'].slug}/moderation/approvals/{post.id}/again").status_code == 403


# ---- who reviews --------------------------------------------------------------------------------

def test_the_approvals_page_is_the_circles_moderators_own(client, auth, scene, make_user, make_circle):
    circle = scene["circle"]
    post = held_reply(client, auth, scene)
    other_facilitator = make_user("elsewhere")
    make_circle(other_facilitator, name="Another circle")  # its owner
    for who, status in ((scene["wes"], 403), (other_facilitator, 403), (scene["nia"], 403)):
        auth.login(who)
        assert client.get(f"/c/{circle.slug}/moderation/approvals").status_code == status
        assert decide(client, circle, post, "approve").status_code == status
    assert stored(post.id).hidden_kind == "approval"
    # A post that is not held is no item of the page.
    auth.login(scene["owner"])
    with db.database.connection_context():
        opening = Post.get((Post.thread == scene["thread"].id) & (Post.number == 1))
    assert decide(client, circle, opening, "approve").status_code == 404


def test_posts_wait_oldest_first(client, auth, scene, make_user, add_member):
    circle, thread = scene["circle"], scene["thread"]
    second = make_user("second")
    add_member(circle, second)
    with db.database.connection_context():
        first_post = thread.reply(author=scene["nia"], body="First", held=True)
        clock.advance(minutes=5)
        second_post = thread.reply(author=second, body="Second", held=True)
        order = [post.id for post in approvals.waiting(circle)]
    assert order == [first_post.id, second_post.id]
