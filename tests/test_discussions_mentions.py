"""Mentions and quotes: an @name of a circle's member links to their profile and tells them (once, never the
writer, only the newly named on an edit, at most twenty people a post); any other @name stays text exactly as
an unknown one; code, links and addresses are left alone; the suggestions offered while typing list only the
circle's members, only to those who can post there; "Quote" fills the reply box with a post's Markdown."""
import datetime as dt
import os
import re

import pytest

from learncircle import db, text
from learncircle.accounts.models import User
from learncircle.circles.models import PRIVATE, PUBLIC, Circle, Membership
from learncircle.discussions import mentions
from learncircle.discussions.models import Post, Thread
from learncircle.notices.models import Notice
from tests.helpers import html

HTMX = {"HX-Request": "true"}


@pytest.fixture
def scene(app, make_user, make_circle, add_member, frozen_clock):
    """Rust, a public circle: Olga (owner), Ana Lima, Anton Berg, Bob Stone and Dana Anders. Zed belongs to
    another circle only, Otto to none. Bob opened a thread."""
    people = {name: make_user(name, display_name=display) for name, display in (
        ("olga", "Olga Owner"), ("ana", "Ana Lima"), ("anton", "Anton Berg"), ("bob", "Bob Stone"),
        ("dana", "Dana Anders"), ("zed", "Zed Else"), ("otto", "Otto Side"))}
    circle = make_circle(people["olga"], name="Rust", visibility=PUBLIC)
    other = make_circle(people["zed"], name="Elsewhere", visibility=PRIVATE)
    for name in ("ana", "anton", "bob", "dana"):
        add_member(circle, people[name])
    with db.database.connection_context():
        thread = Thread.start(circle=circle, author=people["bob"], title="Borrowing", kind="discussion",
                              body="Why does the borrow checker complain?")
    return {**people, "circle": circle, "other": other, "thread": thread}


def notices_of(user):
    with db.database.connection_context():
        return list(Notice.select().where((Notice.user == user.id) & (Notice.kind == "mentioned"))
                    .order_by(Notice.id))


def all_mention_notices():
    with db.database.connection_context():
        return Notice.select().where(Notice.kind == "mentioned").count()


def reply(scene, author, body):
    with db.database.connection_context():
        return scene["thread"].reply(author=scene[author], body=body)


def stored(post):
    with db.database.connection_context():
        return Post.get_by_id(post.id)


def mention_links(body_html):
    return [(a["href"], a.get_text()) for a in html_of(body_html).select("a.mention")]


def html_of(fragment):
    from bs4 import BeautifulSoup
    return BeautifulSoup(fragment, "html.parser")


# ---- links and notices ----------------------------------------------------------------------------

def test_a_members_name_links_to_their_profile_and_tells_them(client, auth, scene):
    post = reply(scene, "bob", "Thanks @ana, and @Anton too.")
    assert mention_links(stored(post).body_html) == [("/u/ana", "@ana"), ("/u/anton", "@Anton")]
    for name in ("ana", "anton"):
        [notice] = notices_of(scene[name])
        assert notice.url == f"/p/{post.id}" and notice.circle_id == scene["circle"].id
        assert notice.text == "Bob Stone mentioned you in “Borrowing”."
    auth.login(scene["ana"])
    page = html(client.get(f"/t/{scene['thread'].id}"))
    link = page.select_one(f"#post-{post.id} .body a.mention")
    assert link["href"] == "/u/ana" and link.get_text() == "@ana"
    assert page.select_one("header.site .badge").get_text(" ", strip=True).startswith("1")
    notices = html(client.get("/notices"))
    assert notices.find("a", href=f"/p/{post.id}", string=re.compile("Bob Stone mentioned you in “Borrowing”"))


def test_the_opening_post_mentions_too(scene):
    with db.database.connection_context():
        thread = Thread.start(circle=scene["circle"], author=scene["ana"], title="Lifetimes", kind="question",
                              body="@dana, you explained this once?")
        opening = Post.get((Post.thread == thread.id) & (Post.number == 1))
    assert mention_links(opening.body_html) == [("/u/dana", "@dana")]
    [notice] = notices_of(scene["dana"])
    assert notice.url == f"/p/{opening.id}" and notice.text == "Ana Lima mentioned you in “Lifetimes”."


