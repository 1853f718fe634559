"""Discussions, inside a thread: replies with and without htmx, permalinks, edits, deletes, pin and lock."""
import pytest

from learncircle import db
from learncircle.circles.models import FACILITATOR, PRIVATE
from learncircle.discussions.models import Post, Thread
from tests.helpers import html

HTMX = {"HX-Request": "true"}


def start(circle, author, title="A thread", kind="discussion", body="Opening words."):
    with db.database.connection_context():
        return Thread.start(circle=circle, author=author, title=title, kind=kind, body=body)


def replies(thread, authors, count):
    """Add count replies, taking turns among authors; return the last one."""
    with db.database.connection_context():
        for _ in range(count):
            post = thread.reply(author=authors[(thread.post_count + 1) % len(authors)],
                                body=f"Post {thread.post_count + 1}")
    return post


def posts_of(thread):
    with db.database.connection_context():
        return list(Post.select().where(Post.thread == thread.id).order_by(Post.number))


def refreshed(thread):
    with db.database.connection_context():
        return Thread.get_by_id(thread.id)


def opening_post(thread):
    return posts_of(thread)[0]


def textarea_value(textarea):
    # Like a browser, drop the one line break that may follow the opening tag (CRLF reads as one).
    value = textarea.string or ""
    return value.removeprefix("\r\n") if value.startswith("\r\n") else value.removeprefix("\n")


@pytest.fixture
def people(roles):
    return roles()


@pytest.fixture
def thread(people):
    return start(people["circle"], people["member"], "Borrow checker blues", kind="question")


# ---- replying without JavaScript ----------------------------------------------------------------

def test_reply_without_htmx_redirects_to_its_permalink_and_page(client, auth, people, thread):
    replies(thread, [people["member"], people["owner"]], 58)  # 59 posts
    auth.login(people["owner"])
    page = html(client.get(f"/t/{thread.id}?page=2"))
    form = page.find("form", id=f"thread-{thread.id}-reply")
    fields = {field["name"]: field["value"] for field in form.find_all("input")}

    response = client.post(form["action"], data={**fields, "body": "The sixtieth post."})

    new = posts_of(thread)[-1]
    assert (new.number, new.body) == (60, "The sixtieth post.")
    assert response.status_code == 303 and response.headers["Location"] == f"/p/{new.id}"
    permalink = client.get(f"/p/{new.id}")
    assert permalink.status_code == 302
    assert permalink.headers["Location"] == f"/t/{thread.id}?page=2#post-{new.id}"
    assert html(client.get(f"/t/{thread.id}?page=2")).find("article", id=f"post-{new.id}") is not None
    state = refreshed(thread)
    assert state.post_count == 60 and state.last_author_id == people["owner"].id
    assert state.answered_at is None and state.answer_id is None  # replying accepts no answer


def test_permalink_leads_to_the_page_the_post_is_on(client, auth, people, thread):
    replies(thread, [people["member"]], 59)
    posts = posts_of(thread)
    auth.login(people["member"])
    assert client.get(f"/p/{posts[54].id}").headers["Location"] == f"/t/{thread.id}?page=2#post-{posts[54].id}"
    assert client.get(f"/p/{posts[49].id}").headers["Location"] == f"/t/{thread.id}?page=1#post-{posts[49].id}"
    fragment = client.get(f"/p/{posts[54].id}", headers=HTMX)
    assert fragment.status_code == 200
    article = html(fragment).find("article")
    assert article["id"] == f"post-{posts[54].id}" and "Post 55" in article.get_text()
    assert client.get("/p/999999").status_code == 404


def test_invalid_reply_without_htmx_shows_the_form_again(client, auth, people, thread):
    auth.login(people["member"])
    text = "x" * 50_001
    response = client.post(f"/t/{thread.id}/reply", data={"body": text, "form_key": "k-long"})
    assert response.status_code == 422
    page = html(response)
    assert "Keep it under 50,000 characters" in page.select_one(".field-error").get_text()
    assert textarea_value(page.find("textarea", attrs={"name": "body"})) == text
    assert page.find("input", attrs={"name": "form_key"})["value"] == "k-long"
    assert page.find("a", href=f"/t/{thread.id}?page=1") is not None
    assert len(posts_of(thread)) == 1


