"""The same application on PostgreSQL: migrations, the discussion flow, a review round and its
background allocation.

Runs when LEARNCIRCLE_TEST_POSTGRES_URL names an empty database it may reset (`.ci/run` starts a
local PostgreSQL for CI); elsewhere it is skipped with that reason.
"""
import datetime as dt
import inspect
import os
import threading

import pytest

from learncircle import clock, db
from learncircle.accounts.models import User
from learncircle.circles.models import Circle, Membership
from learncircle.discussions.models import Post, Thread
from learncircle.discussions.voices import Greeting
from learncircle.notices.models import Notice
from learncircle.reviews import background_allocation, board, results, reviewing, solver
from learncircle.reviews.models import Assignment, KeptApart, ReviewRound
from learncircle.reviews.submitting import submit
from tests.helpers import html
from tests import test_discussions_voices as voices_tests
from tests import test_search as search_tests
from tests.fixtures_reviews import make_round, review_data, start_reviewing

URL = os.environ.get("LEARNCIRCLE_TEST_POSTGRES_URL")

pytestmark = pytest.mark.skipif(not URL, reason="set LEARNCIRCLE_TEST_POSTGRES_URL to an empty PostgreSQL "
                                                "database to run the PostgreSQL tests")


@pytest.fixture
def app(pg_app):
    """Here the fixtures that make people and rounds (make_user, world) make them on PostgreSQL."""
    return pg_app


def test_discussions_and_a_review_round_work_on_postgresql(pg_app):
    with db.database.connection_context():
        people = {name: User.register(username=name, email=f"{name}@example.org", password="password123")
                  for name in ("olga", "ana", "ben", "cai")}
        circle = Circle.found(owner=people["olga"], name="PG Circle", slug="pg", purpose="Learn together.")
        for name in ("ana", "ben", "cai"):
            Membership.join(user=people[name], circle=circle)
        thread = Thread.start(circle=circle, author=people["ana"], title="Question", kind="question", body="Why?")

    client = pg_app.test_client()
    assert client.post("/login", data={"login": "ben", "password": "password123"}).status_code == 303
    first = client.post(f"/t/{thread.id}/reply", data={"body": "Because **this**.", "form_key": "once"})
    again = client.post(f"/t/{thread.id}/reply", data={"body": "Because **this**.", "form_key": "once"})
    assert first.status_code == again.status_code == 303 and first.headers["Location"] == again.headers["Location"]
    page = html(client.get(f"/t/{thread.id}"))
    assert len(page.find_all("article")) == 2 and page.find("strong", string="this")
    assert page.find("article").time["datetime"].endswith("Z")  # PostgreSQL's datetimes read like SQLite's text
    assert html(client.get(f"/c/{circle.slug}")).find(string="unanswered")  # a reply is not an answer
    reply_url = first.headers["Location"]  # /p/<id>
    asker = pg_app.test_client()
    assert asker.post("/login", data={"login": "ana", "password": "password123"}).status_code == 303
    assert asker.post(f"{reply_url}/answer").status_code == 303
    assert "Because this." in html(asker.get(f"/t/{thread.id}")).select_one(".answer-box").get_text()
    assert html(client.get(f"/c/{circle.slug}")).find(string="answered")
    assert html(client.get(f"/c/{circle.slug}?show=unanswered")).select("#threads ul.rows > li") == []
    assert len(html(client.get(f"/c/{circle.slug}?show=questions")).select("#threads ul.rows > li")) == 1

    with db.database.connection_context():
        assert Post.select().where(Post.thread == thread.id).count() == 2
        round = make_round(circle, people["olga"], title="Essays")
        works = [submit(round, people[name], body=f"Work by {name}") for name in ("ana", "ben", "cai")]
        start_reviewing(round)
        for assignment in Assignment.select().where(Assignment.round == round):
            reviewing.submit_review(assignment, review_data(round, level=2))
        assert board.board(round).counts["submitted"] == 6
        read = results.results_for(works[0], people["ana"])
        assert read.released and read.criteria[0].median_name == "Crystal clear"


