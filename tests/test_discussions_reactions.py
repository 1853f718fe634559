"""Reactions: "Helpful" and "Thanks" on a post. Toggling them with and without htmx, who may, what refuses,
the counts beside the post, the author's one gathered notice per post and kind, who reacted, and what it costs
the thread page."""
import threading

import pytest

from learncircle import db
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, MEMBER, OWNER, PRIVATE, PUBLIC, Circle, Membership
from learncircle.discussions import reactions
from learncircle.discussions.models import Post, Thread
from learncircle.discussions.reactions import HELPFUL, THANKS, Reaction
from learncircle.notices.models import Notice
from tests.helpers import html
from tests.test_discussions_threads import recorded_sql, replies

HTMX = {"HX-Request": "true"}


@pytest.fixture
def scene(roles, make_user, add_member, frozen_clock):
    """A public circle: the member opens a thread, the owner replies; two more members, Ana and Ben."""
    people = roles(PUBLIC)
    ana, ben = make_user("ana", display_name="Ana Lima"), make_user("ben", display_name="Ben Okoro")
    for person in (ana, ben):
        add_member(people["circle"], person)
    with db.database.connection_context():
        thread = Thread.start(circle=people["circle"], author=people[MEMBER], title="Reading group notes",
                              kind="discussion", body="My notes on chapter one.")
        opening = Post.get((Post.thread == thread.id) & (Post.number == 1))
        reply = thread.reply(author=people[OWNER], body="Thanks, here are mine.")
    return {**people, "ana": ana, "ben": ben, "thread": thread, "post": opening, "reply": reply}


def react(client, post, kind=HELPFUL, headers=None):
    return client.post(f"/p/{post.id}/react", data={"kind": kind}, headers=headers)


def stored(post):
    with db.database.connection_context():
        return Post.get_by_id(post.id)


def rows(post):
    with db.database.connection_context():
        return sorted((r.user_id, r.kind) for r in Reaction.select().where(Reaction.post == post.id))


REACTION_NOTICES = ("post_found_helpful", "post_thanked")


def notices_of(user):
    """The person's notices about reactions (others, of replies in threads they watch, are not ours)."""
    with db.database.connection_context():
        return list(Notice.select().where((Notice.user == user.id) & Notice.kind.in_(REACTION_NOTICES))
                    .order_by(Notice.id))


def texts(user):
    with db.database.connection_context():
        return [notice.text for notice in notices_of(user)]


def bar(page, post):
    return page.select_one(f"#post-{post.id} .reactions")


def button(page, post, kind):
    return page.select_one(f"#post-{post.id} .reactions button[value={kind}]")


def toggle_as(user, post, kind=HELPFUL):
    with db.database.connection_context():
        return reactions.toggle(Post.with_thread(post.id), user, kind, url=f"/p/{post.id}")


# ---- toggling --------------------------------------------------------------------------------------

def test_reacting_without_javascript_comes_back_to_the_post(client, auth, scene):
    post = scene["post"]
    auth.login(scene["ana"])
    response = react(client, post)
    assert response.status_code == 303 and response.headers["Location"] == f"/p/{post.id}"
    assert rows(post) == [(scene["ana"].id, HELPFUL)]
    assert (stored(post).helpful_count, stored(post).thanks_count) == (1, 0)
    landing = client.get(response.headers["Location"])
    assert landing.status_code == 302 and landing.headers["Location"].endswith(f"#post-{post.id}")
    page = html(client.get(f"/t/{scene['thread'].id}"))
    helpful = button(page, post, HELPFUL)
    assert helpful["aria-pressed"] == "true" and helpful.get_text(" ", strip=True) == "Helpful 1"
    assert button(page, post, THANKS)["aria-pressed"] == "false"
    assert button(page, post, THANKS).get_text(" ", strip=True) == "Thanks"