def test_same_reply_sent_twice_is_stored_once(client, auth, people, thread):
    auth.login(people["member"])
    data = {"body": "Clicked twice.", "form_key": "reply-key"}
    first = client.post(f"/t/{thread.id}/reply", data=data)
    second = client.post(f"/t/{thread.id}/reply", data=data)
    assert [post.body for post in posts_of(thread)] == ["Opening words.", "Clicked twice."]
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert refreshed(thread).post_count == 2

    # With htmx the resend follows a lost answer: it shows the stored reply and clears the form.
    again = client.post(f"/t/{thread.id}/reply", data=data, headers=HTMX)
    assert again.status_code == 200 and len(posts_of(thread)) == 2
    assert html(again).find("article")["id"] == f"post-{posts_of(thread)[1].id}"


# ---- replying with htmx -------------------------------------------------------------------------

def test_reply_with_htmx_returns_the_post_and_a_fresh_form(client, auth, people, thread):
    auth.login(people["owner"])
    form = html(client.get(f"/t/{thread.id}")).find("form", id=f"thread-{thread.id}-reply")
    assert form["hx-target"] == f"#thread-{thread.id}-replies" and form["hx-swap"] == "beforeend"
    key = form.find("input", attrs={"name": "form_key"})["value"]

    response = client.post(form["hx-post"], data={"body": "Try `Rc<RefCell<T>>`.", "form_key": key},
                           headers=HTMX)

    assert response.status_code == 200
    page = html(response)
    assert page.find("html") is None
    new = posts_of(thread)[-1]
    article = page.find("article", id=f"post-{new.id}")
    assert article.select_one(".body code").get_text() == "Rc<RefCell<T>>"
    assert article.select_one(".author").get_text() == "Owner"
    fresh = page.find("form", id=f"thread-{thread.id}-reply")
    assert fresh["hx-swap-oob"] == "true"
    assert textarea_value(fresh.find("textarea")) == ""
    new_key = fresh.find("input", attrs={"name": "form_key"})["value"]
    assert new_key and new_key != key
    assert response.headers["Vary"] == "HX-Request" or "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("text, message", [
    ("   \n  ", "Write something before sending the reply."),
    ("y" * 50_001, "Keep it under 50,000 characters"),
])
def test_invalid_reply_with_htmx_replaces_the_form_in_place(client, auth, people, thread, text, message):
    auth.login(people["member"])
    response = client.post(f"/t/{thread.id}/reply", data={"body": text, "form_key": "kept"}, headers=HTMX)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#thread-{thread.id}-reply"
    assert response.headers["HX-Reswap"] == "outerHTML"
    form = html(response).find("form", id=f"thread-{thread.id}-reply")
    assert not form.has_attr("hx-swap-oob")
    assert message in form.select_one(".field-error").get_text()
    assert form.find("textarea")["aria-invalid"] == "true"
    assert textarea_value(form.find("textarea")) == text
    assert form.find("input", attrs={"name": "form_key"})["value"] == "kept"
    assert len(posts_of(thread)) == 1


# ---- locked threads and moderation --------------------------------------------------------------

def test_locked_thread_says_so_and_refuses_replies(client, auth, people, thread):
    with db.database.connection_context():
        thread.set_locked(True)
    auth.login(people["member"])
    page = html(client.get(f"/t/{thread.id}"))
    assert "This thread is locked" in page.find("main").get_text()
    assert page.find("form", id=f"thread-{thread.id}-reply") is None
    assert "locked" in [badge.get_text() for badge in page.select(".badge")]

    for headers in ({}, HTMX):
        response = client.post(f"/t/{thread.id}/reply", data={"body": "Let me in"}, headers=headers)
        assert response.status_code == 409
        assert "locked" in html(response).select_one(".error-box").get_text()
    assert len(posts_of(thread)) == 1


@pytest.mark.parametrize("visibility", ["public", PRIVATE])
def test_moderators_pin_and_lock_others_may_not(client, auth, roles, visibility):
    people = roles(visibility)
    thread = start(people["circle"], people["member"], "Please pin me")
    refused = {"member": 403, "outsider": 403 if visibility == "public" else 404}
    for person, status in refused.items():
        auth.login(people[person])
        assert client.post(f"/t/{thread.id}/pin", data={"pinned": "1"}).status_code == status
        assert client.post(f"/t/{thread.id}/lock", data={"locked": "1"}).status_code == status
        page = html(client.get(f"/t/{thread.id}")) if status == 403 else None
        assert page is None or page.find("form", action=f"/t/{thread.id}/pin") is None
    state = refreshed(thread)
    assert (state.pinned, state.locked) == (False, False)

    for person in (FACILITATOR, "owner", "admin"):
        auth.login(people[person])
        page = html(client.get(f"/t/{thread.id}"))
        pin_form = page.find("form", action=f"/t/{thread.id}/pin")
        fields = {field["name"]: field["value"] for field in pin_form.find_all("input")}
        response = client.post(pin_form["action"], data=fields)
        assert response.status_code == 303 and response.headers["Location"] == f"/t/{thread.id}"
        assert refreshed(thread).pinned is True
        assert client.post(f"/t/{thread.id}/pin", data={"pinned": "0"}).status_code == 303
        assert refreshed(thread).pinned is False
        assert client.post(f"/t/{thread.id}/lock").status_code == 303  # no value: toggle
        assert refreshed(thread).locked is True
        assert "Thread locked" in html(client.get(f"/t/{thread.id}")).select_one("#notices").get_text()
        assert client.post(f"/t/{thread.id}/lock", data={"locked": "0"}).status_code == 303
        assert refreshed(thread).locked is False


