"""Facilitators hide a harmful post with a reason, as the default code of conduct promises: the circle
sees a placeholder, the author still sees the post and why, a facilitator can show it again. Also: a
question stays "unanswered" after a reply."""
import pytest

from learncircle import db
from learncircle.circles.models import FACILITATOR, MEMBER, OWNER, PUBLIC
from learncircle.discussions.models import Post, Thread
from learncircle.notices.models import Notice
from tests.helpers import html
from tests.test_discussions_threads import recorded_sql, replies

HTMX = {"HX-Request": "true"}
HARM = "You are all idiots and this circle is a joke."
REASON = "Personal attack: see rule 1 of the code of conduct."


@pytest.fixture
def scene(roles, make_user, add_member):
    """A thread in which a member wrote something harmful, and a bystander who reads it."""
    people = roles(PUBLIC)
    bystander = make_user("bystander")
    add_member(people["circle"], bystander)
    with db.database.connection_context():
        thread = Thread.start(circle=people["circle"], author=people[OWNER], title="Week 3", kind="discussion",
                              body="How did week 3 go?")
        post = thread.reply(author=people[MEMBER], body=HARM)
    return {**people, "bystander": bystander, "thread": thread, "post": post}


def article(client, scene):
    page = html(client.get(f"/t/{scene['thread'].id}"))
    return page.select_one(f"#post-{scene['post'].id}")


def stored(post):
    with db.database.connection_context():
        return Post.get_by_id(post.id)


def hide(client, scene, reason=REASON, **kwargs):
    return client.post(f"/p/{scene['post'].id}/hide", data={"reason": reason}, **kwargs)


@pytest.mark.parametrize("who", [FACILITATOR, OWNER])
def test_a_facilitator_hides_a_post_the_circle_sees_a_placeholder(client, auth, scene, who):
    auth.login(scene[who])
    form = html(client.get(f"/p/{scene['post'].id}/hide")).find("form", action=f"/p/{scene['post'].id}/hide")
    assert form is not None and form.find("input", {"name": "reason"}) is not None
    response = hide(client, scene)
    assert response.status_code == 303 and response.headers["Location"] == f"/p/{scene['post'].id}"
    post = stored(scene["post"])
    assert post.is_hidden and post.hidden_reason == REASON and post.hidden_by_id == scene[who].id

    auth.login(scene["bystander"])
    seen = article(client, scene)
    text = seen.get_text(" ", strip=True)
    assert "This post was hidden by a facilitator." in text
    assert HARM not in text and REASON not in text
    assert seen.select_one(".body") is None and seen.select_one(".post-moderation") is None


def test_the_author_still_sees_the_post_and_why_and_may_edit_it(client, auth, scene):
    auth.login(scene[FACILITATOR])
    hide(client, scene)
    auth.login(scene[MEMBER])
    seen = article(client, scene)
    assert HARM in seen.select_one(".body").get_text()
    assert REASON in seen.select_one(".hidden-note").get_text()
    assert seen.find("a", string="Edit") is not None
    assert client.post(f"/p/{scene['post'].id}/edit", data={"body": "Sorry, that was unkind."}).status_code == 303
    assert stored(scene["post"]).is_hidden  # editing does not unhide it: a facilitator decides
    with db.database.connection_context():
        notice = Notice.get(Notice.user == scene[MEMBER].id)
    assert REASON in notice.text and notice.url == f"/p/{scene['post'].id}"


def test_a_facilitator_reads_it_with_the_reason_and_shows_it_again(client, auth, scene):
    auth.login(scene[FACILITATOR])
    hide(client, scene)
    seen = article(client, scene)
    assert HARM in seen.select_one(".body").get_text() and REASON in seen.get_text()
    link = seen.select_one(".post-moderation a")
    assert link["href"] == f"/p/{scene['post'].id}/unhide"
    form = html(client.get(link["href"])).select_one(f"form#post-{scene['post'].id}")
    assert form["action"] == link["href"] and form.find("input", {"name": "csrf_token"})
    refused = client.post(form["action"], data={"reason": "  "})  # showing it again is logged with its reason
    assert refused.status_code == 422 and html(refused).select_one(f"form#post-{scene['post'].id} .field-error")
    assert stored(scene["post"]).is_hidden
    assert client.post(form["action"], data={"reason": "Edited: it keeps to the code now."}).status_code == 303
    assert not stored(scene["post"]).is_hidden
    auth.login(scene["bystander"])
    assert HARM in article(client, scene).get_text()


@pytest.mark.parametrize("who, status", [(MEMBER, 403), ("bystander", 403), ("outsider", 403)])
def test_members_cannot_hide_posts(client, auth, scene, who, status):
    auth.login(scene[who])
    assert client.get(f"/p/{scene['post'].id}/hide").status_code == status
    assert hide(client, scene).status_code == status
    assert client.post(f"/p/{scene['post'].id}/unhide", data={"reason": "Fine."}).status_code == status
    assert not stored(scene["post"]).is_hidden
    assert article(client, scene).select_one(".post-moderation") is None