def test_a_second_press_takes_the_reaction_back(client, auth, scene):
    post = scene["post"]
    auth.login(scene["ana"])
    react(client, post)
    react(client, post, THANKS)
    assert rows(post) == [(scene["ana"].id, HELPFUL), (scene["ana"].id, THANKS)]
    assert react(client, post).status_code == 303
    assert rows(post) == [(scene["ana"].id, THANKS)]
    assert (stored(post).helpful_count, stored(post).thanks_count) == (0, 1)
    page = html(client.get(f"/t/{scene['thread'].id}"))
    assert button(page, post, HELPFUL)["aria-pressed"] == "false"
    assert button(page, post, THANKS)["aria-pressed"] == "true"


def test_counts_gather_everyones_reactions(client, auth, scene):
    post = scene["post"]
    for person in ("ana", "ben", FACILITATOR):
        auth.login(scene[person])
        react(client, post)
    auth.login(scene["ben"])
    react(client, post, THANKS)
    assert (stored(post).helpful_count, stored(post).thanks_count) == (3, 1)
    auth.login(scene[OWNER])  # has not reacted: sees the counts, nothing pressed
    page = html(client.get(f"/t/{scene['thread'].id}"))
    assert [b.get_text(" ", strip=True) for b in bar(page, post).select("button")] == ["Helpful 3", "Thanks 1"]
    assert [b["aria-pressed"] for b in bar(page, post).select("button")] == ["false", "false"]


def test_reacting_with_htmx_answers_with_the_posts_bar(client, auth, scene):
    post = scene["post"]
    auth.login(scene["ana"])
    response = react(client, post, THANKS, headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == f"#post-{post.id} .reactions"
    assert response.headers["HX-Reswap"] == "outerHTML"
    fragment = html(response)
    assert fragment.find("html") is None and len(fragment.select("div.reactions")) == 1
    swapped = fragment.select_one("div.reactions")
    assert swapped["aria-live"] == "off"  # the pressed button, which takes the focus, says what changed
    thanks = swapped.select_one("button[value=thanks]")
    assert thanks["aria-pressed"] == "true" and thanks.has_attr("autofocus")
    assert thanks.get_text(" ", strip=True) == "Thanks 1"
    assert not swapped.select_one("button[value=helpful]").has_attr("autofocus")
    again = html(react(client, post, THANKS, headers=HTMX)).select_one("button[value=thanks]")
    assert again["aria-pressed"] == "false" and again.get_text(" ", strip=True) == "Thanks"


def test_the_buttons_submit_the_pages_one_form(client, auth, scene):
    post = scene["post"]
    auth.login(scene["ana"])
    page = html(client.get(f"/t/{scene['thread'].id}"))
    forms = page.select("form#react")
    assert len(forms) == 1 and forms[0]["method"] == "post" and forms[0].has_attr("hx-post")
    assert forms[0].find("input", attrs={"name": "csrf_token"}) is not None
    for kind in (HELPFUL, THANKS):
        pressed = button(page, post, kind)
        assert pressed["form"] == "react" and pressed["type"] == "submit"  # htmx follows type=submit buttons
        assert pressed["formaction"] == f"/p/{post.id}/react" and pressed["name"] == "kind"
        assert pressed["value"] == kind
    assert bar(page, post).find("form") is None and bar(page, post).find("input") is None


def test_a_double_submit_never_counts_twice(client, auth, scene):
    """The unique index decides: a second press adds no row, it takes the first one back."""
    post = scene["post"]
    auth.login(scene["ana"])
    assert react(client, post).status_code == react(client, post).status_code == 303
    assert rows(post) == [] and stored(post).helpful_count == 0
    react(client, post)
    assert rows(post) == [(scene["ana"].id, HELPFUL)] and stored(post).helpful_count == 1


def test_many_people_at_once_are_all_counted(scene, make_user, add_member):
    """Eight people react at once, and one person presses twice at once: the counts match the rows."""
    post = scene["post"]
    people = [make_user(f"crowd{n}") for n in range(8)]
    for person in people:
        add_member(scene["circle"], person)
    errors, start = [], threading.Barrier(len(people) + 2)

    def press(person):
        try:
            start.wait(timeout=30)
            toggle_as(person, post)
        except Exception as error:  # collected: a failure names its cause
            errors.append(repr(error))

    workers = [threading.Thread(target=press, args=(person,)) for person in [*people, scene["ana"], scene["ana"]]]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    assert stored(post).helpful_count == len(rows(post)) == len(people)  # Ana's two presses: on, then off
    assert scene["ana"].id not in {user for user, _ in rows(post)}


def test_a_locked_thread_still_takes_thanks(client, auth, scene):
    with db.database.connection_context():
        Thread.get_by_id(scene["thread"].id).set_locked(True)
    auth.login(scene["ana"])
    assert react(client, scene["reply"], THANKS).status_code == 303
    assert stored(scene["reply"]).thanks_count == 1


def test_an_unknown_kind_is_refused_with_a_message(client, auth, scene):
    auth.login(scene["ana"])
    for data in ({"kind": "love"}, {}, {"kind": "helpful' OR 1=1"}):
        response = client.post(f"/p/{scene['post'].id}/react", data=data)
        assert response.status_code == 400
        assert "found helpful, or thanked" in html(response).get_text()
    assert rows(scene["post"]) == []


# ---- who may ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("who, expected", [
    ("ana", 303), (FACILITATOR, 303), (OWNER, 303),
    (MEMBER, 403),  # the post is theirs
    ("outsider", 403),  # reads the public circle, is not in it
    ("admin", 403),  # moderates the instance, is not in the circle
])
def test_who_may_react(client, auth, scene, who, expected):
    auth.login(scene[who])
    assert react(client, scene["post"]).status_code == expected
    assert len(rows(scene["post"])) == (1 if expected == 303 else 0)


