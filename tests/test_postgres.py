"""The same application on PostgreSQL: migrations, the discussion flow and a review round.

Runs when LEARNCIRCLE_TEST_POSTGRES_URL names an empty database it may reset (`.ci/run` starts a
local PostgreSQL for CI); elsewhere it is skipped with that reason.
"""
import datetime as dt
import os

import pytest

from learncircle import clock, create_app, db
from learncircle.accounts.models import User
from learncircle.circles.models import Circle, Membership
from learncircle.discussions.models import Post, Thread
from learncircle.reviews import allocating, board, results, reviewing
from learncircle.reviews.models import Assignment, ReviewRound
from learncircle.reviews.submitting import submit
from tests.conftest import html

URL = os.environ.get("LEARNCIRCLE_TEST_POSTGRES_URL")

pytestmark = pytest.mark.skipif(not URL, reason="set LEARNCIRCLE_TEST_POSTGRES_URL to an empty PostgreSQL "
                                                "database to run the PostgreSQL tests")


@pytest.fixture
def pg_app():
    app = create_app({"TESTING": True, "DATABASE_URL": URL, "SECRET_KEY": "pg", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    with db.database.connection_context():
        db.database.execute_sql("DROP SCHEMA public CASCADE")
        db.database.execute_sql("CREATE SCHEMA public")
    assert len(db.upgrade()) >= 2
    yield app
    if not db.database.is_closed():
        db.database.close()


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
    assert html(client.get(f"/c/{circle.slug}")).find(string="answered")

    with db.database.connection_context():
        assert Post.select().where(Post.thread == thread.id).count() == 2
        now = clock.now()
        round = ReviewRound.create_round(circle=circle, created_by=people["olga"], data=dict(
            title="Essays", brief="Write.", submission_format="text", reviews_per_submission=2,
            reviewer_pool="submitters", anonymity="reviewers_hidden", accept_late=True,
            submission_deadline=now + dt.timedelta(days=1), review_deadline=now + dt.timedelta(days=2),
            results_release="as_arrive", min_prompt_length=5))
        round.add_criterion({"name": "Clarity", "kind": "scale", "levels": ["Unclear", "Clear", "Crisp"]})
        round.publish()
        works = [submit(round, people[name], body=f"Work by {name}") for name in ("ana", "ben", "cai")]
        round.start_reviewing_now()
        allocating.ensure_allocated(round)
        clarity = round.rubric()[0]
        for assignment in Assignment.select().where(Assignment.round == round):
            reviewing.submit_review(assignment, {"what_works": "Clear steps.", "could_be_better": "Add a case.",
                                                 "levels": {clarity.id: 2}, "comments": {}})
        assert board.board(round).counts["submitted"] == 6
        read = results.results_for(works[0], people["ana"])
        assert read.released and read.criteria[0].median_name == "Crisp"


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
        now = clock.now()
        round = ReviewRound.create_round(circle=circle, created_by=olga, data=dict(
            title="Essays", brief="Write.", submission_format="text", reviews_per_submission=1,
            reviewer_pool="submitters", anonymity="reviewers_hidden", accept_late=True,
            submission_deadline=now + dt.timedelta(days=1), review_deadline=now + dt.timedelta(days=2),
            results_release="as_arrive", min_prompt_length=5))
        round.add_criterion({"name": "Clarity", "kind": "scale", "levels": ["Unclear", "Clear"]})
        round.publish()
        assert [item.kind for item in pending_for(ana)] == ["submit"]
        site.store_url("http://192.168.1.20:8080/")
        site.store_url("https://learn.example.org")
        assert site.stored_url() == "https://learn.example.org"

    client = pg_app.test_client()
    assert client.post("/login", data={"login": "ana", "password": "password123"}).status_code == 303
    assert "Unkind: rule 1." in html(client.get(f"/t/{thread.id}")).select_one(f"#post-{post.id}").get_text()
    assert html(client.get("/")).select_one("#pending-work a.title").get_text() == "Submit your work"