@pytest.mark.parametrize("name", ["zed", "otto", "ghost"])
def test_anyone_not_in_the_circle_stays_plain_text_exactly_like_an_unknown_name(client, auth, scene, name):
    """Someone of another circle (zed), of none (otto), and nobody (ghost) read the same: nothing leaks."""
    body = f"Ask @{name} about it, or **@{name}**."
    post = reply(scene, "bob", body)
    assert stored(post).body_html == text.render_markdown(body)
    assert stored(post).body_html == text.render_markdown(body.replace(name, "ghost")).replace("ghost", name)
    assert all_mention_notices() == 0
    auth.login(scene["ana"])
    assert html(client.get(f"/t/{scene['thread'].id}")).select_one(f"#post-{post.id} .body").find("a") is None


def test_one_notice_per_person_and_post_and_none_to_the_writer(scene):
    post = reply(scene, "bob", "@ana @ana @ANA and me, @bob.")
    assert [href for href, _ in mention_links(stored(post).body_html)] == ["/u/ana"] * 3 + ["/u/bob"]
    assert len(notices_of(scene["ana"])) == 1
    assert notices_of(scene["bob"]) == []


def test_an_edit_tells_only_the_people_it_names_for_the_first_time(scene):
    post = reply(scene, "bob", "Hello @ana.")
    with db.database.connection_context():
        editable = Post.with_thread(post.id)
        editable.edit("Hello @ana and @dana.")
        Post.with_thread(post.id).edit("Hello @ana, @dana and @anton, and @dana again.")
        Post.with_thread(post.id).edit("Hello @anton.")  # names dropped: nobody is told anything
    assert len(notices_of(scene["ana"])) == len(notices_of(scene["dana"])) == len(notices_of(scene["anton"])) == 1
    assert mention_links(stored(post).body_html) == [("/u/anton", "@anton")]


def test_editing_through_the_form_links_and_tells_the_new_name(client, auth, scene):
    post = reply(scene, "bob", "First draft.")
    auth.login(scene["bob"])
    response = client.post(f"/p/{post.id}/edit", data={"body": "Second draft, for @dana."})
    assert response.status_code == 303
    assert mention_links(stored(post).body_html) == [("/u/dana", "@dana")]
    assert [notice.url for notice in notices_of(scene["dana"])] == [f"/p/{post.id}"]


def test_nobody_is_told_of_a_hidden_post_nor_of_a_prompt_before_its_time(scene, frozen_clock):
    post = reply(scene, "bob", "Draft.")
    with db.database.connection_context():
        Post.with_thread(post.id).hide(scene["olga"], "Off topic")
        Post.with_thread(post.id).edit("Still hidden, @ana.")
        prompt = Thread.start(circle=scene["circle"], author=scene["olga"], title="Week 3", kind="discussion",
                              body="@dana, you start.", publish_at=frozen_clock.now() + dt.timedelta(days=1))
        opening = Post.get(Post.thread == prompt.id)
    assert mention_links(stored(post).body_html) == [("/u/ana", "@ana")]
    assert mention_links(opening.body_html) == [("/u/dana", "@dana")]
    with db.database.connection_context():  # the prompt's: dated at its time, so shown to nobody yet
        assert Notice.unread_count(scene["dana"]) == 0
        assert [n.created_at for n in Notice.select().where(Notice.kind == "mentioned")] == [prompt.publish_at]


def test_a_name_someone_gains_by_joining_is_linked_in_posts_written_after(scene, add_member):
    before = reply(scene, "bob", "Waiting for @otto.")
    add_member(scene["circle"], scene["otto"])
    after = reply(scene, "bob", "Welcome @otto.")
    assert mention_links(stored(before).body_html) == []  # stored once, as it was written
    assert mention_links(stored(after).body_html) == [("/u/otto", "@otto")]


@pytest.mark.parametrize("body", [
    "`@ana` in code",
    "```\n@ana in a code block\n```",
    "    @ana indented code",
    "[@ana](https://example.org) in a link's words",
    "<https://example.org/@ana> an address",
    "mail ana@example.org or bob.ana@example.org",
    "a handle like x@ana or @ana@example.org",
    "@an is too short, @ana-maria is someone else, @anaé another",
    "@ana_ is not ana, nor is @ana.maria",
])
def test_code_links_and_addresses_are_left_alone(scene, body):
    post = reply(scene, "bob", body)
    assert "/u/ana" not in stored(post).body_html
    assert notices_of(scene["ana"]) == []


