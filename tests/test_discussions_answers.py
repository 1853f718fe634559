"""A question's accepted answer: who marks it, changes it and clears it; what refuses; what readers see (the
mark on the reply, the box under the question, the badges); the notice; the thread list's filters."""
import pytest

from learncircle import db
from learncircle.circles.models import FACILITATOR, MEMBER, OWNER, PRIVATE, PUBLIC
from learncircle.discussions.models import POSTS_PER_PAGE, THREADS_PER_PAGE, Post, Thread
from learncircle.notices.models import Notice
from tests.helpers import html
from tests.test_discussions_threads import recorded_sql, replies

HTMX = {"HX-Request": "true"}


@pytest.fixture
def scene(roles, make_user, add_member, frozen_clock):
    """A public circle; the member asks a question; the owner and another member reply; the asker adds a word."""
    people = roles(PUBLIC)
    other = make_user("other")
    add_member(people["circle"], other)
    with db.database.connection_context():
        question = Thread.start(circle=people["circle"], author=people[MEMBER], title="Which test for skewed data?",
                                kind="question", body="t-test or Mann-Whitney?")
        first = question.reply(author=people[OWNER], body="**Mann-Whitney**: the data are skewed.\n\n"
                                                          "```\nscipy.stats.mannwhitneyu(a, b)\n```")
        second = question.reply(author=other, body="Or bootstrap the difference of medians.")
        own = question.reply(author=people[MEMBER], body="Thanks, trying both.")
    return {**people, "other": other, "question": question, "first": first, "second": second, "own": own}


def stored(thread):
    with db.database.connection_context():
        return Thread.get_by_id(thread.id)


def notices_of(user):
    """A person's notices about answers (replies in threads they watch bring notices of their own)."""
    with db.database.connection_context():
        return list(Notice.select().where((Notice.user == user.id) & (Notice.kind == "reply_accepted"))
                    .order_by(Notice.id))


def accept(client, post, headers=None):
    return client.post(f"/p/{post.id}/answer", headers=headers)


# ---- who may --------------------------------------------------------------------------------------

@pytest.mark.parametrize("who, expected", [
    (MEMBER, 303),  # the asker
    (FACILITATOR, 303),
    (OWNER, 303),
    ("other", 403),  # a member who did not ask
    ("outsider", 403),
    ("admin", 403),  # the instance admin moderates, but does not choose answers
])
def test_who_may_mark_and_clear_the_answer(client, auth, scene, who, expected):
    question, second = scene["question"], scene["second"]
    auth.login(scene[who])
    assert accept(client, second).status_code == expected
    assert stored(question).answer_id == (second.id if expected == 303 else None)
    with db.database.connection_context():
        question.accept_answer(second, scene[MEMBER])  # set, so clearing has something to clear
    assert client.post(f"/t/{question.id}/answer/clear").status_code == expected
    assert stored(question).answer_id == (None if expected == 303 else second.id)


