"""New members' limits (learncircle/newcomers/): threads a day, links and images in a post. A new member who goes
beyond one gets the same form back (422) with what they typed and a message saying the limit, why and when it
lifts; the limits lift by themselves with the clock and with accepted posts; the circle's owner, facilitators and
the instance admin are never limited; a circle may set its own values.
"""
import pytest

from learncircle import clock, create_app, db
from learncircle.circles.models import FACILITATOR, Circle, Membership
from learncircle.discussions.models import Post, Thread
from learncircle.newcomers import rules
from tests.helpers import html
from tests.test_discussions_threads import recorded_sql

HTMX = {"HX-Request": "true"}
THREE_LINKS = "See https://one.example, https://two.example and [three](https://three.example)."
TWO_LINKS = "See https://one.example and [two](https://two.example)."
PICTURE = "Look: ![my diagram](/static/diagram.png)"


@pytest.fixture
def scene(frozen_clock, make_user, make_circle, add_member):
    """A circle (its owner has a thread open), a facilitator, a member who joined long ago and Nia, new today."""
    owner = make_user("owner")
    circle = make_circle(owner)
    facilitator, old, nia = make_user("facilitator"), make_user("old"), make_user("nia")
    add_member(circle, facilitator, FACILITATOR)
    add_member(circle, old)
    with db.database.connection_context():
        Membership.update(joined_at=clock.now().replace(year=2025)).where(Membership.user == old.id).execute()
        thread = Thread.start(circle=circle, author=owner, title="Welcome", kind="discussion", body="Say hello.")
    add_member(circle, nia)
    return {"circle": circle, "thread": thread, "owner": owner, "facilitator": facilitator, "old": old, "nia": nia}


def new_thread(client, circle, title, body="What do you think?", key=None, headers=None):
    return client.post(f"/c/{circle.slug}/threads/new", headers=headers or {},
                       data={"title": title, "kind": "discussion", "body": body, "form_key": key or title})


def reply(client, thread, body, key="", headers=None):
    return client.post(f"/t/{thread.id}/reply", data={"body": body, "form_key": key}, headers=headers or {})


def threads_by(user):
    with db.database.connection_context():
        return sorted(thread.title for thread in Thread.select().where(Thread.author == user.id))


def bodies_by(user):
    with db.database.connection_context():
        return [post.body for post in Post.select().where(Post.author == user.id).order_by(Post.id)]


# ---- threads a day ------------------------------------------------------------------------------

def test_a_third_thread_in_a_day_comes_back_with_what_was_typed_and_when_it_lifts(client, auth, scene):
    circle = scene["circle"]
    auth.login(scene["nia"])
    assert new_thread(client, circle, "First question").status_code == 303
    clock.advance(hours=2)
    assert new_thread(client, circle, "Second question").status_code == 303
    clock.advance(hours=1)

    response = new_thread(client, circle, "Third question", body="A long, carefully typed question.")
    assert response.status_code == 422
    page = html(response)
    assert page.select_one("#thread-title")["value"] == "Third question"
    assert page.select_one("#thread-body").get_text().strip() == "A long, carefully typed question."
    message = page.select_one("#notices").get_text(" ", strip=True)
    assert "New members can start 2 threads a day here" in message
    assert "spam" in message  # why
    # The next one: a day after the first of the two; the limits end three days after joining, or sooner once
    # three of her posts are accepted (the two threads' opening posts are).
    assert "You can start another from Tue 03 Mar 2026, 09:00 UTC." in message
    assert "These limits lift on Thu 05 Mar 2026, 09:00 UTC, or once 1 more of your posts here is accepted." \
        in message
    assert threads_by(scene["nia"]) == ["First question", "Second question"]

    clock.advance(hours=21)  # a day after the first thread
    assert new_thread(client, circle, "Third question").status_code == 303
    assert len(threads_by(scene["nia"])) == 3


def test_the_same_form_sent_again_over_the_limit_still_leads_to_what_it_stored(client, auth, scene):
    circle = scene["circle"]
    auth.login(scene["nia"])
    new_thread(client, circle, "One")
    first = new_thread(client, circle, "Two", key="sent-once")
    again = new_thread(client, circle, "Two", key="sent-once")  # a retry after a lost answer
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert threads_by(scene["nia"]) == ["One", "Two"]


def test_a_circle_that_lets_new_members_start_no_threads_says_so(client, auth, scene):
    circle = scene["circle"]
    with db.database.connection_context():
        rules.set_own_values(circle, {"threads": 0})
    auth.login(scene["nia"])
    response = new_thread(client, circle, "Hello")
    assert response.status_code == 422
    message = html(response).select_one("#notices").get_text(" ", strip=True)
    assert "New members cannot start threads in this circle yet" in message
    assert "You can start another" not in message
    assert reply(client, scene["thread"], "Replying works.").status_code == 303


# ---- links and images ---------------------------------------------------------------------------