def test_a_name_at_the_end_of_a_sentence_or_in_emphasis_still_mentions(scene):
    post = reply(scene, "bob", "Over to @ana. Then _@dana_, (@anton)!")
    assert [href for href, _ in mention_links(stored(post).body_html)] == ["/u/ana", "/u/dana", "/u/anton"]
    assert "</a>. Then" in stored(post).body_html  # the full stop stays outside the link


def test_names_inside_a_quote_are_linked_but_not_told_again(scene):
    post = reply(scene, "bob", "> **Ana Lima** wrote:\n>\n> ask @dana\n\nI agree, @anton.")
    assert [href for href, _ in mention_links(stored(post).body_html)] == ["/u/dana", "/u/anton"]
    assert notices_of(scene["dana"]) == [] and len(notices_of(scene["anton"])) == 1


def test_a_post_of_500_names_is_stored_and_tells_at_most_twenty_people(client, auth, scene, make_user, add_member):
    many = [make_user(f"learner{number:02}") for number in range(25)]
    for person in many:
        add_member(scene["circle"], person)
    names = [f"@learner{number:02}" for number in range(25)] + [f"@nobody{number:03}" for number in range(475)]
    auth.login(scene["bob"])
    response = client.post(f"/t/{scene['thread'].id}/reply", data={"body": " ".join(names), "form_key": ""})
    assert response.status_code == 303
    with db.database.connection_context():
        post = Post.select().where(Post.thread == scene["thread"].id).order_by(Post.number.desc()).first()
    linked = mention_links(post.body_html)
    assert len(linked) == mentions.MAX_MENTIONS == 20
    assert linked[0] == ("/u/learner00", "@learner00") and linked[-1] == ("/u/learner19", "@learner19")
    assert all_mention_notices() == 20 and notices_of(many[20]) == []
    assert "@learner24" in post.body_html and "@nobody474" in post.body_html


def test_thousands_of_unknown_names_cost_one_bounded_lookup(client, auth, scene):
    body = " ".join(f"@u{number:04}" for number in range(5000))
    auth.login(scene["bob"])
    response = client.post(f"/t/{scene['thread'].id}/reply", data={"body": body, "form_key": ""})
    assert response.status_code == 303
    assert all_mention_notices() == 0


def test_stored_mentions_keep_their_class_through_the_second_cleaning(scene):
    post = reply(scene, "bob", "Hi @ana.")
    again = text.rewrite_links(stored(post).body_html, lambda href: href)
    assert mention_links(again) == [("/u/ana", "@ana")]


# ---- preview ---------------------------------------------------------------------------------------

def test_the_preview_links_names_as_the_post_will(client, auth, scene):
    auth.login(scene["bob"])
    slug = scene["circle"].slug
    preview = html(client.post(f"/preview?circle={slug}", data={"body": "cc @ana"}, headers=HTMX))
    assert preview.select_one(".preview a.mention")["href"] == "/u/ana"
    page = html(client.post(f"/c/{slug}/threads/new", data={"title": "T", "kind": "discussion", "body": "cc @ana",
                                                           "action": "preview", "form_key": ""}))
    assert page.select_one(".preview a.mention")["href"] == "/u/ana"
    assert notices_of(scene["ana"]) == []  # a preview tells nobody


def test_a_preview_for_a_circle_one_is_not_in_tells_nothing_of_it(client, auth, scene):
    auth.login(scene["otto"])
    for slug in (scene["circle"].slug, scene["other"].slug, "no-such-circle"):
        body = client.post(f"/preview?circle={slug}", data={"body": "cc @ana @zed"}, headers=HTMX).get_data()
        assert body == client.post("/preview", data={"body": "cc @ana @zed"}, headers=HTMX).get_data()
        assert b"/u/" not in body


def test_the_new_thread_form_offers_suggestions_and_previews_with_its_circle(client, auth, scene):
    auth.login(scene["bob"])
    slug = scene["circle"].slug
    page = html(client.get(f"/c/{slug}/threads/new"))
    assert page.select_one("#thread-body")["data-mentions"] == f"/c/{slug}/mentions"
    assert page.find("button", value="preview")["hx-post"] == f"/preview?circle={slug}"


# ---- suggestions -----------------------------------------------------------------------------------

def suggested(client, scene, q, **headers):
    response = client.get(f"/c/{scene['circle'].slug}/mentions", query_string={"q": q}, headers=headers or HTMX)
    assert response.status_code == 200
    page = html(response)
    return [option["data-name"] for option in page.select("[role=listbox] [role=option]")], page


