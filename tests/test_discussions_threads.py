"""Discussions, seen from a circle: the thread list, starting a thread, previews, the thread page."""
import logging
import re
from contextlib import contextmanager

import pytest

from learncircle import db
from learncircle.circles.models import FACILITATOR, PRIVATE
from learncircle.discussions.models import Post, Thread
from tests.helpers import html


def start(circle, author, title="A thread", kind="discussion", body="Opening words."):
    with db.database.connection_context():
        return Thread.start(circle=circle, author=author, title=title, kind=kind, body=body)


def reply(thread, author, body="A reply."):
    with db.database.connection_context():
        return thread.reply(author=author, body=body)


def replies(thread, authors, count, first_number=2):
    """Add count replies, taking turns among authors, each saying "Post <its number>"."""
    with db.database.connection_context():
        for n in range(first_number, first_number + count):
            thread.reply(author=authors[n % len(authors)], body=f"Post {n}")


def stored_threads(circle):
    with db.database.connection_context():
        return list(Thread.select().where(Thread.circle == circle.id).order_by(Thread.id))


def thread_rows(response):
    """The titles in the circle's thread list, top to bottom."""
    section = html(response).find("section", id="threads")
    return [link.get_text(strip=True) for link in section.select("ul.rows > li a.title")]


def textarea_value(textarea):
    # Like a browser, drop the one line break that may follow the opening tag (CRLF reads as one).
    value = textarea.string or ""
    return value.removeprefix("\r\n") if value.startswith("\r\n") else value.removeprefix("\n")


def new_thread_url(circle):
    return f"/c/{circle.slug}/threads/new"


@contextmanager
def recorded_sql():
    """Collect every SQL statement Peewee sends while the block runs."""
    statements = []

    class Recorder(logging.Handler):
        def emit(self, record):
            if record.name == "peewee":  # not peewee.pool's notes on borrowing connections
                statements.append(record.msg[0] if isinstance(record.msg, tuple) else record.getMessage())

    logger, handler = logging.getLogger("peewee"), Recorder(logging.DEBUG)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


# ---- the thread list ----------------------------------------------------------------------------

def test_list_shows_pinned_first_then_latest_activity(client, auth, roles, frozen_clock):
    people = roles()
    circle, member, owner = people["circle"], people["member"], people["owner"]
    first = start(circle, owner, "First thread")
    frozen_clock.advance(hours=1)
    second = start(circle, member, "Second thread")
    frozen_clock.advance(hours=1)
    start(circle, member, "Third thread")
    frozen_clock.advance(hours=1)
    reply(first, member, "Bringing this back up.")
    with db.database.connection_context():
        second.set_pinned(True)
    frozen_clock.advance(minutes=30)

    auth.login(member)
    response = client.get(f"/c/{circle.slug}")

    assert thread_rows(response) == ["Second thread", "First thread", "Third thread"]
    rows = html(response).select("#threads ul.rows > li")
    assert "pinned" in [badge.get_text() for badge in rows[0].select(".badge")]
    revived = rows[1].get_text(" ", strip=True)
    assert "by Owner" in revived and "1 reply" in revived and "30 minutes ago by Member" in revived
    assert rows[1].find("time")["title"].startswith("Mon 02 Mar 2026, 12:00")


def test_list_marks_questions_unanswered_until_an_answer_is_accepted(client, auth, roles):
    people = roles()
    circle, member, owner = people["circle"], people["member"], people["owner"]
    question = start(circle, member, "How do lifetimes work?", kind="question")
    reply(question, member, "To add: I read the book chapter already.")
    auth.login(member)

    badges = [b.get_text() for b in html(client.get(f"/c/{circle.slug}")).select("#threads .badge:not(.new)")]
    assert badges == ["question", "unanswered"]

    answer = reply(question, owner, "Think of them as scopes.")
    badges = [b.get_text() for b in html(client.get(f"/c/{circle.slug}")).select("#threads .badge:not(.new)")]
    assert badges == ["question", "unanswered"]  # a reply is not an answer until one is accepted

    client.post(f"/p/{answer.id}/answer")
    badges = [b.get_text() for b in html(client.get(f"/c/{circle.slug}")).select("#threads .badge:not(.new)")]
    assert badges == ["question", "answered"]