def test_too_many_links_in_a_reply_come_back_with_the_text_and_why(client, auth, scene):
    thread = scene["thread"]
    auth.login(scene["nia"])
    response = reply(client, thread, THREE_LINKS)
    assert response.status_code == 422
    page = html(response)
    box = page.find("textarea", attrs={"name": "body"})
    assert box.get_text().strip() == THREE_LINKS and box["aria-invalid"] == "true"
    error = page.select_one(".field-error").get_text(" ", strip=True)
    assert error.startswith("A new member's post can hold 2 links here. This one has 3.")
    assert "lift on Thu 05 Mar 2026, 09:00 UTC" in error
    assert reply(client, thread, TWO_LINKS).status_code == 303
    assert bodies_by(scene["nia"]) == [TWO_LINKS]


def test_over_a_limit_htmx_gets_the_form_back_in_place(client, auth, scene):
    thread = scene["thread"]
    auth.login(scene["nia"])
    response = reply(client, thread, THREE_LINKS, headers=HTMX)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#thread-{thread.id}-reply"
    form = html(response).select_one(f"form#thread-{thread.id}-reply")
    assert form.find("textarea").get_text().strip() == THREE_LINKS
    assert "2 links" in form.select_one(".field-error").get_text()
    assert bodies_by(scene["nia"]) == []


def test_images_are_refused_to_new_members_by_default_in_posts_and_edits(client, auth, scene):
    thread = scene["thread"]
    auth.login(scene["nia"])
    response = reply(client, thread, PICTURE)
    assert response.status_code == 422
    error = html(response).select_one(".field-error").get_text(" ", strip=True)
    assert error.startswith("New members cannot post images here yet. This one has 1.")

    # A picture from another site is still a picture, though it is shown as a link.
    assert reply(client, thread, "![x](https://elsewhere.example/x.png)").status_code == 422
    # Nor can one be added afterwards by editing.
    assert reply(client, thread, "Plain words.").status_code == 303
    with db.database.connection_context():
        post = Post.get(Post.author == scene["nia"].id)
    edited = client.post(f"/p/{post.id}/edit", data={"body": f"Plain words. {PICTURE}"})
    assert edited.status_code == 422
    assert "cannot post images" in html(edited).select_one(".field-error").get_text()
    assert bodies_by(scene["nia"]) == ["Plain words."]


def test_mentions_are_not_links_and_code_is_not_counted(client, auth, scene):
    auth.login(scene["nia"])
    body = "@owner @facilitator @old: see `https://a.example` and https://b.example, https://c.example"
    assert reply(client, scene["thread"], body).status_code == 303


# ---- lifting ------------------------------------------------------------------------------------

def test_the_limits_lift_when_the_days_are_over(client, auth, scene):
    auth.login(scene["nia"])
    clock.advance(days=3, seconds=-1)
    assert reply(client, scene["thread"], THREE_LINKS).status_code == 422
    clock.advance(seconds=1)
    assert reply(client, scene["thread"], THREE_LINKS).status_code == 303


def test_the_limits_lift_after_enough_accepted_posts(client, auth, scene):
    thread, nia = scene["thread"], scene["nia"]
    auth.login(nia)
    for number in range(2):
        assert reply(client, thread, f"Reply {number}").status_code == 303
    # A deleted post and a hidden one are not accepted.
    with db.database.connection_context():
        deleted = thread.reply(author=nia, body="Oops")
        hidden = thread.reply(author=nia, body="Rude")
    client.post(f"/p/{deleted.id}/delete")
    with db.database.connection_context():
        Post.with_thread(hidden.id).hide(scene["facilitator"], "Unkind.")
    assert reply(client, thread, THREE_LINKS).status_code == 422
    page = html(client.get(f"/t/{thread.id}")).select_one("#newcomer-limits").get_text(" ", strip=True)
    assert "or once 1 more of your posts here is accepted" in page

    assert reply(client, thread, "My third accepted post.").status_code == 303
    assert reply(client, thread, THREE_LINKS).status_code == 303
    assert html(client.get(f"/t/{thread.id}")).select_one("#newcomer-limits") is None


@pytest.mark.parametrize("who", ["owner", "facilitator", "admin", "old"])
def test_owners_facilitators_admins_and_longer_members_are_not_limited(client, auth, scene, make_user, add_member,
                                                                        who):
    circle = scene["circle"]
    person = scene.get(who)
    if who == "admin":
        person = make_user("admin", is_admin=True)
        add_member(circle, person)  # joined today, but the instance's admin
    auth.login(person)
    for number in range(3):
        assert new_thread(client, circle, f"Thread {number}", body=f"{THREE_LINKS} {PICTURE}").status_code == 303
    assert html(client.get(f"/t/{scene['thread'].id}")).select_one("#newcomer-limits") is None


# ---- what the new member is shown --------------------------------------------------------------