def test_suggestions_list_the_circles_members_best_match_first(client, auth, scene):
    auth.login(scene["bob"])
    names, page = suggested(client, scene, "an")
    # Usernames that start with it, then display names that do, then the rest (Dana Anders).
    assert names == ["ana", "anton", "dana"]
    assert page.select_one("[role=option]").get_text(" ", strip=True) == "Ana Lima @ana"
    assert page.select_one("[data-count]").get_text(strip=True).startswith("3 people to mention")
    assert suggested(client, scene, "@ANT")[0] == ["anton"]
    assert suggested(client, scene, "lima")[0] == ["ana"]  # a display name's later word


def test_suggestions_never_offer_outsiders_other_circles_or_oneself(client, auth, scene):
    auth.login(scene["bob"])
    assert suggested(client, scene, "")[0] == ["ana", "anton", "dana", "olga"]  # not bob himself
    assert suggested(client, scene, "zed")[0] == [] and suggested(client, scene, "ott")[0] == []
    names, page = suggested(client, scene, "zed")
    assert page.find("ul") is None and "Nobody in this circle" in page.get_text()


def test_suggestions_are_limited_to_eight(client, auth, scene, make_user, add_member):
    for number in range(12):
        add_member(scene["circle"], make_user(f"anna{number:02}"))
    auth.login(scene["bob"])
    assert len(suggested(client, scene, "ann")[0]) == mentions.SUGGESTIONS == 8


@pytest.mark.parametrize("q", ["%", "_", "a%", "'; DROP TABLE user; --", "\\", "a" * 31, "x" * 5000, "an a",
                               "\x00", "ﬁ", "💡", "@@"])
def test_odd_queries_answer_safely(client, auth, scene, q):
    auth.login(scene["bob"])
    names, _ = suggested(client, scene, q)
    assert names == []


@pytest.mark.parametrize("who, status", [("otto", 403), ("zed", 403), ("ana", 200)])
def test_only_those_who_can_post_get_suggestions(client, auth, scene, who, status):
    auth.login(scene[who])
    assert client.get(f"/c/{scene['circle'].slug}/mentions?q=a", headers=HTMX).status_code == status


def test_a_private_circles_suggestions_do_not_exist_for_outsiders(client, auth, scene):
    auth.login(scene["otto"])
    assert client.get(f"/c/{scene['other'].slug}/mentions?q=z").status_code == 404
    auth.login(scene["zed"])
    assert suggested(client, {"circle": scene["other"]}, "")[0] == []  # zed is alone in it


def test_the_composers_ask_for_suggestions_from_their_circle(client, auth, scene):
    post = reply(scene, "ana", "My post")
    auth.login(scene["ana"])
    url = f"/c/{scene['circle'].slug}/mentions"
    page = html(client.get(f"/t/{scene['thread'].id}"))
    assert page.select_one(f"#thread-{scene['thread'].id}-reply textarea")["data-mentions"] == url
    editor = html(client.get(f"/p/{post.id}/edit"))
    assert editor.select_one(f"#post-{post.id}-body")["data-mentions"] == url


# ---- quotes ----------------------------------------------------------------------------------------

def reply_box(page, thread):
    return page.select_one(f"#thread-{thread.id}-reply textarea").get_text().lstrip("\n")


def test_quote_fills_the_reply_box_with_the_post_and_a_link_back(client, auth, scene, add_member, make_user):
    tricky = make_user("tricky", display_name="*Star* [x](y)")
    add_member(scene["circle"], tricky)
    scene["tricky"] = tricky
    post = reply(scene, "tricky", "First line with @ana\n\n- a list\n")
    auth.login(scene["dana"])
    thread = scene["thread"]
    page = html(client.get(f"/t/{thread.id}?quote={post.id}"))
    quoted = reply_box(page, thread)
    assert quoted == (f"> **\\*Star\\* \\[x\\]\\(y\\)** [wrote](/p/{post.id}):\n>\n> First line with @ana\n>\n"
                      "> - a list\n\n")
    rendered = text.render_markdown(quoted)
    assert html_of(rendered).select_one("blockquote strong").get_text() == "*Star* [x](y)"
    assert html_of(rendered).select_one("blockquote a")["href"] == f"/p/{post.id}"
    assert len(notices_of(scene["ana"])) == 1  # by the post itself
    client.post(f"/t/{thread.id}/reply", data={"body": quoted + "Agreed.", "form_key": ""})
    assert len(notices_of(scene["ana"])) == 1  # not again by the quote of it