def test_ones_own_post_is_refused_even_when_forged(client, auth, scene):
    post = scene["post"]
    auth.login(scene[MEMBER])
    page = html(client.get(f"/t/{scene['thread'].id}"))
    assert bar(page, post) is None  # no reactions yet: nothing at all under one's own post
    assert button(page, scene["reply"], HELPFUL) is not None  # others' posts have their buttons
    response = react(client, post)
    assert response.status_code == 403 and "cannot react to your own posts" in html(response).get_text()
    htmx = react(client, post, THANKS, headers=HTMX)
    assert htmx.status_code == 403 and "cannot react to your own posts" in html(htmx).get_text()
    assert rows(post) == [] and notices_of(scene[MEMBER]) == []
    with db.database.connection_context(), pytest.raises(reactions.Refused):
        reactions.toggle(Post.with_thread(post.id), scene[MEMBER], HELPFUL)


def test_ones_own_post_shows_its_counts_without_buttons(client, auth, scene):
    post = scene["post"]
    toggle_as(scene["ana"], post)
    toggle_as(scene["ben"], post)
    toggle_as(scene["ben"], post, THANKS)
    auth.login(scene[MEMBER])
    own = bar(html(client.get(f"/t/{scene['thread'].id}")), post)
    assert own.find("button") is None
    assert "2 people found this helpful" in own.get_text() and "1 person said thanks" in own.get_text()


def test_readers_who_are_not_members_see_counts_but_no_buttons(client, auth, scene):
    toggle_as(scene["ana"], scene["post"])
    auth.login(scene["outsider"])
    page = html(client.get(f"/t/{scene['thread'].id}"))
    assert page.select("form#react") == [] and page.select(".reactions button") == []
    assert "1 person found this helpful" in bar(page, scene["post"]).get_text()


def test_visitors_log_in_and_private_circles_do_not_exist_for_outsiders(client, auth, roles):
    people = roles(PRIVATE)
    with db.database.connection_context():
        thread = Thread.start(circle=people["circle"], author=people[MEMBER], title="Private", kind="discussion",
                              body="Members only.")
        post = Post.get(Post.thread == thread.id)
    response = react(client, post)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(f"/p/{post.id}/reactions").status_code == 302
    auth.login(people["outsider"])
    assert react(client, post).status_code == 404
    assert client.get(f"/p/{post.id}/reactions").status_code == 404
    assert rows(post) == []