def test_sessions_and_reset_links_work_on_postgresql(pg_app):
    from learncircle.accounts import resets
    from learncircle.accounts.sessions import LoginSession

    with db.database.connection_context():
        dora = User.register(username="dora", email="dora@example.org", password="password123")
    browser = pg_app.test_client()
    assert browser.post("/login", data={"login": "dora", "password": "password123", "remember": "y"}).status_code == 303
    copied = pg_app.test_client()
    copied.set_cookie("session", browser.get_cookie("session").value)
    clock.freeze(clock.now() + dt.timedelta(hours=2))
    try:
        assert copied.get("/settings/password").status_code == 200
        with db.database.connection_context():
            assert LoginSession.get(LoginSession.user == dora.id).last_seen_at == clock.now()
    finally:
        clock.freeze(None)
    browser.post("/logout")
    assert copied.get("/settings/password").status_code == 302

    with db.database.connection_context():
        token = resets.make(dora)
    assert copied.post(f"/reset-password/{token}", data={"new_password": "a new passphrase",
                                                          "confirm": "a new passphrase"}).status_code == 303
    assert copied.get(f"/reset-password/{token}").status_code == 404
    assert browser.post("/login", data={"login": "dora", "password": "a new passphrase"}).status_code == 303


def test_hidden_posts_pending_work_and_the_site_address_work_on_postgresql(pg_app):
    from learncircle import site
    from learncircle.reviews.pending import pending_for

    with db.database.connection_context():
        olga, ana = (User.register(username=name, email=f"{name}@example.org", password="password123")
                     for name in ("olga", "ana"))
        circle = Circle.found(owner=olga, name="PG Circle", slug="pg", purpose="Learn together.")
        Membership.join(user=ana, circle=circle)
        thread = Thread.start(circle=circle, author=olga, title="Week 1", kind="discussion", body="Hello")
        post = thread.reply(author=ana, body="Something unkind")
        Post.with_thread(post.id).hide(olga, "Unkind: rule 1.")
        make_round(circle, olga, title="Essays", reviews_per_submission=1)
        assert [item.kind for item in pending_for(ana)] == ["submit"]
        site.store_url("http://192.168.1.20:8080/")
        site.store_url("https://learn.example.org")
        assert site.stored_url() == "https://learn.example.org"

    client = pg_app.test_client()
    assert client.post("/login", data={"login": "ana", "password": "password123"}).status_code == 303
    assert "Unkind: rule 1." in html(client.get(f"/t/{thread.id}")).select_one(f"#post-{post.id}").get_text()
    assert html(client.get("/")).select_one("#pending-work a.title").get_text() == "Submit your work"


def test_the_background_allocation_works_on_postgresql(world, monkeypatch):
    with db.database.connection_context():
        KeptApart.create(circle=world["circle"].id, reviewer=world["ben"].id, author=world["ana"].id)
        round = make_round(world["circle"], world["facilitator"], title="Essay", reviews_per_submission=1,
                           submission_deadline=clock.now() + dt.timedelta(minutes=1))
        for name in ("ana", "ben", "cai"):
            submit(round, world[name], body="Work")
        round.start_reviewing_now()

    real, arrived = solver.allocate, []

    def with_a_late_arrival(*args, **kwargs):
        if not arrived:  # Dee's work arrives, from another connection, while the first solve runs
            def late():
                with db.database.connection_context():
                    arrived.append(submit(ReviewRound.get_by_id(round.id), world["dee"], body="Late"))
            writer = threading.Thread(target=late)
            writer.start()
            writer.join()
        return real(*args, **kwargs)

    monkeypatch.setattr(solver, "allocate", with_a_late_arrival)
    assert background_allocation.worker(world["app"]).step() == [round.id]
    with db.database.connection_context():
        made = {(a.reviewer_id, a.submission.author_id)
                for a in Assignment.select().where(Assignment.round == round.id)}
        assert len(made) == 4 and (world["ben"].id, world["ana"].id) not in made
        assert {author for _, author in made} == {world[n].id for n in ("ana", "ben", "cai", "dee")}
        assert Notice.select().where(Notice.kind == "reviewing_started").count() == 4