def test_each_readable_post_has_a_quote_link_for_those_who_can_reply(client, auth, scene):
    thread = scene["thread"]
    kept, hidden, deleted = (reply(scene, "ana", body) for body in ("kept", "hidden", "deleted"))
    with db.database.connection_context():
        Post.with_thread(hidden.id).hide(scene["olga"], "Off topic")
        Post.with_thread(deleted.id).soft_delete()
    auth.login(scene["ana"])  # the hidden post's author reads it, but it is not quoted back into the circle
    page = html(client.get(f"/t/{thread.id}"))
    quote = page.select_one(f"#post-{kept.id} header a[href*='quote=']")
    assert quote.get_text() == "Quote" and quote["href"] == f"?quote={kept.id}#reply-heading"
    assert page.select(f"#post-{hidden.id} a[href*='quote='], #post-{deleted.id} a[href*='quote=']") == []
    for post in (hidden, deleted):
        assert reply_box(html(client.get(f"/t/{thread.id}?quote={post.id}")), thread) == ""
    auth.login(scene["otto"])  # reads the public circle, cannot reply
    page = html(client.get(f"/t/{thread.id}"))
    assert page.select("a[href*='quote=']") == [] and page.select("textarea") == []


def test_quoting_a_post_of_another_thread_or_nonsense_leaves_the_box_empty(client, auth, scene):
    with db.database.connection_context():
        private = Thread.start(circle=scene["other"], author=scene["zed"], title="Secret", kind="discussion",
                               body="Private words")
        secret = Post.get(Post.thread == private.id)
    auth.login(scene["bob"])
    thread = scene["thread"]
    for quote in (secret.id, 0, -1, 10**30, "abc", ""):
        response = client.get(f"/t/{thread.id}?quote={quote}")
        assert response.status_code == 200
        assert reply_box(html(response), thread) == ""
        assert b"Private words" not in response.get_data()


def test_a_quote_on_a_later_page_keeps_the_reader_on_that_page(client, auth, scene):
    with db.database.connection_context():
        for number in range(55):
            last = scene["thread"].reply(author=scene["ana"], body=f"Reply {number}")
    auth.login(scene["bob"])
    page = html(client.get(f"/t/{scene['thread'].id}?page=2"))
    link = page.select_one(f"#post-{last.id} a[href*='quote=']")
    assert link["href"] == f"?page=2&quote={last.id}#reply-heading"
    assert reply_box(html(client.get(f"/t/{scene['thread'].id}{link['href'].split('#')[0]}")),
                     scene["thread"]).endswith("> Reply 54\n\n")


# ---- PostgreSQL ------------------------------------------------------------------------------------

@pytest.mark.skipif(not os.environ.get("LEARNCIRCLE_TEST_POSTGRES_URL"),
                    reason="set LEARNCIRCLE_TEST_POSTGRES_URL to an empty PostgreSQL database to run it")
def test_mentions_and_suggestions_work_on_postgresql(request):
    """The one lookup (IN over usernames) and the suggestions' ILIKE, LOWER and CASE, on PostgreSQL."""
    app = request.getfixturevalue("pg_app")  # tests/test_postgres.py's: a fresh PostgreSQL database
    with db.database.connection_context():
        people = {name: User.register(username=name, email=f"{name}@example.org", password="password123",
                                      display_name=display)
                  for name, display in (("olga", "Olga Owner"), ("ana", "Ana Lima"), ("dana", "Dana Anders"),
                                        ("zed", "Zed Else"))}
        circle = Circle.found(owner=people["olga"], name="PG", slug="pg", purpose="Learn.")
        for name in ("ana", "dana"):
            Membership.join(user=people[name], circle=circle)
        thread = Thread.start(circle=circle, author=people["olga"], title="Hello", kind="discussion",
                              body="Welcome @Ana and @zed, 100% of you.")
        opening = Post.get(Post.thread == thread.id)
        assert mention_links(opening.body_html) == [("/u/ana", "@Ana")]
        assert [n.user_id for n in Notice.select().where(Notice.kind == "mentioned")] == [people["ana"].id]
    client = app.test_client()
    assert client.post("/login", data={"login": "olga", "password": "password123"}).status_code == 303
    names = [option["data-name"] for option in
             html(client.get(f"/c/{circle.slug}/mentions?q=AN", headers=HTMX)).select("[role=option]")]
    assert names == ["ana", "dana"]
    assert html(client.get(f"/c/{circle.slug}/mentions?q=%25", headers=HTMX)).select("[role=option]") == []
