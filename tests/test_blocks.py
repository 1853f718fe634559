"""Muting and blocking (people/): a muted person's posts and threads collapsed behind "show" at no cost to the
thread page, every notice and mail a blocked person's actions would cause silenced, the blocked person told
nothing (their pages and answers the same as before), the profile's buttons and /settings/people, who may."""
import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest

from learncircle import db
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, Circle, Membership
from learncircle.discussions import watching
from learncircle.discussions.models import Post, Thread
from learncircle.mail import digest, preferences
from learncircle.mail.models import Outbox
from learncircle.notices.models import Notice
from learncircle.people import models as people
from learncircle.people import views as people_views
from tests.fixtures_mail import mail_config
from tests.helpers import html
from tests.test_discussions_threads import recorded_sql, replies

HTMX = {"HX-Request": "true"}
COLLAPSED = "A post by someone you muted — show"


@pytest.fixture
def scene(app, make_user, make_circle, add_member, frozen_clock):
    """A public circle: Olga owns it, Bea facilitates, Ana and Carl are members. Ana watches the whole circle and
    wants every mail at once; she asked a question, and answered one of Bea's."""
    olga = make_user("olga", display_name="Olga Owner")
    circle = make_circle(olga, name="Garden Circle")
    bea, ana, carl = (make_user(name, display_name=f"{name.title()} Lane") for name in ("bea", "ana", "carl"))
    add_member(circle, bea, FACILITATOR)
    add_member(circle, ana)
    add_member(circle, carl)
    app.config.update(mail_config(2525))  # mail is on: queued in the outbox (nothing is sent here)
    with db.database.connection_context():
        watching.set_circle_level(Membership.of(ana, circle), watching.WATCHING)
        for category in preferences.CATEGORIES:
            preferences.choose(ana.id, category, preferences.IMMEDIATELY)
        asked = Thread.start(circle=circle, author=ana, title="When to sow beans?", kind="question",
                             body="Is April too early?")
        bea_asks = Thread.start(circle=circle, author=bea, title="Best mulch?", kind="question", body="Straw?")
        answer = bea_asks.reply(author=ana, body="Straw works well.")
        opening = Post.get((Post.thread == asked.id) & (Post.number == 1))
        Notice.delete().where(Notice.user == ana.id).execute()  # of Bea's question: each test counts its own
        Outbox.delete().execute()
    return {"circle": circle, "olga": olga, "bea": bea, "ana": ana, "carl": carl, "asked": asked,
            "opening": opening, "bea_asks": bea_asks, "answer": answer,
            "ana_membership": Membership.of(ana, circle)}


def choose(who, whom, kind, on=True):
    with db.database.connection_context():
        return people.choose(who, whom, kind, on)


def rows_of(who):
    with db.database.connection_context():
        return sorted((row.whom_id, row.kind) for row in people.Block.select().where(people.Block.who == who.id))


def notices_of(user):
    with db.database.connection_context():
        return sorted(kind for (kind,) in Notice.select(Notice.kind).where(Notice.user == user.id).tuples())


def mail_of(user):
    with db.database.connection_context():
        return sorted(kind for (kind,) in Outbox.select(Outbox.kind).where(Outbox.user == user.id).tuples())


def article(page, post):
    return page.select_one(f"article#post-{post.id}")


# ---- muting: what the one who muted sees --------------------------------------------------------------

def test_a_muted_persons_posts_are_collapsed_behind_show(client, auth, scene):
    bea, ana, carl, asked = scene["bea"], scene["ana"], scene["carl"], scene["asked"]
    with db.database.connection_context():
        from_bea = asked.reply(author=bea, body="Wait for the **soil** to warm.")
        from_carl = asked.reply(author=carl, body="Mid April is fine.")
    assert choose(ana, bea, people.MUTE) is True
    auth.login(ana)

    page = html(client.get(f"/t/{asked.id}"))

    muted = article(page, from_bea)
    details = muted.find("details", recursive=False)
    assert details is not None and details.summary.get_text(strip=True) == COLLAPSED
    assert details.select_one(".body strong").get_text() == "soil"  # the body is inside, one click away
    assert "open" not in details.attrs
    for post in (scene["opening"], from_carl):
        shown = article(page, post)
        assert shown.find("details", recursive=False) is None
        assert shown.find("div", class_="body", recursive=False) is not None
    assert page.get_text().count(COLLAPSED) == 1


