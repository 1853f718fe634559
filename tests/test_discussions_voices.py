""""Every voice": the four lists a circle's facilitators see (questions nobody replied to, first posts nobody
answered, members who never posted, members gone quiet) under a controlled clock, their boundaries, the
welcomes and check-ins (one notice, no repeat within a day), who may, and the page's bounded queries."""
import datetime as dt

import pytest

from learncircle import clock, db
from learncircle.circles.models import FACILITATOR, MEMBER, OWNER, PRIVATE, PUBLIC, Membership
from learncircle.discussions import voices
from learncircle.discussions.models import Thread
from learncircle.discussions.voices import Greeting
from learncircle.notices.models import Notice
from tests.helpers import html
from tests.test_discussions_threads import recorded_sql

HTMX = {"HX-Request": "true"}
NOW = dt.datetime(2026, 4, 1, 12, 0, 0)


def at(**ago):
    clock.freeze(NOW - dt.timedelta(**ago))


@pytest.fixture
def scene(app, make_user, make_circle, frozen_clock):
    """A circle lived in for forty days, seen at NOW. Who is where (newest first):

    questions: Q1 by ana (25 h), the owner's (48 h); not ben's (23 h), a deleted one, a discussion, a question with
    a reply, nor another circle's.
    first posts: ana (25 h), cai (30 h, replied only to herself), kim (3 days, the reply to her was deleted); not
    ben (23 h), hal and ivy (replied to), dee (replied to by a facilitator).
    never posted: eve (joined 4 days ago), lee (only post deleted), gus (only post deleted, joined first); not fay
    (joined 2 days ago), the facilitator, nor zed (another circle's).
    gone quiet: hal (22 days); not ivy (20 days), nor mo (30 days, but left)."""
    people = {name: make_user(name, display_name=name.title() + " Learner")
              for name in ("olga", "fred", "ana", "ben", "cai", "dee", "eve", "fay", "gus", "lee", "hal", "ivy",
                           "kim", "mo", "zed", "otto")}
    admin = make_user("admin", is_admin=True)
    at(days=45)
    circle = make_circle(people["olga"], name="Voices", visibility=PUBLIC)
    other = make_circle(people["otto"], name="Elsewhere", visibility=PUBLIC)
    with db.database.connection_context():
        at(days=40)
        Membership.join(user=people["fred"], circle=circle).set_role(FACILITATOR)
        for name in ("ana", "ben", "cai", "dee", "gus", "lee", "hal", "ivy", "kim", "mo"):
            Membership.join(user=people[name], circle=circle)
        Membership.join(user=people["zed"], circle=other)
        Membership.join(user=people["ana"], circle=other)
        at(days=4)
        Membership.join(user=people["eve"], circle=circle)
        at(days=2)
        Membership.join(user=people["fay"], circle=circle)

        def start(name, title, kind="discussion", **ago):
            at(**ago)
            return Thread.start(circle=circle, author=people[name], title=title, kind=kind, body=f"{title}?")

        def reply(thread, name, **ago):
            at(**ago)
            return thread.reply(author=people[name], body=f"From {name}.")

        d0 = start("fred", "Introduce yourself", days=30)
        reply(d0, "mo", days=30)          # mo: then left the circle
        reply(d0, "hal", days=22)         # hal: replied to by ivy, quiet since
        reply(d0, "ivy", days=20)
        reply(d0, "dee", days=10)
        reply(d0, "fred", days=9)         # a facilitator's reply counts
        start("fred", "A deleted post", days=6)
        reply(Thread.get(Thread.title == "A deleted post"), "gus", days=5).soft_delete()
        kim = start("kim", "Kim's notes", days=3)
        reply(kim, "lee", days=2).soft_delete()
        replied = start("olga", "Answered already?", kind="question", hours=60)
        reply(replied, "fred", hours=59)
        start("olga", "Which editor?", kind="question", hours=48)
        start("fred", "A withdrawn question", kind="question", hours=26).posts[0].soft_delete()
        cai = start("cai", "Cai's diary", hours=30)
        reply(cai, "cai", hours=29)
        start("cai", "A plain discussion", hours=30)
        q1 = start("ana", "How do I start?", kind="question", hours=25)
        start("ben", "Where are the notes?", kind="question", hours=23)
        at(hours=30)
        Thread.start(circle=other, author=people["zed"], title="Elsewhere's question", kind="question", body="?")
        Membership.of(people["mo"], circle).leave()
    clock.freeze(NOW)
    return {**people, "admin": admin, "circle": circle, "other": other, "q1": q1}


def page(client, auth, user, circle, **headers):
    auth.login(user)
    response = client.get(f"/c/{circle.slug}/voices", headers=headers)
    assert response.status_code == 200
    return html(response)