def test_list_pages_hold_25_threads(client, auth, roles, frozen_clock):
    people = roles()
    circle, member = people["circle"], people["member"]
    for n in range(26):
        start(circle, member, f"Thread {n:02d}")
        frozen_clock.advance(minutes=1)
    auth.login(member)

    first = client.get(f"/c/{circle.slug}")
    assert len(thread_rows(first)) == 25
    assert thread_rows(first)[0] == "Thread 25"
    older = html(first).select_one("#threads nav.pager a[rel=next]")
    assert older["href"] == f"/c/{circle.slug}?page=2"
    assert html(first).select_one("#threads nav.pager a[rel=prev]") is None

    second = client.get(older["href"])
    assert thread_rows(second) == ["Thread 00"]
    assert html(second).select_one("#threads nav.pager a[rel=prev]")["href"] == f"/c/{circle.slug}?page=1"


def test_list_page_for_htmx_is_the_section_alone(client, auth, roles):
    people = roles()
    start(people["circle"], people["member"], "Only thread")
    auth.login(people["member"])
    response = client.get(f"/c/{people['circle'].slug}?page=1", headers={"HX-Request": "true"})
    page = html(response)
    assert page.find("html") is None and page.find("section", id="threads") is not None
    assert page.find("section")["aria-labelledby"] == "threads-heading"


def test_empty_list_invites_members_to_start(client, auth, roles):
    people = roles()
    circle = people["circle"]
    auth.login(people["member"])
    section = html(client.get(f"/c/{circle.slug}")).find("section", id="threads")
    assert "No threads yet" in section.get_text()
    assert section.find("a", href=new_thread_url(circle)) is not None

    auth.login(people["outsider"])
    section = html(client.get(f"/c/{circle.slug}")).find("section", id="threads")
    assert "No threads yet" in section.get_text()
    assert section.find("a", href=new_thread_url(circle)) is None


# ---- starting a thread --------------------------------------------------------------------------

def test_member_starts_a_thread(client, auth, roles):
    people = roles()
    circle = people["circle"]
    auth.login(people["member"])
    form = html(client.get(new_thread_url(circle))).find("form", action=new_thread_url(circle))
    key = form.find("input", attrs={"name": "form_key"})["value"]
    assert len(key) >= 32

    response = client.post(new_thread_url(circle), data={
        "title": "  Borrowing rules, explained?  ", "kind": "question", "body": "Why does `&mut` *conflict*?",
        "form_key": key})

    [thread] = stored_threads(circle)
    assert response.status_code == 303 and response.headers["Location"] == f"/t/{thread.id}"
    assert (thread.title, thread.kind, thread.post_count) == ("Borrowing rules, explained?", "question", 1)
    page = html(client.get(f"/t/{thread.id}"))
    assert page.find("h1").get_text() == "Borrowing rules, explained?"
    assert page.select_one("article.post .body em").get_text() == "conflict"


@pytest.mark.parametrize("title, body, field, message", [
    ("", "Some text", "title", "Give the thread a title."),
    ("   ", "Some text", "title", "Give the thread a title."),
    ("x" * 201, "Some text", "title", "Keep the title to 200 characters or fewer."),
    ("A fine title", "  \n ", "body", "Write the opening message."),
    ("A fine title", "y" * 50_001, "body", "Keep it under 50,000 characters"),
])
def test_invalid_thread_is_refused_with_the_text_kept(client, auth, roles, title, body, field, message):
    people = roles()
    circle = people["circle"]
    auth.login(people["member"])
    response = client.post(new_thread_url(circle), data={"title": title, "kind": "discussion", "body": body,
                                                         "form_key": "key-1"})
    assert response.status_code == 422
    page = html(response)
    invalid = page.select_one("[aria-invalid=true]")
    assert invalid["name"] == field
    assert message in page.select_one(".field-error").get_text()
    assert textarea_value(page.find("textarea", attrs={"name": "body"})) == body
    assert page.find("input", attrs={"name": "title"})["value"] == title.strip()
    assert page.find("input", attrs={"name": "form_key"})["value"] == "key-1"
    assert stored_threads(circle) == []


def test_longest_title_and_body_are_accepted(client, auth, roles):
    people = roles()
    circle = people["circle"]
    auth.login(people["member"])
    response = client.post(new_thread_url(circle), data={"title": "t" * 200, "kind": "discussion",
                                                         "body": "bbb\r\n" * 12_500})
    assert response.status_code == 303
    [thread] = stored_threads(circle)
    with db.database.connection_context():
        assert len(Post.get(Post.thread == thread.id).body) == 50_000