scene = voices_tests.scene  # the "every voice" circle, made here on PostgreSQL


def test_every_voice_lists_and_welcomes_on_postgresql(client, auth, scene):
    """The four lists' queries (a window count, correlated subqueries) and a welcome, on PostgreSQL."""
    voices_tests.test_each_list_shows_exactly_who_has_not_been_heard_newest_first(client, auth, scene)
    voices_tests.test_a_welcome_sends_one_notice_and_a_repeat_within_a_day_is_refused(client, auth, scene)
    with db.database.connection_context():  # stored once, in PostgreSQL
        assert [greeting.user.username for greeting in Greeting.select()] == ["eve"]


# ---- search: PostgreSQL's own full-text index behind the same pages ----------------------------

SEARCH_TESTS = [getattr(search_tests, name) for name in (
    "test_a_thread_titled_with_the_word_ranks_above_a_post_that_mentions_it",
    "test_a_post_with_all_the_words_close_together_ranks_first_and_equal_ones_newest_first",
    "test_words_are_found_whatever_their_case_and_diacritics_and_the_last_one_as_a_beginning",
    "test_quoted_words_are_found_side_by_side_in_that_order",
    "test_the_snippet_shows_the_text_around_the_words_as_the_reader_sees_it_escaped",
    "test_an_edit_is_found_by_its_new_words_and_no_longer_by_its_old_ones",
    "test_deleted_and_hidden_posts_are_found_by_nobody_and_shown_again_ones_are",
    "test_a_new_title_is_found_and_the_old_one_is_not",
    "test_posts_that_go_with_their_thread_or_circle_leave_the_index",
    "test_all_my_circles_means_the_circles_one_belongs_to",
    "test_a_circle_s_search_shows_its_own_posts_to_whoever_may_read_it",
    "test_a_private_circle_one_is_not_in_or_has_left_answers_not_found",
    "test_in_most_circles_the_others_are_left_out",
    "test_results_come_twenty_to_a_page",
    "test_the_circle_token_is_never_a_word_one_can_find",
    "test_an_overlong_search_or_one_of_too_many_words_is_refused_with_the_reason",
)]


@pytest.mark.parametrize("test", SEARCH_TESTS, ids=lambda test: test.__name__.removeprefix("test_"))
def test_search_on_postgresql(pg_app, client, auth, make_user, make_circle, add_member, test):
    """Each search test of tests/test_search.py, on a scene made in PostgreSQL."""
    given = {"app": pg_app, "client": client, "auth": auth, "make_user": make_user, "make_circle": make_circle,
             "add_member": add_member, "scene": search_tests.build_scene(make_user, make_circle, add_member)}
    test(**{name: given[name] for name in inspect.signature(test).parameters})
    with db.database.connection_context():  # searched in PostgreSQL's own index
        assert db.database.execute_sql("SELECT count(*) FROM post_search").fetchone()[0] > 0


def test_search_takes_any_input_on_postgresql(pg_app, client, auth, make_user, make_circle, add_member):
    scene = search_tests.build_scene(make_user, make_circle, add_member)
    for words in search_tests.NASTY:
        search_tests.test_syntax_characters_and_odd_input_get_an_answer_never_an_error(client, auth, scene, words)
    auth.login(scene["ana"])
    assert search_tests.hrefs(search_tests.search(client, "\"borrow*\" ^( :")) == [
        search_tests.permalink(scene["explained_post"]), search_tests.permalink(scene["mention"])]