def names_in(doc, section):
    listed = doc.find("section", attrs={"aria-labelledby": f"voices-{section}"})
    return [link.get_text(strip=True) for link in listed.select("ul.rows > li > a.title")]


def count_in(doc, section):
    return int(doc.find("h2", id=f"voices-{section}").find(class_="badge").get_text(strip=True))


def test_each_list_shows_exactly_who_has_not_been_heard_newest_first(client, auth, scene):
    doc = page(client, auth, scene["fred"], scene["circle"])
    assert names_in(doc, "questions") == ["How do I start?", "Which editor?"]
    assert names_in(doc, "first-posts") == ["Ana Learner", "Cai Learner", "Kim Learner"]
    assert names_in(doc, "silent") == ["Eve Learner", "Lee Learner", "Gus Learner"]
    assert names_in(doc, "quiet") == ["Hal Learner"]
    assert [count_in(doc, s) for s in ("questions", "first-posts", "silent", "quiet")] == [2, 3, 3, 1]
    text = doc.find("main").get_text(" ")
    for never in ("Zed Learner", "Elsewhere's question", "Mo Learner", "Fay Learner", "Fred Learner",
                  "Ben Learner", "Where are the notes?", "A withdrawn question", "Answered already?"):
        assert never not in text


def test_the_lists_follow_the_clock(client, auth, scene):
    clock.freeze(NOW + dt.timedelta(hours=2))  # ben's question is 25 hours old; ivy's last post 20 days and 2 hours
    doc = page(client, auth, scene["fred"], scene["circle"])
    assert names_in(doc, "questions") == ["Where are the notes?", "How do I start?", "Which editor?"]
    assert "Ben Learner" in names_in(doc, "first-posts")
    clock.freeze(NOW + dt.timedelta(days=2))  # ivy: 22 days; fay joined 4 days ago
    doc = page(client, auth, scene["fred"], scene["circle"])
    assert names_in(doc, "quiet") == ["Ivy Learner", "Hal Learner"]
    assert names_in(doc, "silent")[0] == "Fay Learner"


def test_a_reply_takes_a_question_and_a_first_post_off_the_lists(client, auth, scene):
    with db.database.connection_context():
        scene["q1"].reply(author=scene["ben"], body="Start with chapter one.")
    doc = page(client, auth, scene["fred"], scene["circle"])
    assert "How do I start?" not in names_in(doc, "questions")
    assert "Ana Learner" not in names_in(doc, "first-posts")


def test_the_reply_link_opens_the_thread_with_a_reply_begun(client, auth, scene):
    doc = page(client, auth, scene["fred"], scene["circle"])
    link = doc.find("li", id=f"voice-question-{scene['q1'].id}").find("a", string="Reply")
    assert link["href"].endswith(f"#thread-{scene['q1'].id}-reply")
    thread = html(client.get(link["href"].split("#")[0]))
    box = thread.find("textarea", id=f"thread-{scene['q1'].id}-reply-body")
    assert box.get_text().strip() == "Hi Ana Learner, thanks for asking!"


def test_empty_lists_say_so(client, auth, roles):
    people = roles(PUBLIC)
    doc = page(client, auth, people[OWNER], people["circle"])
    assert [count_in(doc, s) for s in ("questions", "first-posts", "silent", "quiet")] == [0, 0, 0, 0]
    assert "Every question has had a reply" in doc.get_text()
    assert "Nobody has gone quiet" in doc.get_text()


def notices_of(user):
    """A person's welcomes and check-ins (the threads they took part in bring notices of replies too)."""
    with db.database.connection_context():
        return list(Notice.select().where((Notice.user == user.id) & Notice.kind.startswith("facilitator_"))
                    .order_by(Notice.id))


def membership_id(scene, name):
    with db.database.connection_context():
        return Membership.of(scene[name], scene["circle"]).id