def test_unknown_posts_are_404(client, auth, scene):
    auth.login(scene["ana"])
    assert react(client, Post(id=999_999)).status_code == 404
    assert client.get("/p/999999/reactions").status_code == 404


@pytest.mark.parametrize("how", ["deleted", "hidden"])
def test_a_deleted_or_hidden_post_takes_no_reactions(client, auth, scene, how):
    reply = scene["reply"]
    toggle_as(scene["ana"], reply)
    with db.database.connection_context():
        post = Post.with_thread(reply.id)
        post.soft_delete() if how == "deleted" else post.hide(scene[FACILITATOR], "Off topic.")
    auth.login(scene["ben"])
    page = html(client.get(f"/t/{scene['thread'].id}"))
    assert bar(page, reply) is None
    response = react(client, reply)
    assert response.status_code == 409 and "deleted or hidden post cannot take reactions" in html(response).get_text()
    assert rows(reply) == [(scene["ana"].id, HELPFUL)] and stored(reply).helpful_count == 1
    with db.database.connection_context(), pytest.raises(reactions.Refused):
        reactions.toggle(Post.with_thread(reply.id), scene["ana"], HELPFUL)  # nor taken back meanwhile


# ---- the author's notice ---------------------------------------------------------------------------

def test_reactions_gather_in_one_notice_per_post_and_kind(client, auth, scene):
    post, author = scene["post"], scene[MEMBER]
    auth.login(scene["ana"])
    react(client, post)
    assert texts(author) == ["Ana Lima found your post in “Reading group notes” helpful."]
    first = notices_of(author)[0]
    assert first.url == f"/p/{post.id}" and first.circle_id == scene["circle"].id
    auth.login(scene["ben"])
    react(client, post)
    auth.login(scene[FACILITATOR])
    react(client, post)
    react(client, post, THANKS)
    assert texts(author) == ["3 people found your post in “Reading group notes” helpful.",
                             "Facilitator said thanks for your post in “Reading group notes”."]
    assert notices_of(author)[0].id == first.id  # the same notice, said anew
    assert [n.is_read for n in notices_of(author)] == [False, False]


def test_taking_a_reaction_back_tells_nobody(client, auth, scene):
    post, author = scene["post"], scene[MEMBER]
    toggle_as(scene["ana"], post)
    toggle_as(scene["ben"], post)
    toggle_as(scene["ben"], post)  # Ben changes his mind before the author looked
    assert texts(author) == ["Ana Lima found your post in “Reading group notes” helpful."]
    toggle_as(scene["ana"], post)
    assert notices_of(author) == []  # nobody is left in it: nothing to say


def test_once_read_the_next_reaction_starts_a_new_notice(client, auth, scene, frozen_clock):
    post, author = scene["post"], scene[MEMBER]
    toggle_as(scene["ana"], post)
    toggle_as(scene["ben"], post)
    with db.database.connection_context():
        Notice.mark_read(author)
    frozen_clock.advance(hours=1)
    toggle_as(scene[FACILITATOR], post)
    toggle_as(scene["ben"], post)  # Ben, already told of, takes his back: no change to the new notice
    notices = notices_of(author)
    assert [n.text for n in notices] == ["2 people found your post in “Reading group notes” helpful.",
                                         "Facilitator found your post in “Reading group notes” helpful."]
    assert notices[0].is_read and not notices[1].is_read


def test_an_author_who_left_the_circle_hears_nothing(client, auth, scene):
    with db.database.connection_context():
        Membership.of(scene[MEMBER], scene["circle"]).delete_instance()
    toggle_as(scene["ana"], scene["post"])
    assert notices_of(scene[MEMBER]) == [] and stored(scene["post"]).helpful_count == 1