# ---- editing and deleting -----------------------------------------------------------------------

def test_author_edits_in_place_with_htmx(client, auth, people, thread, frozen_clock):
    post = opening_post(thread)
    auth.login(people["member"])
    article = html(client.get(f"/t/{thread.id}")).find("article", id=f"post-{post.id}")
    edit_link = article.find("a", string="Edit")
    assert edit_link["hx-target"] == f"#post-{post.id}" and edit_link["hx-swap"] == "outerHTML"

    editor = html(client.get(edit_link["hx-get"], headers=HTMX))
    form = editor.find("form", id=f"post-{post.id}")
    assert editor.find("html") is None and form["hx-post"] == f"/p/{post.id}/edit"
    assert textarea_value(form.find("textarea")) == "Opening words."
    cancel = form.find("a", string="Cancel")
    assert cancel["hx-get"] == f"/p/{post.id}" and cancel["hx-target"] == f"#post-{post.id}"
    restored = html(client.get(cancel["hx-get"], headers=HTMX)).find("article", id=f"post-{post.id}")
    assert "Opening words." in restored.get_text()

    frozen_clock.advance(minutes=5)
    saved = client.post(form["hx-post"], data={"body": "Opening words, *clearer*."}, headers=HTMX)
    article = html(saved).find("article", id=f"post-{post.id}")
    assert saved.status_code == 200 and article.select_one(".body em").get_text() == "clearer"
    assert "edited" in article.find("header").get_text()
    stored = opening_post(thread)
    assert stored.body == "Opening words, *clearer*." and stored.edited_at is not None
    assert "<em>clearer</em>" in stored.body_html


def test_author_edits_without_javascript(client, auth, people, thread):
    post = opening_post(thread)
    auth.login(people["member"])
    page = html(client.get(f"/p/{post.id}/edit"))
    assert page.find("h1") is not None
    form = page.find("form", id=f"post-{post.id}")
    assert not form.has_attr("hx-post") and form["action"] == f"/p/{post.id}/edit"
    assert form.find("a", string="Cancel")["href"] == f"/p/{post.id}"

    empty = client.post(form["action"], data={"body": "  "})
    assert empty.status_code == 422
    assert "A post cannot be empty" in html(empty).select_one(".field-error").get_text()
    assert opening_post(thread).body == "Opening words."

    saved = client.post(form["action"], data={"body": "Second thoughts."})
    assert saved.status_code == 303 and saved.headers["Location"] == f"/p/{post.id}"
    article = html(client.get(f"/t/{thread.id}")).find("article", id=f"post-{post.id}")
    assert "Second thoughts." in article.get_text() and "edited" in article.find("header").get_text()


def test_only_the_author_may_edit_or_delete(client, auth, people, thread):
    post = opening_post(thread)
    for person in (FACILITATOR, "owner", "admin", "outsider"):
        auth.login(people[person])
        assert client.get(f"/p/{post.id}/edit").status_code == 403, person
        assert client.post(f"/p/{post.id}/edit", data={"body": "Hijacked"}).status_code == 403, person
        assert client.post(f"/p/{post.id}/delete").status_code == 403, person
        article = html(client.get(f"/t/{thread.id}")).find("article", id=f"post-{post.id}")
        assert article.find("a", string="Edit") is None
    stored = opening_post(thread)
    assert (stored.body, stored.deleted_at) == ("Opening words.", None)