def test_preview_without_javascript_renders_and_keeps_the_text(client, auth, roles):
    people = roles()
    circle = people["circle"]
    auth.login(people["member"])
    body = "Some **bold** claim\n\n<script>alert(1)</script>"
    response = client.post(new_thread_url(circle), data={"title": "Draft", "kind": "question", "body": body,
                                                         "form_key": "draft-key", "action": "preview"})
    assert response.status_code == 200
    page = html(response)
    preview = page.select_one("#thread-preview .preview")
    assert preview.find("strong").get_text() == "bold" and preview.find("script") is None
    assert textarea_value(page.find("textarea", attrs={"name": "body"})) == body
    assert page.find("input", attrs={"name": "title"})["value"] == "Draft"
    assert page.find("input", attrs={"name": "kind", "value": "question"}).has_attr("checked")
    assert page.find("input", attrs={"name": "form_key"})["value"] == "draft-key"
    assert stored_threads(circle) == []


def test_preview_fragment_for_htmx(client, auth, roles):
    people = roles()
    auth.login(people["outsider"])
    response = client.post("/preview", data={"body": "| a | b |\n|---|---|\n| 1 | 2 |"},
                           headers={"HX-Request": "true"})
    page = html(response)
    assert response.status_code == 200 and page.find("html") is None
    assert page.select_one(".preview table td").get_text() == "1"

    empty = html(client.post("/preview", data={"body": ""}))
    assert "Nothing to preview yet" in empty.get_text()
    too_long = html(client.post("/preview", data={"body": "z" * 50_001}))
    assert too_long.select_one(".field-error") is not None and too_long.select_one(".preview") is None