def test_a_welcome_sends_one_notice_and_a_repeat_within_a_day_is_refused(client, auth, scene):
    auth.login(scene["fred"])
    url = f"/c/{scene['circle'].slug}/voices/{membership_id(scene, 'eve')}/welcome"
    response = client.post(url, follow_redirects=True)
    assert "Welcome sent to Eve Learner." in html(response).get_text()
    [notice] = notices_of(scene["eve"])
    assert notice.kind == "facilitator_welcome" and notice.url == f"/c/{scene['circle'].slug}"
    with client.application.test_request_context():
        assert notice.text == "Fred Learner, a facilitator of “Voices”, says welcome: they would love to hear from you."
    # The row says so now, in every list the member is in.
    row = html(response).find(id=f"voice-silent-{membership_id(scene, 'eve')}")
    assert row.get_text(strip=True) == "Welcome sent" and row.find("button") is None

    clock.freeze(NOW + dt.timedelta(hours=23))
    auth.login(scene["olga"])  # another facilitator of the circle: still refused
    response = client.post(url, follow_redirects=True)
    assert "already heard from this circle's facilitators in the last day" in html(response).get_text()
    assert len(notices_of(scene["eve"])) == 1
    check_in = f"/c/{scene['circle'].slug}/voices/{membership_id(scene, 'eve')}/check-in"
    client.post(check_in)
    assert len(notices_of(scene["eve"])) == 1

    clock.freeze(NOW + dt.timedelta(hours=25))
    client.post(check_in)
    assert [n.kind for n in notices_of(scene["eve"])] == ["facilitator_welcome", "facilitator_check_in"]
    with db.database.connection_context():
        assert Greeting.select().where(Greeting.user == scene["eve"].id).count() == 1


def test_with_htmx_the_row_says_sent_and_takes_the_focus(client, auth, scene):
    auth.login(scene["fred"])
    hal = membership_id(scene, "hal")
    doc = page(client, auth, scene["fred"], scene["circle"])
    box = doc.find(id=f"voice-quiet-{hal}")
    assert box["aria-live"] == "polite"
    form = box.find("form")
    assert form["hx-target"] == "closest .voice-action" and form.find("button").get_text(strip=True) == "Check in"
    response = client.post(form["action"], headers=HTMX)
    sent = html(response).find("p")
    assert sent.get_text(strip=True) == "Check-in sent" and sent.has_attr("autofocus") and sent["tabindex"] == "-1"
    again = html(client.post(form["action"], headers=HTMX)).find("p")
    assert again["role"] == "alert" and "already heard" in again.get_text()
    assert [n.kind for n in notices_of(scene["hal"])] == ["facilitator_check_in"]
    with client.application.test_request_context():
        assert "is checking in" in notices_of(scene["hal"])[0].text


@pytest.mark.parametrize("visibility", [PUBLIC, PRIVATE])
def test_only_the_circles_facilitators_and_owner_may(client, auth, roles, visibility):
    people = roles(visibility)
    circle = people["circle"]
    with db.database.connection_context():
        target = Membership.of(people[MEMBER], circle).id
        facilitator = Membership.of(people[FACILITATOR], circle).id
    urls = (f"/c/{circle.slug}/voices", f"/c/{circle.slug}/voices/{target}/welcome")
    outsider = 403 if visibility == PUBLIC else 404
    for who, expected in ((MEMBER, 403), ("admin", 403), ("outsider", outsider)):
        auth.login(people[who])
        assert client.get(urls[0]).status_code == expected, who
        assert client.post(urls[1]).status_code == expected, who
        home = html(client.get(f"/c/{circle.slug}"))
        assert home.find("a", string="Every voice") is None
    auth.login(people[FACILITATOR])
    assert html(client.get(f"/c/{circle.slug}")).find("a", string="Every voice")["href"] == urls[0]
    # Only members are welcomed: not a facilitator, not someone of another circle.
    assert client.post(f"/c/{circle.slug}/voices/{facilitator}/welcome").status_code == 404
    assert client.post(f"/c/{circle.slug}/voices/999999/check-in").status_code == 404
    assert notices_of(people[MEMBER]) == []
    assert client.post(urls[1]).status_code == 303
    assert len(notices_of(people[MEMBER])) == 1


def test_the_page_runs_the_same_few_queries_however_many_members(client, auth, scene, make_user):
    auth.login(scene["fred"])
    url = f"/c/{scene['circle'].slug}/voices"
    client.get(url)
    with recorded_sql() as few:
        client.get(url)
    clock.freeze(NOW - dt.timedelta(days=10))
    with db.database.connection_context():
        for number in range(12):
            person = make_user(f"new{number}")
            Membership.join(user=person, circle=scene["circle"])
            if number % 2:
                Thread.start(circle=scene["circle"], author=person, title=f"Hello {number}", kind="question", body="?")
    clock.freeze(NOW)
    with recorded_sql() as many:
        doc = html(client.get(url))
    assert count_in(doc, "silent") == 3 + 6 and count_in(doc, "questions") == 2 + 6
    assert len(many) == len(few) <= 12, "\n".join(many)


def test_a_long_list_is_cut_and_counted(client, auth, scene, make_user, monkeypatch):
    monkeypatch.setattr(voices, "LIST_CAP", 2)
    doc = page(client, auth, scene["fred"], scene["circle"])
    assert names_in(doc, "silent") == ["Eve Learner", "Lee Learner"] and count_in(doc, "silent") == 3
    assert "The first 2 of 3 are shown." in doc.get_text()