def test_a_new_member_sees_their_limits_beside_the_composer_and_nobody_else_does(client, auth, scene):
    circle, thread = scene["circle"], scene["thread"]
    auth.login(scene["nia"])
    for url in (f"/t/{thread.id}", f"/c/{circle.slug}/threads/new"):
        note = html(client.get(url)).select_one("#newcomer-limits")
        assert note is not None, url
        said = note.get_text(" ", strip=True)
        assert said.startswith("While you are new here: at most 2 links and no images in a post, at most 2 new "
                               "threads a day.")
        assert said.endswith("These limits lift on Thu 05 Mar 2026, 09:00 UTC, or once 3 more of your posts here "
                             "are accepted.")
    for who in ("old", "facilitator"):
        auth.login(scene[who])
        assert "newcomer-limits" not in client.get(f"/t/{thread.id}").get_data(as_text=True)


def test_a_new_members_thread_page_reads_no_more_than_anyone_elses(client, auth, scene):
    thread = scene["thread"]
    auth.login(scene["nia"])
    assert reply(client, thread, "My first post.").status_code == 303
    client.get(f"/t/{thread.id}")
    with recorded_sql() as statements:
        page = html(client.get(f"/t/{thread.id}"))
    assert "or once 2 more of your posts here are accepted" in page.select_one("#newcomer-limits").get_text()
    assert 3 <= len(statements) <= 5, statements


# ---- a circle's own values ----------------------------------------------------------------------

def test_the_owner_sets_the_circles_own_limits_and_they_apply(client, auth, scene):
    circle = scene["circle"]
    auth.login(scene["owner"])
    page = html(client.get(f"/c/{circle.slug}/settings/newcomers"))
    assert page.select_one("#links")["value"] == "" and "This site's setting: 2." in page.get_text()

    refused = client.post(f"/c/{circle.slug}/settings/newcomers",
                          data={"days": "7", "posts": "", "threads": "", "links": "many", "images": "1",
                                "approval": "default"})
    assert refused.status_code == 422
    page = html(refused)
    assert page.select_one("#links")["value"] == "many" and page.select_one("#days")["value"] == "7"
    assert "A whole number from 0 to 100" in page.select_one("#links-error").get_text()

    saved = client.post(f"/c/{circle.slug}/settings/newcomers",
                        data={"days": "7", "posts": "", "threads": "", "links": "5", "images": "1",
                              "approval": "on"})
    assert saved.status_code == 303
    with db.database.connection_context():
        stored = Circle.get_by_id(circle.id)
    assert (stored.newcomer_days, stored.newcomer_posts, stored.newcomer_links, stored.newcomer_images,
            stored.newcomer_approval) == (7, None, 5, 1, True)

    auth.login(scene["nia"])
    note = html(client.get(f"/t/{scene['thread'].id}")).select_one("#newcomer-limits").get_text(" ", strip=True)
    assert "at most 5 links and at most 1 image in a post" in note and "Mon 09 Mar 2026" in note
    with db.database.connection_context():
        rules.set_own_values(stored, {"links": 5, "images": 1})  # approval back to the instance's (off)
    assert reply(client, scene["thread"], f"{THREE_LINKS} {PICTURE}").status_code == 303


def test_zero_days_turns_the_limits_off_in_a_circle(client, auth, scene):
    with db.database.connection_context():
        rules.set_own_values(scene["circle"], {"days": 0})
    auth.login(scene["nia"])
    assert reply(client, scene["thread"], f"{THREE_LINKS} {PICTURE}").status_code == 303


@pytest.mark.parametrize("who, status", [("facilitator", 200), ("old", 403), ("owner", 200)])
def test_facilitators_read_the_limits_and_only_the_owner_changes_them(client, auth, scene, who, status):
    circle = scene["circle"]
    auth.login(scene[who])
    response = client.get(f"/c/{circle.slug}/settings/newcomers")
    assert response.status_code == status
    if who == "facilitator":
        page = html(response)
        assert page.find("main").find("form") is None
        assert "Only the circle's owner can change these." in page.get_text()
        assert client.post(f"/c/{circle.slug}/settings/newcomers", data={"links": "9"}).status_code == 403
        with db.database.connection_context():
            assert Circle.get_by_id(circle.id).newcomer_links is None


# ---- the instance's settings --------------------------------------------------------------------

@pytest.mark.parametrize("name, value", [("NEW_MEMBER_DAYS", "-1"), ("NEW_MEMBER_LINKS", "two"),
                                         ("NEW_MEMBER_POSTS", "1.5"), ("NEW_MEMBER_APPROVAL", "maybe")])
def test_a_new_member_setting_that_cannot_work_is_refused_at_start(tmp_path, name, value):
    with pytest.raises(ValueError, match=name):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "test",
                    name: value})


def test_the_instance_settings_are_the_defaults(tmp_path, frozen_clock):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "t",
                      "NEW_MEMBER_LINKS": "4", "NEW_MEMBER_APPROVAL": "yes"})
    with app.app_context():
        assert rules.Limits.of_instance() == rules.Limits(days=3, posts=3, threads=2, links=4, images=0,
                                                          approval=True)
    db.close_all()