def test_blocking_collapses_too_and_unmuting_shows_again(client, auth, scene):
    bea, ana, asked = scene["bea"], scene["ana"], scene["asked"]
    with db.database.connection_context():
        from_bea = asked.reply(author=bea, body="Wait a week.")
    auth.login(ana)
    choose(ana, bea, people.BLOCK)
    assert article(html(client.get(f"/t/{asked.id}")), from_bea).find("details", recursive=False) is not None
    choose(ana, bea, people.BLOCK, on=False)
    assert article(html(client.get(f"/t/{asked.id}")), from_bea).find("details", recursive=False) is None


def test_only_the_one_who_muted_sees_it_collapsed(client, auth, scene):
    bea, ana, carl, asked = scene["bea"], scene["ana"], scene["carl"], scene["asked"]
    with db.database.connection_context():
        from_bea = asked.reply(author=bea, body="Wait a week.")
    choose(ana, bea, people.MUTE)
    for viewer in (carl, bea, scene["olga"]):
        auth.login(viewer)
        page = html(client.get(f"/t/{asked.id}"))
        assert article(page, from_bea).find("details", recursive=False) is None, viewer
        assert COLLAPSED not in page.get_text()


def test_posts_of_people_not_muted_cost_no_bytes(client, auth, scene):
    """Muting someone who did not write on the page leaves it byte for byte as it was."""
    asked, ana = scene["asked"], scene["ana"]
    replies(asked, [scene["bea"], scene["carl"]], 20)
    auth.login(ana)

    def page():
        return VOLATILE.sub(r"\1", client.get(f"/t/{asked.id}").get_data(as_text=True))

    page()  # the first visit marks where new posts begin; the next ones show none
    before = page()
    choose(ana, scene["olga"], people.MUTE)
    assert page() == before


def test_the_thread_page_keeps_to_5_queries_with_muted_people(client, auth, scene, make_user, add_member):
    circle, olga, asked = scene["circle"], scene["olga"], scene["asked"]
    writers = [make_user(f"writer{n}") for n in range(4)]
    for writer in writers:
        add_member(circle, writer)
    replies(asked, [scene["bea"], scene["carl"], *writers], 49)
    auth.login(olga)
    client.get(f"/t/{asked.id}")
    with recorded_sql() as unmuted:
        client.get(f"/t/{asked.id}")
    choose(olga, scene["bea"], people.MUTE)
    choose(olga, writers[0], people.BLOCK)

    with recorded_sql() as statements:
        response = client.get(f"/t/{asked.id}")

    page = html(response)
    collapsed = page.select("article.post > details")
    with db.database.connection_context():
        expected = Post.select().where((Post.thread == asked.id) & Post.author.in_([scene["bea"].id, writers[0].id])
                                       & (Post.number <= 50)).count()
    assert len(page.select("article.post")) == 50 and len(collapsed) == expected > 10
    assert 3 <= len(statements) <= 5 and len(statements) == len(unmuted), statements


def test_a_muted_persons_threads_are_collapsed_in_the_circles_list(client, auth, scene):
    circle, ana = scene["circle"], scene["ana"]
    choose(ana, scene["bea"], people.MUTE)
    auth.login(ana)
    rows = {row["id"]: row for row in html(client.get(f"/c/{circle.slug}")).select("#threads ul.rows > li")}
    muted, own = rows[f"thread-{scene['bea_asks'].id}"], rows[f"thread-{scene['asked'].id}"]
    assert muted.find("details", recursive=False).summary.get_text(strip=True) == "A thread by someone you muted — show"
    assert muted.select_one("details a.title").get_text() == "Best mulch?"
    assert own.find("details", recursive=False) is None
    auth.login(scene["carl"])
    assert not html(client.get(f"/c/{circle.slug}")).select("#threads ul.rows > li > details")