def test_visitors_are_sent_to_sign_in_and_private_questions_do_not_exist_for_outsiders(client, auth, roles):
    people = roles(PRIVATE)
    with db.database.connection_context():
        question = Thread.start(circle=people["circle"], author=people[MEMBER], title="Q", kind="question", body="?")
        answer = question.reply(author=people[OWNER], body="!")
    for url in (f"/p/{answer.id}/answer", f"/t/{question.id}/answer/clear"):
        response = client.post(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login(people["outsider"])
    assert accept(client, answer).status_code == 404
    assert client.post(f"/t/{question.id}/answer/clear").status_code == 404
    assert stored(question).answer_id is None


def test_unknown_posts_and_threads_are_404(client, auth, scene):
    auth.login(scene[FACILITATOR])
    assert client.post("/p/999999/answer").status_code == 404
    assert client.post("/t/999999/answer/clear").status_code == 404


def test_an_author_who_left_the_circle_no_longer_chooses(client, auth, scene):
    with db.database.connection_context():
        from learncircle.circles.models import Membership
        Membership.of(scene[MEMBER], scene["circle"]).delete_instance()
    auth.login(scene[MEMBER])
    assert accept(client, scene["first"]).status_code == 403


def test_the_buttons_show_only_to_those_who_may(client, auth, scene):
    question = scene["question"]
    for who, shown in ((MEMBER, True), (FACILITATOR, True), (OWNER, True), ("other", False), ("outsider", False),
                       ("admin", False)):
        auth.login(scene[who])
        page = html(client.get(f"/t/{question.id}"))
        buttons = [b.get_text() for b in page.select(".answer-line button")]
        assert buttons == (["Mark as answer"] * 3 if shown else []), who
        if shown:
            form = page.select_one(f"#post-{scene['first'].id} .answer-line form")
            assert form["action"] == form["hx-post"] == f"/p/{scene['first'].id}/answer"
            assert form.find("input", attrs={"name": "csrf_token"}) is not None


# ---- what cannot be the answer ---------------------------------------------------------------------

def test_a_discussion_has_no_answer(client, auth, scene):
    with db.database.connection_context():
        talk = Thread.start(circle=scene["circle"], author=scene[MEMBER], title="Weekly plan", kind="discussion",
                            body="Shall we?")
        reply = talk.reply(author=scene[OWNER], body="Yes.")
    auth.login(scene[MEMBER])
    assert html(client.get(f"/t/{talk.id}")).select(".answer-line, .answer-slot") == []
    response = accept(client, reply)
    assert response.status_code == 409
    assert "only a reply to a question can be marked as its answer" in html(response).get_text()
    htmx = accept(client, reply, headers=HTMX)
    assert htmx.status_code == 409 and "discussion" in html(htmx).get_text()
    assert stored(talk).answer_id is None


def test_the_question_itself_cannot_be_its_answer(client, auth, scene):
    question = scene["question"]
    with db.database.connection_context():
        opening = Post.get((Post.thread == question.id) & (Post.number == 1))
    auth.login(scene[FACILITATOR])
    assert html(client.get(f"/t/{question.id}")).select_one(f"#post-{opening.id} .answer-line") is None
    response = accept(client, opening)
    assert response.status_code == 409
    assert "not the question itself" in html(response).get_text()
    assert stored(question).answer_id is None


@pytest.mark.parametrize("how", ["deleted", "hidden"])
def test_a_deleted_or_hidden_reply_cannot_be_the_answer(client, auth, scene, how):
    first = scene["first"]
    with db.database.connection_context():
        post = Post.with_thread(first.id)
        post.soft_delete() if how == "deleted" else post.hide(scene[FACILITATOR], "Off topic.")
    auth.login(scene[FACILITATOR])
    assert html(client.get(f"/t/{scene['question'].id}")).select_one(f"#post-{first.id} .answer-line form") is None
    response = accept(client, first)
    assert response.status_code == 409 and "deleted or hidden reply" in html(response).get_text()
    assert stored(scene["question"]).answer_id is None


# ---- marking, changing, clearing ------------------------------------------------------------------

def test_marking_an_answer_without_javascript(client, auth, scene, frozen_clock):
    question, first = scene["question"], scene["first"]
    auth.login(scene[MEMBER])
    response = accept(client, first)
    assert response.status_code == 303 and response.headers["Location"] == f"/p/{first.id}"
    state = stored(question)
    assert state.answer_id == first.id and state.answered_at is not None

    page = html(client.get(f"/t/{question.id}"))
    assert "You marked this reply as the answer." in page.get_text()
    accepted = page.select_one(f"#post-{first.id}")
    assert accepted.select_one(".accepted-mark").get_text(" ", strip=True) == "✓ Accepted answer"
    assert accepted.select_one(".answer-line button").get_text() == "Clear answer"
    assert accepted.select_one(".answer-line form")["action"] == f"/t/{question.id}/answer/clear"
    others = [page.select_one(f"#post-{post.id} .answer-line button").get_text()
              for post in (scene["second"], scene["own"])]
    assert others == ["Mark as answer instead"] * 2
    assert [b.get_text() for b in page.select(f"#thread-{question.id}-badges .badge")] == ["question", "answered"]

    # The box right under the opening post: who, how it begins (plain text), and a link to it in place.
    box = page.select_one(f"#thread-{question.id}-answer")
    opening = page.select("article.post")[0]
    assert opening.find_next_sibling() is box
    assert box.find("h2").get_text(" ", strip=True) == "✓ Accepted answer"
    assert "by Owner" in box.get_text()
    assert box.select_one(".excerpt").get_text() == "Mann-Whitney: the data are skewed. scipy.stats.mannwhitneyu(a, b)"
    assert box.select_one(".excerpt").find("strong") is None
    assert box.find("a", string="Read the whole answer")["href"] == f"#post-{first.id}"


def test_readers_see_the_answer_but_no_buttons(client, auth, scene):
    with db.database.connection_context():
        scene["question"].accept_answer(scene["first"], scene[MEMBER])
    auth.login(scene["other"])
    page = html(client.get(f"/t/{scene['question'].id}"))
    assert page.select_one(f"#post-{scene['first'].id} .accepted-mark") is not None
    assert page.select(".answer-line form") == [] and len(page.select(".answer-line")) == 1
    assert "by Owner" in page.select_one(".answer-box").get_text()


def test_changing_and_clearing_the_answer(client, auth, scene, frozen_clock):
    question, first, second = scene["question"], scene["first"], scene["second"]
    auth.login(scene[FACILITATOR])
    accept(client, first)
    accepted_at = stored(question).answered_at
    frozen_clock.advance(minutes=5)
    assert accept(client, second).status_code == 303
    state = stored(question)
    assert state.answer_id == second.id and state.answered_at > accepted_at
    page = html(client.get(f"/t/{question.id}"))
    assert page.select_one(f"#post-{first.id} .accepted-mark") is None
    assert page.select_one(f"#post-{first.id} .answer-line button").get_text() == "Mark as answer instead"
    assert "by Other" in page.select_one(".answer-box").get_text()

    response = client.post(f"/t/{question.id}/answer/clear")
    assert response.status_code == 303 and response.headers["Location"] == f"/p/{second.id}"
    state = stored(question)
    assert state.answer_id is None and state.answered_at is None
    page = html(client.get(f"/t/{question.id}"))
    assert page.select(".accepted-mark") == [] and page.select_one(".answer-box") is None
    assert [b.get_text() for b in page.select(".answer-line button")] == ["Mark as answer"] * 3
    assert "unanswered" in page.select_one(f"#thread-{question.id}-badges").get_text()
    # Clearing again changes nothing and fails nothing.
    assert client.post(f"/t/{question.id}/answer/clear").status_code == 303


def test_marking_an_answer_with_htmx(client, auth, scene):
    question, first, second = scene["question"], scene["first"], scene["second"]
    auth.login(scene[MEMBER])
    accept(client, first)
    response = accept(client, second, headers=HTMX)
    assert response.status_code == 200
    answer = html(response)
    assert answer.find("html") is None
    line = answer.select_one(f"#post-{second.id}-answer")
    assert not line.has_attr("hx-swap-oob") and line["aria-live"] == "off"
    assert line.select_one(".accepted-mark") and line.find("button").get_text() == "Clear answer"
    assert line.find("button").has_attr("autofocus")  # the pressed button's successor takes the focus
    previous = answer.select_one(f"#post-{first.id}-answer")
    assert previous["hx-swap-oob"] == "true" and previous.select_one(".accepted-mark") is None
    assert previous.find("button").get_text() == "Mark as answer instead"
    assert not previous.find("button").has_attr("autofocus")
    assert answer.select_one(f"#post-{scene['own'].id}-answer")["hx-swap-oob"] == "true"
    box = answer.select_one(f"#thread-{question.id}-answer")
    assert box["hx-swap-oob"] == "true" and "by Other" in box.get_text()
    badges = answer.select_one(f"#thread-{question.id}-badges")
    assert badges["hx-swap-oob"] == "true" and "answered" in badges.get_text().split()

    cleared = html(client.post(f"/t/{question.id}/answer/clear", headers=HTMX))
    line = cleared.select_one(f"#post-{second.id}-answer")
    assert line.find("button").get_text() == "Mark as answer" and line.find("button").has_attr("autofocus")
    assert "No reply is marked as the answer now." in cleared.select_one(f"#thread-{question.id}-answer").get_text()
    assert "unanswered" in cleared.select_one(f"#thread-{question.id}-badges").get_text()


def test_the_whole_page_never_moves_the_focus(client, auth, scene):
    auth.login(scene[MEMBER])
    accept(client, scene["first"])
    assert html(client.get(f"/t/{scene['question'].id}")).select("[autofocus]") == []


def test_deleting_the_accepted_reply_clears_the_answer(client, auth, scene):
    question = scene["question"]
    with db.database.connection_context():
        question.accept_answer(scene["first"], scene[MEMBER])
    auth.login(scene[OWNER])  # the reply's author
    response = client.post(f"/p/{scene['first'].id}/delete", headers=HTMX)
    assert response.status_code == 200
    assert stored(question).answer_id is None and stored(question).answered_at is None
    fragment = html(response)
    assert fragment.select_one(f"#thread-{question.id}-answer")["hx-swap-oob"] == "true"
    assert fragment.select_one(".answer-box") is None
    assert "unanswered" in fragment.select_one(f"#thread-{question.id}-badges").get_text()


def test_hiding_the_accepted_reply_clears_the_answer(client, auth, scene):
    question = scene["question"]
    with db.database.connection_context():
        question.accept_answer(scene["second"], scene[MEMBER])
    auth.login(scene[FACILITATOR])
    response = client.post(f"/p/{scene['second'].id}/hide", data={"reason": "Off topic."})
    assert response.status_code == 303
    assert stored(question).answer_id is None
    page = html(client.get(f"/t/{question.id}"))
    assert "no longer the accepted answer" in page.get_text()
    assert page.select_one(".answer-box") is None
    # Shown again, it is a reply like any other: marking it is a new decision.
    client.post(f"/p/{scene['second'].id}/unhide", data={"reason": "A fair answer after all."})
    assert stored(question).answer_id is None


def test_hiding_another_reply_keeps_the_answer(client, auth, scene):
    question = scene["question"]
    with db.database.connection_context():
        question.accept_answer(scene["second"], scene[MEMBER])
    auth.login(scene[FACILITATOR])
    client.post(f"/p/{scene['first'].id}/hide", data={"reason": "Off topic."})
    assert stored(question).answer_id == scene["second"].id


# ---- the notice -----------------------------------------------------------------------------------

def test_the_replys_author_is_told_once(client, auth, scene):
    question, first, owner = scene["question"], scene["first"], scene[OWNER]
    auth.login(scene[MEMBER])
    accept(client, first)
    accept(client, first)  # again: nothing changes, nobody is told twice
    [notice] = notices_of(owner)
    assert notice.url == f"/p/{first.id}" and notice.circle_id == scene["circle"].id
    assert notice.text == f"Your reply was marked as the answer to “{question.title}”."
    auth.login(owner)
    notices_page = html(client.get("/notices"))
    assert notices_page.find("a", href=f"/p/{first.id}") is not None


def test_no_notice_for_accepting_ones_own_reply(client, auth, scene):
    auth.login(scene[MEMBER])
    accept(client, scene["own"])
    assert stored(scene["question"]).answer_id == scene["own"].id
    assert notices_of(scene[MEMBER]) == []


def test_a_facilitator_accepting_tells_the_author_of_the_reply(client, auth, scene):
    auth.login(scene[FACILITATOR])
    accept(client, scene["second"])
    assert [n.kind for n in notices_of(scene["other"])] == ["reply_accepted"]
    assert notices_of(scene[MEMBER]) == []


# ---- an answer on another page ----------------------------------------------------------------------

def test_an_answer_on_another_page_is_shown_with_a_link_to_it(client, auth, scene):
    question = scene["question"]
    replies(question, [scene[OWNER], scene["other"]], POSTS_PER_PAGE, first_number=5)
    with db.database.connection_context():
        late = Post.get((Post.thread == question.id) & (Post.number == POSTS_PER_PAGE + 3))
        question.accept_answer(late, scene[MEMBER])
    auth.login(scene["other"])
    client.get(f"/t/{question.id}")

    with recorded_sql() as statements:
        page = html(client.get(f"/t/{question.id}"))
    box = page.select_one(".answer-box")
    assert f"Post {late.number}" in box.get_text()
    link = box.find("a", string="Read the whole answer")["href"]
    assert link == f"/p/{late.id}"
    assert client.get(link).headers["Location"] == f"/t/{question.id}?page=2#post-{late.id}"
    # One small query more, for a question whose answer is on another page only.
    assert len(statements) <= 6, statements

    with recorded_sql() as statements:
        second_page = html(client.get(f"/t/{question.id}?page=2"))
    reads = [sql for sql in statements if sql.startswith("SELECT")]
    others = [sql for sql in statements if not sql.startswith("SELECT")]
    assert len(reads) <= 5 and len(others) == 1 and others[0].startswith('INSERT INTO "read_state"'), statements
    replies_box = second_page.select_one(f"#thread-{question.id}-replies")
    assert replies_box.find(True) is second_page.select_one(f"#thread-{question.id}-answer")  # atop the page
    assert second_page.select_one(".answer-box a")["href"] == f"#post-{late.id}"


def test_a_question_page_with_its_answer_on_it_keeps_to_5_queries(client, auth, scene):
    with db.database.connection_context():
        scene["question"].accept_answer(scene["first"], scene[MEMBER])
    auth.login(scene[MEMBER])
    client.get(f"/t/{scene['question'].id}")
    with recorded_sql() as statements:
        assert client.get(f"/t/{scene['question'].id}").status_code == 200
    assert len(statements) <= 5, statements


# ---- the thread list's filters --------------------------------------------------------------------

@pytest.fixture
def listed(scene, frozen_clock):
    """Besides the scene's question (answered here): an unanswered question by the owner, a discussion by
    the member, a discussion by the owner."""
    circle = scene["circle"]
    with db.database.connection_context():
        scene["question"].accept_answer(scene["first"], scene[MEMBER])
        frozen_clock.advance(minutes=1)
        Thread.start(circle=circle, author=scene[OWNER], title="Open question", kind="question", body="?")
        frozen_clock.advance(minutes=1)
        Thread.start(circle=circle, author=scene[MEMBER], title="My plan", kind="discussion", body="Plan.")
        frozen_clock.advance(minutes=1)
        Thread.start(circle=circle, author=scene[OWNER], title="Welcome", kind="discussion", body="Hi.")
    return scene


def listed_titles(response):
    return [a.get_text(strip=True) for a in html(response).select("#threads ul.rows > li a.title")]


@pytest.mark.parametrize("show, titles", [
    (None, ["Welcome", "My plan", "Open question", "Which test for skewed data?"]),
    ("all", ["Welcome", "My plan", "Open question", "Which test for skewed data?"]),
    ("questions", ["Open question", "Which test for skewed data?"]),
    ("unanswered", ["Open question"]),
    ("mine", ["My plan", "Which test for skewed data?"]),
    ("nonsense", ["Welcome", "My plan", "Open question", "Which test for skewed data?"]),
])
def test_the_filters_list_exactly_their_threads(client, auth, listed, show, titles):
    auth.login(listed[MEMBER])
    response = client.get(f"/c/{listed['circle'].slug}" + (f"?show={show}" if show else ""))
    assert response.status_code == 200
    assert listed_titles(response) == titles
    nav = html(response).select_one("#threads nav.filters")
    assert [a.get_text() for a in nav.find_all("a")] == ["All", "Questions", "Unanswered", "My threads"]
    [current] = nav.select("[aria-current=page]")
    expected = {"questions": "Questions", "unanswered": "Unanswered", "mine": "My threads"}.get(show, "All")
    assert current.get_text() == expected and not current.has_attr("autofocus")


def test_answered_and_unanswered_badges_in_the_list(client, auth, listed):
    auth.login(listed["other"])
    page = html(client.get(f"/c/{listed['circle'].slug}?show=questions"))
    badges = {li.select_one("a.title").get_text(): [b.get_text() for b in li.select(".badge:not(.new)")]
              for li in page.select("#threads ul.rows > li")}
    assert badges == {"Open question": ["question", "unanswered"],
                      "Which test for skewed data?": ["question", "answered"]}


def test_my_threads_are_the_ones_i_started(client, auth, listed):
    auth.login(listed["other"])  # replied to the question, started nothing
    page = html(client.get(f"/c/{listed['circle'].slug}?show=mine"))
    assert page.select("#threads ul.rows > li") == []
    assert "You have not started a thread in this circle yet." in page.select_one("#threads").get_text()


def test_a_filter_through_htmx_swaps_the_list_and_takes_the_focus(client, auth, listed):
    auth.login(listed[MEMBER])
    page = html(client.get(f"/c/{listed['circle'].slug}"))
    link = page.select_one("#threads nav.filters").find("a", string="Unanswered")
    assert link["href"] == link["hx-get"] == f"/c/{listed['circle'].slug}?show=unanswered"
    assert link["hx-target"] == "#threads" and link["hx-swap"] == "outerHTML" and link["hx-push-url"] == "true"
    response = client.get(link["hx-get"], headers=HTMX)
    fragment = html(response)
    assert fragment.find("html") is None and fragment.select_one("section#threads") is not None
    assert listed_titles(response) == ["Open question"]
    current = fragment.select_one("[aria-current=page]")
    assert current.get_text() == "Unanswered" and current.has_attr("autofocus")


def test_the_pager_keeps_the_filter(client, auth, scene, frozen_clock):
    circle = scene["circle"]
    with db.database.connection_context():
        for n in range(THREADS_PER_PAGE + 1):
            Thread.start(circle=circle, author=scene[OWNER], title=f"Question {n:02d}", kind="question", body="?")
            frozen_clock.advance(minutes=1)
            Thread.start(circle=circle, author=scene[OWNER], title=f"Talk {n:02d}", kind="discussion", body="!")
            frozen_clock.advance(minutes=1)
    auth.login(scene[MEMBER])
    first = client.get(f"/c/{circle.slug}?show=unanswered")
    assert len(listed_titles(first)) == THREADS_PER_PAGE
    later = html(first).select_one("#threads nav.pager a[rel=next]")["href"]
    assert "show=unanswered" in later and "page=2" in later
    second = client.get(later)
    assert listed_titles(second) == ["Question 00", "Which test for skewed data?"]
    earlier = html(second).select_one("#threads nav.pager a[rel=prev]")["href"]
    assert "show=unanswered" in earlier
    assert html(second).select_one("[aria-current=page]").get_text() == "Unanswered"