def test_the_notice_is_said_in_the_readers_language(scene):
    from learncircle.notices import kinds
    message = kinds.post_thanked(thread="T", count=4, name="Ana")
    assert kinds.render(message.kind, message.params) == "4 people said thanks for your post in “T”."
    single = kinds.post_found_helpful(thread="T", count=1, name="Ana")
    assert kinds.render(single.kind, single.params) == "Ana found your post in “T” helpful."


# ---- who reacted -----------------------------------------------------------------------------------

def test_who_reacted_is_a_page_and_a_fragment(client, auth, scene):
    post = scene["post"]
    toggle_as(scene["ben"], post)
    toggle_as(scene["ana"], post)
    toggle_as(scene["ana"], post, THANKS)
    auth.login(scene["outsider"])  # a reader of the public circle may see who
    page = html(client.get(f"/p/{post.id}/reactions"))
    assert page.find("h1") and "Reading group notes" in page.find("h1").get_text()
    groups = {dt.get_text(): [(a.get_text(), a["href"]) for a in dt.find_next_sibling("dd").find_all("a")]
              for dt in page.select("dl.who-reacted dt")}
    assert groups == {"Found it helpful": [("Ben Okoro", "/u/ben"), ("Ana Lima", "/u/ana")],
                      "Said thanks": [("Ana Lima", "/u/ana")]}
    fragment = client.get(f"/p/{post.id}/reactions", headers=HTMX)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert html(fragment).find("html") is None and len(html(fragment).select("dl.who-reacted a")) == 3


def test_the_thread_page_opens_who_reacted_in_place(client, auth, scene):
    post = scene["post"]
    auth.login(scene["ana"])
    assert bar(html(client.get(f"/t/{scene['thread'].id}")), post).find("details") is None  # nobody yet
    toggle_as(scene["ben"], post)
    details = bar(html(client.get(f"/t/{scene['thread'].id}")), post).find("details")
    assert details["hx-get"] == f"/p/{post.id}/reactions" and details["hx-trigger"] == "toggle once"
    assert details.find("summary").get_text() == "Who reacted"
    assert details.find("a")["href"] == f"/p/{post.id}/reactions"  # without JavaScript: the page


def test_nobody_left_says_so(client, auth, scene):
    toggle_as(scene["ana"], scene["post"])
    toggle_as(scene["ana"], scene["post"])
    auth.login(scene["ben"])
    assert "Nobody has reacted" in html(client.get(f"/p/{scene['post'].id}/reactions")).get_text()


def test_who_reacted_to_a_hidden_post_is_for_its_author_and_moderators(client, auth, scene):
    reply = scene["reply"]
    toggle_as(scene["ana"], reply)
    with db.database.connection_context():
        Post.with_thread(reply.id).hide(scene[FACILITATOR], "Off topic.")
    for who, status in ((OWNER, 200), (FACILITATOR, 200), ("ben", 404), ("outsider", 404)):
        auth.login(scene[who])
        assert client.get(f"/p/{reply.id}/reactions").status_code == status, who
    with db.database.connection_context():
        Post.with_thread(reply.id).soft_delete()
    auth.login(scene[OWNER])
    assert client.get(f"/p/{reply.id}/reactions").status_code == 404


# ---- what the thread page costs --------------------------------------------------------------------