def test_preview_needs_an_account(client, make_user):
    make_user()
    response = client.post("/preview", data={"body": "hello"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_same_form_key_twice_stores_one_thread(client, auth, roles):
    people = roles()
    circle = people["circle"]
    auth.login(people["member"])
    data = {"title": "Only once", "kind": "discussion", "body": "Double click!", "form_key": "same-key"}
    first = client.post(new_thread_url(circle), data=data)
    second = client.post(new_thread_url(circle), data=data)
    [thread] = stored_threads(circle)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == f"/t/{thread.id}"


@pytest.mark.parametrize("visibility, expected", [
    ("public", {"member": 200, FACILITATOR: 200, "owner": 200, "outsider": 403, "admin": 403}),
    (PRIVATE, {"member": 200, FACILITATOR: 200, "owner": 200, "outsider": 404, "admin": 403}),
])
def test_who_may_start_a_thread(client, auth, roles, visibility, expected):
    people = roles(visibility)
    url = new_thread_url(people["circle"])
    for person, status in expected.items():
        auth.login(people[person])
        assert client.get(url).status_code == status, person
        posted = client.post(url, data={"title": f"Hello from {person}", "kind": "discussion", "body": "Hi"})
        assert posted.status_code == (303 if status == 200 else status), person
    titles = {thread.title for thread in stored_threads(people["circle"])}
    assert titles == {f"Hello from {person}" for person, status in expected.items() if status == 200}


def test_anonymous_visitor_is_sent_to_log_in(client, roles):
    people = roles()
    response = client.get(new_thread_url(people["circle"]))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# ---- the thread page ----------------------------------------------------------------------------

def test_thread_page_shows_circle_posts_in_order_and_pages_of_50(client, auth, roles):
    people = roles()
    circle, member, owner = people["circle"], people["member"], people["owner"]
    thread = start(circle, member, "Long talk", body="Post 1")
    replies(thread, [member, owner], 59)
    auth.login(member)

    page = html(client.get(f"/t/{thread.id}"))
    assert page.find("h1").get_text() == "Long talk"
    back = page.find("a", href=f"/c/{circle.slug}")
    assert back.get_text() == circle.name and circle.purpose in back.parent.get_text()
    shown = page.select(f"#thread-{thread.id}-replies > article.post")
    bodies = [a.select_one(".body").get_text(strip=True) for a in shown]
    assert bodies == [f"Post {n}" for n in range(1, 51)]
    assert page.select_one("nav.pager a[rel=next]")["href"] == f"/t/{thread.id}?page=2"

    second = html(client.get(f"/t/{thread.id}?page=2"))
    bodies = [a.select_one(".body").get_text(strip=True) for a in second.select("article.post")]
    assert bodies == [f"Post {n}" for n in range(51, 61)]
    assert second.select_one("nav.pager a[rel=prev]")["href"] == f"/t/{thread.id}?page=1"
    assert second.select_one("nav.pager a[rel=next]") is None


def test_page_out_of_range_is_not_found(client, auth, roles):
    people = roles()
    thread = start(people["circle"], people["member"])
    replies(thread, [people["member"]], 54)
    auth.login(people["member"])
    assert client.get(f"/t/{thread.id}?page=2").status_code == 200
    for page in ("3", "0", "-1", "two", "99999999"):
        assert client.get(f"/t/{thread.id}?page={page}").status_code == 404, page


def test_unknown_thread_is_not_found(client, auth, roles):
    people = roles()
    auth.login(people["member"])
    assert client.get("/t/424242").status_code == 404


@pytest.mark.parametrize("visibility, expected", [
    ("public", {"member": 200, FACILITATOR: 200, "owner": 200, "outsider": 200, "admin": 200}),
    (PRIVATE, {"member": 200, FACILITATOR: 200, "owner": 200, "outsider": 404, "admin": 200}),
])
def test_who_may_read_a_thread(client, auth, roles, visibility, expected):
    people = roles(visibility)
    thread = start(people["circle"], people["member"], "Secret plans")
    for person, status in expected.items():
        auth.login(people[person])
        response = client.get(f"/t/{thread.id}")
        assert response.status_code == status, person
        assert ("Secret plans" in response.get_data(as_text=True)) == (status == 200)
    auth.logout()
    response = client.get(f"/t/{thread.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_readers_who_may_not_post_see_no_reply_form(client, auth, roles):
    people = roles()
    thread = start(people["circle"], people["member"])
    auth.login(people["outsider"])
    page = html(client.get(f"/t/{thread.id}"))
    assert page.find("form", id=f"thread-{thread.id}-reply") is None
    assert page.find("a", href=f"/c/{people['circle'].slug}/join") is not None
    assert page.select("article.post .actions") == []


def test_title_and_body_cannot_inject_markup(client, auth, roles):
    people = roles()
    circle = people["circle"]
    auth.login(people["member"])
    title = '<script>alert("t")</script><img src=x onerror=alert(1)>'
    body = ('<script>alert("b")</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) '
            '<iframe src="https://evil.example"></iframe> [entity](&#106;avascript:alert(4))')
    client.post(new_thread_url(circle), data={"title": title, "kind": "discussion", "body": body})
    [thread] = stored_threads(circle)

    for url in (f"/t/{thread.id}", f"/c/{circle.slug}"):
        raw = client.get(url).get_data(as_text=True)
        main = html(client.get(url)).find("main")
        assert main.find("script") is None and main.find("iframe") is None
        assert not main.select("[onerror]")
        assert not [a for a in main.find_all("a") if a.get("href", "").lower().startswith("javascript")]
        assert "<script>alert(" not in raw and "<img src=x" not in raw
    assert html(client.get(f"/t/{thread.id}")).find("h1").get_text() == title


def test_thread_page_with_50_posts_takes_at_most_5_queries(client, auth, roles, make_user, add_member):
    people = roles()
    circle, facilitator = people["circle"], people["facilitator"]
    writers = [make_user(f"writer{n}") for n in range(5)]
    for writer in writers:
        add_member(circle, writer)
    thread = start(circle, facilitator, "Busy")
    replies(thread, [facilitator, *writers], 49)
    auth.login(facilitator)
    client.get(f"/t/{thread.id}")  # the first request of an app also checks that an account exists

    with recorded_sql() as statements:
        response = client.get(f"/t/{thread.id}")

    page = html(response)
    assert len(page.select("article.post")) == 50
    assert {a.select_one(".author").get_text() for a in page.select("article.post")} == \
        {"Facilitator"} | {w.display_name for w in writers}
    assert len(page.select("article.post .actions")) == 9  # the viewer's own posts: 1, 6, 12 … 48
    assert 3 <= len(statements) <= 5, statements


def test_reading_pages_never_writes(client, auth, roles):
    people = roles()
    circle, member = people["circle"], people["member"]
    thread = start(circle, member, "Read me", kind="question")
    post = reply(thread, people["owner"])
    with db.database.connection_context():
        opening = Post.get((Post.thread == thread.id) & (Post.number == 1))
    auth.login(member)
    urls = [f"/c/{circle.slug}", f"/t/{thread.id}", f"/t/{thread.id}?page=1", f"/p/{post.id}",
            f"/p/{opening.id}/edit", new_thread_url(circle)]
    with recorded_sql() as statements:
        for url in urls:
            assert client.get(url).status_code in (200, 302), url
        client.get(f"/p/{post.id}", headers={"HX-Request": "true"})
        client.post("/preview", data={"body": "hello"})
    writes = [sql for sql in statements if re.match(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP)", sql, re.I)]
    # What the member read is the one write a page view may make: once, for the page that showed new posts.
    assert statements and len(writes) == 1 and writes[0].startswith('INSERT INTO "read_state"'), writes

    with recorded_sql() as statements:  # read again, nothing new: nothing at all is written
        for url in urls:
            assert client.get(url).status_code in (200, 302), url
    writes = [sql for sql in statements if re.match(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP)", sql, re.I)]
    assert statements and writes == []