def test_author_deletes_and_a_placeholder_keeps_the_thread_readable(client, auth, people, thread):
    replies(thread, [people["owner"]], 1)
    opening, answer = posts_of(thread)
    auth.login(people["owner"])
    fragment = client.post(f"/p/{answer.id}/delete", headers=HTMX)
    article = html(fragment).find("article", id=f"post-{answer.id}")
    assert fragment.status_code == 200 and "deleted" in article["class"]
    assert article.select_one(".body").get_text(strip=True) == "This post was deleted."
    assert article.find("a", string="Edit") is None

    auth.login(people["member"])
    response = client.post(f"/p/{opening.id}/delete")
    assert response.status_code == 303 and response.headers["Location"] == f"/p/{opening.id}"
    assert client.post(f"/p/{opening.id}/delete").status_code == 303  # a second click changes nothing

    page = html(client.get(f"/t/{thread.id}"))
    assert page.find("h1").get_text() == "Borrow checker blues"
    bodies = [a.select_one(".body").get_text(strip=True) for a in page.select("article.post")]
    assert bodies == ["This post was deleted.", "This post was deleted."]
    assert all(post.body == "" and post.body_html == "" and post.deleted_at for post in posts_of(thread))
    assert client.get(f"/p/{opening.id}/edit").status_code == 403


def test_posts_of_a_locked_thread_stay_as_they_are(client, auth, people, thread):
    post = opening_post(thread)
    with db.database.connection_context():
        thread.set_locked(True)
    auth.login(people["member"])
    assert client.post(f"/p/{post.id}/edit", data={"body": "Changed"}).status_code == 403
    assert client.post(f"/p/{post.id}/delete").status_code == 403
    assert opening_post(thread).body == "Opening words."


# ---- who may reach what in a private circle ------------------------------------------------------

def test_private_circle_does_not_exist_for_outsiders(client, auth, roles):
    people = roles(PRIVATE)
    circle = people["circle"]
    thread = start(circle, people["member"], "Members only")
    post = opening_post(thread)
    auth.login(people["outsider"])
    requests = [
        ("get", f"/t/{thread.id}", None), ("get", f"/t/{thread.id}?page=1", None),
        ("get", f"/c/{circle.slug}/threads/new", None),
        ("post", f"/c/{circle.slug}/threads/new", {"title": "Hi", "kind": "discussion", "body": "Hi"}),
        ("post", f"/t/{thread.id}/reply", {"body": "Hi"}), ("get", f"/p/{post.id}", None),
        ("get", f"/p/{post.id}/edit", None), ("post", f"/p/{post.id}/edit", {"body": "Hi"}),
        ("post", f"/p/{post.id}/delete", None), ("post", f"/t/{thread.id}/pin", None),
        ("post", f"/t/{thread.id}/lock", None),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 404, (method, url)
        assert "Members only" not in response.get_data(as_text=True)

    auth.logout()
    for method, url, data in requests:
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)
    assert len(posts_of(thread)) == 1 and refreshed(thread).pinned is False


@pytest.mark.parametrize("visibility", ["public", PRIVATE])
def test_who_may_reply(client, auth, roles, visibility):
    people = roles(visibility)
    thread = start(people["circle"], people["member"], "Who answers?")
    expected = {"member": 303, FACILITATOR: 303, "owner": 303, "admin": 403,
                "outsider": 403 if visibility == "public" else 404}
    for person, status in expected.items():
        auth.login(people[person])
        response = client.post(f"/t/{thread.id}/reply", data={"body": f"From {person}"})
        assert response.status_code == status, person
    assert [post.body for post in posts_of(thread)][1:] == ["From member", "From facilitator", "From owner"]


def test_forms_carry_what_csrf_protection_needs(csrf_app, client, auth, people, thread):
    auth.login(people["owner"])
    page = html(client.get(f"/t/{thread.id}"))
    form = page.find("form", id=f"thread-{thread.id}-reply")
    fields = {field["name"]: field["value"] for field in form.find_all("input")}
    assert client.post(form["action"], data={"body": "No token"}).status_code == 400
    assert client.post(form["action"], data={**fields, "body": "Without JS"}).status_code == 303

    token = page.find("meta", attrs={"name": "csrf-token"})["content"]
    fresh = {"form_key": "htmx-key", "body": "With htmx"}
    response = client.post(form["hx-post"], data=fresh, headers={**HTMX, "X-CSRFToken": token})
    assert response.status_code == 200
    assert [post.body for post in posts_of(thread)][1:] == ["Without JS", "With htmx"]

    post = posts_of(thread)[-1]
    delete_form = html(client.get(f"/t/{thread.id}")).find("form", action=f"/p/{post.id}/delete")
    fields = {field["name"]: field["value"] for field in delete_form.find_all("input")}
    assert client.post(delete_form["action"], data=fields).status_code == 303
    assert posts_of(thread)[-1].deleted_at is not None