@pytest.mark.parametrize("reason, message", [("", "why the post is hidden"), ("   \n ", "why the post is hidden"),
                                             ("x" * 301, "300 characters")])
def test_a_reason_is_required_and_kept_when_refused(client, auth, scene, reason, message):
    auth.login(scene[FACILITATOR])
    response = hide(client, scene, reason=reason)
    assert response.status_code == 422
    page = html(response)
    field = page.select_one(f"#post-{scene['post'].id}-reason")
    assert field["aria-invalid"] == "true" and message in page.select_one(".field-error").get_text()
    assert not stored(scene["post"]).is_hidden


def test_a_reason_is_one_line(client, auth, scene):
    auth.login(scene[FACILITATOR])
    assert hide(client, scene, reason="Off topic.\r\n\tPlease keep to the week.").status_code == 303
    assert stored(scene["post"]).hidden_reason == "Off topic. Please keep to the week."


def test_with_htmx_hiding_happens_in_place(client, auth, scene):
    auth.login(scene[FACILITATOR])
    post_id = scene["post"].id
    link = article(client, scene).select_one(".post-moderation a")
    assert link.get_text() == "Hide" and link["hx-get"] == f"/p/{post_id}/hide"
    assert link["hx-target"] == f"#post-{post_id}" and link["hx-swap"] == "outerHTML"
    form = html(client.get(link["hx-get"], headers=HTMX))
    assert form.find("html") is None
    assert form.select_one(f"form#post-{post_id}")["hx-post"] == f"/p/{post_id}/hide"

    refused = hide(client, scene, reason="", headers=HTMX)
    assert refused.status_code == 422 and html(refused).select_one(f"form#post-{post_id} .field-error")
    answer = hide(client, scene, headers=HTMX)
    swapped = html(answer).select_one(f"article#post-{post_id}")
    assert answer.status_code == 200 and "hidden" in swapped["class"]
    assert REASON in swapped.get_text() and swapped.select_one(".post-moderation a")["href"] == f"/p/{post_id}/unhide"
    asked = html(client.get(f"/p/{post_id}/unhide", headers=HTMX)).select_one(f"form#post-{post_id}")
    assert asked["hx-post"] == f"/p/{post_id}/unhide"
    shown = html(client.post(f"/p/{post_id}/unhide", data={"reason": "Fine now."}, headers=HTMX)).select_one(
        f"article#post-{post_id}")
    assert "hidden" not in shown["class"] and shown.select_one(".post-moderation a").get_text() == "Hide"


def test_the_thread_page_keeps_its_queries_with_hidden_posts(client, auth, scene):
    thread = scene["thread"]
    replies(thread, [scene[MEMBER], scene[FACILITATOR]], 40, first_number=3)
    with db.database.connection_context():
        for post in Post.select().where(Post.thread == thread.id):
            if post.number % 3 == 0:
                post.hide(scene[FACILITATOR], "Off topic.")
    auth.login(scene["bystander"])
    client.get(f"/t/{thread.id}")
    with recorded_sql() as statements:
        page = html(client.get(f"/t/{thread.id}"))
    assert len(page.select("article.post.hidden")) == 14
    assert 3 <= len(statements) <= 5, statements


# ---- a question's badge after an htmx reply -------------------------------------------------------

def test_a_reply_from_someone_else_leaves_the_question_unanswered(client, auth, roles):
    """Answered means an accepted answer (tests/test_discussions_answers.py), not any reply."""
    people = roles(PUBLIC)
    with db.database.connection_context():
        thread = Thread.start(circle=people["circle"], author=people[OWNER], title="Which test?", kind="question",
                              body="t-test or Mann-Whitney?")
    auth.login(people[MEMBER])
    response = client.post(f"/t/{thread.id}/reply", data={"body": "Mann-Whitney: the data are skewed.",
                                                           "form_key": ""}, headers=HTMX)
    assert response.status_code == 200
    assert html(response).select_one(f"#thread-{thread.id}-badges") is None  # nothing changed there
    assert "unanswered" in html(client.get(f"/t/{thread.id}")).select_one(f"#thread-{thread.id}-badges").get_text()


def test_the_asker_replying_leaves_the_question_unanswered(client, auth, roles):
    people = roles(PUBLIC)
    with db.database.connection_context():
        thread = Thread.start(circle=people["circle"], author=people[OWNER], title="Which test?", kind="question",
                              body="t-test or Mann-Whitney?")
    auth.login(people[OWNER])
    client.post(f"/t/{thread.id}/reply", data={"body": "Any ideas?", "form_key": ""}, headers=HTMX)
    assert "unanswered" in html(client.get(f"/t/{thread.id}")).select_one(f"#thread-{thread.id}-badges").get_text()