def test_the_thread_page_costs_no_query_more_with_reactions(client, auth, roles, make_user, add_member):
    people = roles()
    circle, member = people["circle"], people[MEMBER]
    writers = [make_user(f"writer{n}") for n in range(4)]
    for writer in writers:
        add_member(circle, writer)
    with db.database.connection_context():
        thread = Thread.start(circle=circle, author=writers[0], title="Busy", kind="discussion", body="Go")
    replies(thread, writers, 49)
    auth.login(member)
    client.get(f"/t/{thread.id}")  # the first request of an app also checks that an account exists
    client.get(f"/t/{thread.id}")  # and the first view of a thread records how far it was read
    with recorded_sql() as quiet:
        client.get(f"/t/{thread.id}")
    with db.database.connection_context():
        posts = list(Post.select().where(Post.thread == thread.id).order_by(Post.number))
    for number, post in enumerate(posts):
        for writer in writers[:number % 4]:
            if writer.id != post.author_id:
                toggle_as(writer, post, HELPFUL if number % 2 else THANKS)
        if number % 3 == 0:
            toggle_as(member, post)
    with recorded_sql() as busy:
        page = html(client.get(f"/t/{thread.id}"))
    assert len(busy) == len(quiet) <= 5, busy
    pressed = {int(b.find_parent("article")["id"].removeprefix("post-"))
               for b in page.select(".reactions button[value=helpful][aria-pressed=true]")}
    assert pressed == {post.id for number, post in enumerate(posts) if number % 3 == 0}
    with db.database.connection_context():
        assert [p.helpful_count + p.thanks_count for p in Post.select().where(Post.thread == thread.id)
                .order_by(Post.number)] == [Reaction.select().where(Reaction.post == p.id).count() for p in posts]


def test_a_post_redrawn_alone_knows_the_readers_reactions(client, auth, scene):
    """A moderator hides and shows a post again with htmx: the post comes back with their reaction pressed."""
    reply = scene["reply"]
    toggle_as(scene[FACILITATOR], reply, THANKS)
    auth.login(scene[FACILITATOR])
    with db.database.connection_context():
        Post.with_thread(reply.id).hide(scene[FACILITATOR], "Checking.")
    shown = html(client.post(f"/p/{reply.id}/unhide", data={"reason": "Checked."}, headers=HTMX))
    assert button(shown, reply, THANKS)["aria-pressed"] == "true"
    assert button(shown, reply, HELPFUL)["aria-pressed"] == "false"


# ---- PostgreSQL ------------------------------------------------------------------------------------

def test_reactions_on_postgresql(pg_app):
    """Concurrent toggles (each post's row held in turn), the savepoint that outlives a conflict, the notice."""
    app = pg_app  # emptied and migrated (tests/conftest.py)
    try:
        with db.database.connection_context():
            people = [User.register(username=f"pg{n}", email=f"pg{n}@example.org", password="password123")
                      for n in range(7)]
            circle = Circle.found(owner=people[0], name="PG", slug="pg", purpose="Together.")
            for person in people[1:]:
                Membership.join(user=person, circle=circle)
            thread = Thread.start(circle=circle, author=people[0], title="On PG", kind="discussion", body="Hi")
            post = Post.get(Post.thread == thread.id)
        errors, start = [], threading.Barrier(len(people) - 1)

        def press(person):
            try:
                start.wait(timeout=30)
                toggle_as(person, post)
            except Exception as error:  # collected: a failure names its cause
                errors.append(repr(error))

        workers = [threading.Thread(target=press, args=(person,)) for person in people[1:]]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert errors == []
        assert toggle_as(people[1], post) is False  # already there: the conflict takes it back
        with db.database.connection_context():
            count = Reaction.select().where(Reaction.post == post.id).count()
            assert Post.get_by_id(post.id).helpful_count == count == 5
            (notice,) = Notice.select().where((Notice.user == people[0].id) & Notice.kind.in_(REACTION_NOTICES))
            assert notice.text == "5 people found your post in “On PG” helpful."
        client = app.test_client()  # the thread page's one query says whose reactions are whose
        assert client.post("/login", data={"login": "pg2", "password": "password123"}).status_code == 303
        helpful = html(client.get(f"/t/{thread.id}")).select_one(f"#post-{post.id} button[value=helpful]")
        assert helpful["aria-pressed"] == "true" and helpful.get_text(" ", strip=True) == "Helpful 5"
        assert client.post(f"/p/{post.id}/react", data={"kind": "thanks"}).status_code == 303
    finally:
        db.close_all()