def test_an_accepted_answer_by_a_muted_person_is_collapsed_in_the_answer_box(client, auth, scene):
    bea, ana, asked = scene["bea"], scene["ana"], scene["asked"]
    with db.database.connection_context():
        answer = asked.reply(author=bea, body="Early May.")
        asked.accept_answer(answer, ana)
    choose(ana, bea, people.MUTE)
    auth.login(ana)
    box = html(client.get(f"/t/{asked.id}")).select_one(".answer-box")
    assert box.select_one("details .excerpt").get_text(strip=True) == "Early May."
    auth.login(scene["carl"])
    assert html(client.get(f"/t/{asked.id}")).select_one(".answer-box details") is None


# ---- blocking: nothing the blocked person does reaches the blocker ---------------------------------------

class Snapshot:
    """The test database as it is now, to be put back: the same world tried once without a block, once with."""

    def __init__(self, app):
        self.path = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
        self.saved = self.path.with_suffix(".saved")
        db.close_all()
        with db.database.connection_context():
            db.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close_all()
        shutil.copy(self.path, self.saved)

    def put_back(self):
        db.close_all()
        for suffix in ("-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        fresh = self.path.with_suffix(".fresh")
        shutil.copy(self.saved, fresh)
        os.replace(fresh, self.path)


VOLATILE = re.compile(r'((?:name="(?:csrf_token|form_key)" value|name="csrf-token" content)=")[^"]*')


def seen(response):
    """What a response tells its reader: status, where it leads, htmx's headers and the page (tokens aside)."""
    headers = sorted((name, value) for name, value in response.headers.items() if name.startswith("HX-"))
    return (response.status_code, response.headers.get("Location"), headers,
            VOLATILE.sub(r"\1", response.get_data(as_text=True)))


def what_bea_does(client, s):
    """Everything Bea can do that would reach Ana, and the pages she reads around it: (label, what she saw)."""
    slug, asked, opening = s["circle"].slug, s["asked"], s["opening"]
    steps = [
        ("GET", "/u/ana", None, None), ("GET", f"/t/{asked.id}", None, None),
        ("POST", f"/t/{asked.id}/reply", {"body": "Try late April.", "form_key": ""}, None),
        ("POST", f"/t/{asked.id}/reply", {"body": "Or ask @ana's neighbour.", "form_key": ""}, HTMX),
        ("POST", f"/p/{opening.id}/react", {"kind": "helpful"}, None),
        ("POST", f"/p/{opening.id}/react", {"kind": "thanks"}, HTMX),
        ("POST", f"/p/{s['answer'].id}/answer", {}, None),
        ("POST", f"/c/{slug}/threads/new", {"title": "Seed swap", "kind": "discussion", "body": "Hello @ana.",
                                             "form_key": ""}, None),
        ("POST", f"/c/{slug}/voices/{s['ana_membership'].id}/welcome", {}, None),
        ("GET", f"/t/{asked.id}", None, None), ("GET", f"/t/{s['bea_asks'].id}", None, None),
        ("GET", f"/c/{slug}", None, None), ("GET", f"/c/{slug}/mentions?q=an", None, HTMX),
        ("GET", f"/c/{slug}/voices", None, None), ("GET", "/notices", None, None), ("GET", "/u/ana", None, None),
        ("GET", f"/p/{opening.id}/reactions", None, None),
    ]
    return [(f"{method} {url}", seen(client.open(url, method=method, data=data, headers=headers)))
            for method, url, data, headers in steps]


@pytest.fixture
def both_ways(app, client, auth, scene):
    """Bea's actions run on the same world twice: as it is, then with Ana blocking Bea. Returns, for each run,
    what Bea saw, and Ana's notices and mail."""
    auth.login(scene["bea"])
    snapshot = Snapshot(app)
    runs = {}
    for blocked in (False, True):
        snapshot.put_back()
        if blocked:
            choose(scene["ana"], scene["bea"], people.BLOCK)
        runs[blocked] = {"bea saw": what_bea_does(client, scene), "ana's notices": notices_of(scene["ana"]),
                         "ana's mail": mail_of(scene["ana"])}
    return runs


EVERY_PATH = {"mentioned", "thread_replied", "post_found_helpful", "post_thanked", "reply_accepted",
              "thread_started", "facilitator_welcome"}


def test_a_blocked_persons_actions_send_the_blocker_no_notice_and_no_mail(both_ways):
    # Without the block each path reaches Ana, as a notice and (she wants them all at once) as mail.
    assert set(both_ways[False]["ana's notices"]) == EVERY_PATH
    assert set(both_ways[False]["ana's mail"]) == EVERY_PATH
    assert both_ways[True]["ana's notices"] == []
    assert both_ways[True]["ana's mail"] == []


def test_the_blocked_person_sees_exactly_what_they_saw_without_the_block(both_ways):
    unblocked, blocked = both_ways[False]["bea saw"], both_ways[True]["bea saw"]
    assert [label for label, _ in blocked] == [label for label, _ in unblocked]
    for (label, before), (_, after) in zip(unblocked, blocked):
        assert after == before, label
    statuses = [answer[0] for _, answer in blocked]
    assert all(status < 400 for status in statuses), statuses


def test_reactions_of_blocked_people_are_left_out_of_the_gathered_notice(client, auth, scene):
    ana, opening = scene["ana"], scene["opening"]
    choose(ana, scene["bea"], people.BLOCK)
    for person in (scene["bea"], scene["carl"]):
        auth.login(person)
        assert client.post(f"/p/{opening.id}/react", data={"kind": "helpful"}).status_code == 303
    with db.database.connection_context():
        notice = Notice.get((Notice.user == ana.id) & (Notice.kind == "post_found_helpful"))
        assert Post.get_by_id(opening.id).helpful_count == 2  # the count on the post is everyone's
    assert "Carl Lane" in notice.text and "2" not in notice.text


def test_only_those_who_blocked_are_left_out(client, auth, scene):
    """Carl, who blocked nobody, still hears of Bea's reply; Ana, who blocked her, does not."""
    ana, carl, asked = scene["ana"], scene["carl"], scene["asked"]
    with db.database.connection_context():
        watching.set_thread_level(carl, asked, watching.WATCHING)
    choose(ana, scene["bea"], people.BLOCK)
    auth.login(scene["bea"])
    client.post(f"/t/{asked.id}/reply", data={"body": "Late April.", "form_key": ""})
    assert notices_of(carl) == ["thread_replied"] and notices_of(ana) == []


def test_the_digest_leaves_out_the_threads_of_blocked_people(app, scene, frozen_clock):
    ana, circle = scene["ana"], scene["circle"]
    since = frozen_clock.now()
    frozen_clock.advance(hours=1)
    with db.database.connection_context():
        for author, title in ((scene["bea"], "From Bea"), (scene["carl"], "From Carl")):
            Thread.start(circle=circle, author=author, title=title, kind="question", body="What do you think?")
        people.choose(ana, scene["bea"], people.BLOCK)
        found = digest.content(ana, ["new_threads"], since, frozen_clock.now() + dt.timedelta(minutes=1))
    assert [thread.title for thread in found["threads"]] == ["From Carl"]
    assert "From Bea" not in [thread.title for thread in found["questions"]]


def test_moderators_one_blocked_can_still_moderate(client, auth, scene):
    ana, bea, asked = scene["ana"], scene["bea"], scene["asked"]
    with db.database.connection_context():
        own = asked.reply(author=ana, body="Never mind.")
    choose(ana, bea, people.BLOCK)
    auth.login(bea)
    response = client.post(f"/p/{own.id}/hide", data={"reason": "Off topic."})
    assert response.status_code == 303
    assert notices_of(ana) == ["post_hidden"]


# ---- the profile's buttons, /settings/people, who may -----------------------------------------------------

def buttons(response):
    box = html(response).select_one("[id^=people-]")
    return {form.button.get_text(strip=True): form["action"] for form in box.select("form")} if box else None


def test_a_profile_offers_mute_and_block_to_others_only(client, auth, scene):
    auth.login(scene["ana"])
    assert buttons(client.get("/u/bea")) == {"Mute": "/u/bea/mute", "Block": "/u/bea/block"}
    assert buttons(client.get("/u/ana")) is None
    form = html(client.get("/u/bea")).select_one("[id^=people-] form")
    assert form["method"] == "post" and form.select_one("input[name=csrf_token]")


def test_muting_and_blocking_from_a_profile_without_javascript(client, auth, scene):
    ana, bea = scene["ana"], scene["bea"]
    auth.login(ana)
    for _ in range(2):  # twice is once
        response = client.post("/u/bea/mute")
        assert response.status_code == 303 and response.headers["Location"] == "/u/bea"
    assert rows_of(ana) == [(bea.id, people.MUTE)]
    page = client.get("/u/bea")
    assert buttons(page) == {"Unmute": "/u/bea/unmute", "Block": "/u/bea/block"}
    assert "You muted Bea Lane" in html(page).select_one("#notices").get_text()

    client.post("/u/bea/block")
    client.post("/u/bea/block")
    assert rows_of(ana) == sorted([(bea.id, people.MUTE), (bea.id, people.BLOCK)])
    assert buttons(client.get("/u/bea")) == {"Unblock": "/u/bea/unblock"}  # blocking mutes already
    for undo in ("/u/bea/unblock", "/u/bea/unblock", "/u/bea/unmute", "/u/bea/unmute"):
        assert client.post(undo).status_code == 303
    assert rows_of(ana) == []
    assert buttons(client.get("/u/bea")) == {"Mute": "/u/bea/mute", "Block": "/u/bea/block"}


def test_htmx_swaps_the_buttons_and_focuses_the_one_in_place_of_the_pressed(client, auth, scene):
    auth.login(scene["ana"])
    answer = client.post("/u/bea/mute", headers=HTMX)
    box = html(answer).select_one(f"#people-{scene['bea'].id}")
    assert answer.status_code == 200 and box is not None
    assert box.find("button", autofocus=True).get_text(strip=True) == "Unmute"
    assert "You muted Bea Lane" in box.get_text()
    answer = client.post("/u/bea/block", headers=HTMX)
    assert html(answer).find("button", autofocus=True).get_text(strip=True) == "Unblock"
    answer = client.post("/u/bea/unblock", headers=HTMX)
    assert html(answer).find("button", autofocus=True).get_text(strip=True) == "Block"
    assert "Unmute" in [b.get_text(strip=True) for b in html(answer).select("button")]


def test_settings_people_lists_them_with_undo_buttons(client, auth, scene, frozen_clock):
    ana = scene["ana"]
    choose(ana, scene["bea"], people.MUTE)
    frozen_clock.advance(minutes=5)
    choose(ana, scene["carl"], people.BLOCK)
    auth.login(ana)
    page = html(client.get("/settings/people"))
    rows = page.select("ul.rows > li")
    assert [row.select_one(".title").get_text() for row in rows] == ["Carl Lane", "Bea Lane"]
    assert [row.button.get_text(strip=True) for row in rows] == ["Unblock Carl Lane", "Unmute Bea Lane"]
    assert page.select_one("nav a[aria-current=page]")["href"] == "/settings/people"

    undo = rows[0].form
    response = client.post(undo["action"], data={"next": undo.select_one("input[name=next]")["value"]})
    assert response.status_code == 303 and response.headers["Location"] == "/settings/people"
    assert rows_of(ana) == [(scene["bea"].id, people.MUTE)]
    assert "You have not muted or blocked anyone." not in html(client.get("/settings/people")).get_text()
    client.post("/u/bea/unmute", data={"next": "https://elsewhere.example/"})
    assert "You have not muted or blocked anyone." in html(client.get("/settings/people")).get_text()


def test_settings_people_is_paginated(client, auth, scene, make_user, monkeypatch):
    monkeypatch.setattr(people_views, "PER_PAGE", 2)
    ana = scene["ana"]
    for person in (scene["bea"], scene["carl"], scene["olga"]):
        choose(ana, person, people.MUTE)
    auth.login(ana)
    first, second = html(client.get("/settings/people")), html(client.get("/settings/people?page=2"))
    assert len(first.select("ul.rows > li")) == 2 and len(second.select("ul.rows > li")) == 1
    assert first.select_one("nav.pager a[rel=next]")["href"] == "/settings/people?page=2"


def test_the_settings_pages_link_to_it(client, auth, scene):
    auth.login(scene["ana"])
    for url in ("/settings/profile", "/settings/password", "/settings/email"):
        links = [a["href"] for a in html(client.get(url)).select("nav a")]
        assert "/settings/people" in links, url


def test_nobody_mutes_or_blocks_themselves(client, auth, scene):
    ana = scene["ana"]
    auth.login(ana)
    for action in ("mute", "block", "unmute", "unblock"):
        response = client.post(f"/u/ana/{action}")
        assert response.status_code == 403 and "cannot mute or block yourself" in response.get_data(as_text=True)
    assert rows_of(ana) == []
    with pytest.raises(people.Refused), db.database.connection_context():
        people.choose(ana, ana, people.MUTE)


def test_facilitators_owners_and_admins_may_be_muted_and_blocked(client, auth, scene, make_user, add_member):
    add_member(scene["circle"], make_user("root", is_admin=True))
    auth.login(scene["ana"])
    for name in ("bea", "olga", "root"):
        assert client.post(f"/u/{name}/block").status_code == 303
    assert len(rows_of(scene["ana"])) == 3


def test_unknown_or_unseen_people_are_not_found(client, auth, scene, make_user):
    stranger = make_user("stranger")
    auth.login(scene["ana"])
    for url in ("/u/nobody-here/mute", "/u/stranger/mute", "/u/stranger/block", "/u/stranger/unmute"):
        assert client.post(url).status_code == 404, url
    assert rows_of(scene["ana"]) == []
    assert client.get("/u/stranger").status_code == 404  # as the profile: whether an account exists is private
    assert stranger.id


def test_someone_no_longer_shared_can_still_be_unblocked(client, auth, scene):
    ana, bea = scene["ana"], scene["bea"]
    choose(ana, bea, people.BLOCK)
    with db.database.connection_context():
        Membership.delete().where(Membership.user == bea.id).execute()
    auth.login(ana)
    assert client.get("/u/bea").status_code == 404
    assert "Bea Lane" in html(client.get("/settings/people")).get_text()
    assert client.post("/u/bea/unblock", data={"next": "/settings/people"}).status_code == 303
    assert rows_of(ana) == []
    assert client.post("/u/bea/block").status_code == 404  # now not known to her again


def test_signed_out_people_are_sent_to_log_in(client, scene):
    for method, url in (("POST", "/u/bea/mute"), ("GET", "/settings/people")):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# ---- PostgreSQL ------------------------------------------------------------------------------------

def test_muting_and_blocking_on_postgresql(pg_app):
    """The thread page's EXISTS column (a boolean there), the conditions in who hears of what, a second mute."""
    app = pg_app  # emptied and migrated (tests/conftest.py)
    try:
        with db.database.connection_context():
            ana, bea, cai = (User.register(username=name, email=f"{name}@example.org", password="password123",
                                           display_name=name.title()) for name in ("ana", "bea", "cai"))
            circle = Circle.found(owner=ana, name="PG", slug="pg", purpose="Together.")
            for person in (bea, cai):
                Membership.join(user=person, circle=circle)
            watching.set_circle_level(Membership.of(ana, circle), watching.WATCHING)
            assert people.choose(ana, bea, people.BLOCK) is True
            assert people.choose(ana, bea, people.BLOCK) is False  # twice is once
            people.choose(ana, cai, people.MUTE)
            thread = Thread.start(circle=circle, author=ana, title="On PG", kind="discussion", body="Hi")
            from_bea = thread.reply(author=bea, body="Hello @ana.")
            from_cai = thread.reply(author=cai, body="Hello all.")
            Thread.start(circle=circle, author=bea, title="From Bea", kind="discussion", body="News.")
            opening = Post.get((Post.thread == thread.id) & (Post.number == 1))
        client = app.test_client()
        assert client.post("/login", data={"login": "bea", "password": "password123"}).status_code == 303
        assert client.post(f"/p/{opening.id}/react", data={"kind": "helpful"}).status_code == 303
        assert notices_of(ana) == ["thread_replied"]  # Cai's reply (muted only), nothing of Bea's
        client = app.test_client()
        assert client.post("/login", data={"login": "ana", "password": "password123"}).status_code == 303
        page = html(client.get(f"/t/{thread.id}"))
        assert article(page, from_bea).find("details", recursive=False) is not None
        assert article(page, from_cai).find("details", recursive=False) is not None
        assert len(page.select("article.post > details")) == 2
        rows = html(client.get(f"/c/{circle.slug}")).select("#threads ul.rows > li > details")
        assert [row.select_one("a.title").get_text() for row in rows] == ["From Bea"]
        assert [li.select_one(".title").get_text() for li in html(client.get("/settings/people")).select(
            "ul.rows > li")] == ["Cai", "Bea"]
    finally:
        db.close_all()
