"""Auto-hide: an item flagged by the circle's threshold of distinct members (2 unless the circle says otherwise;
one flag from a facilitator, the owner or an instance admin is enough) is hidden at once, logged as members'
flags, and its author told; each role sees the placeholder meant for it; a hidden thread leaves the list,
search and digests of everyone but its author and the moderators; the author asks for another look once;
a suspended member reads but does not take part; and nobody learns who flagged."""
import datetime as dt
import re

import pytest

from learncircle import audit, clock, db
from learncircle.circles.models import FACILITATOR, MEMBER, OWNER, PUBLIC, Circle, Membership
from learncircle.discussions.models import Post, Thread
from learncircle.mail import digest
from learncircle.moderation.models import SPAM, UNKIND, LogEntry
from learncircle.notices.models import Notice
from tests.helpers import html
from tests.test_discussions_threads import recorded_sql, replies

HTMX = {"HX-Request": "true"}
WORDS = "Buy cheap watches at example.test, best prices!"
FLAGGERS = {"zelda_flagger": "Zelda Quill", "yusuf_flagger": "Yusuf Marr", "xena_flagger": "Xena Pell"}


@pytest.fixture
def scene(roles, make_user, add_member):
    """A public circle; a thread by the owner with the member's reply; three members who flag (never posting);
    and a bystander who reads."""
    people = roles(PUBLIC)
    circle = people["circle"]
    flaggers = [make_user(username, display_name=name) for username, name in FLAGGERS.items()]
    bystander = make_user("bystander", display_name="Bea Stander")
    for person in (*flaggers, bystander):
        add_member(circle, person)
    with db.database.connection_context():
        thread = Thread.start(circle=circle, author=people[OWNER], title="Week 3", kind="discussion",
                              body="How did week 3 go?")
        post = thread.reply(author=people[MEMBER], body=WORDS)
    return {**people, "flaggers": flaggers, "bystander": bystander, "thread": thread, "post": post}


def flag(client, auth, who, url, reason=SPAM):
    auth.login(who)
    response = client.post(url, data={"reason": reason})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    with client.session_transaction() as session:
        session.pop("_flashes", None)  # the flagger's receipt is theirs: the next person signed in here sees none
    return response


def stored_post(post):
    with db.database.connection_context():
        return Post.get_by_id(post.id)


def stored_thread(thread):
    with db.database.connection_context():
        return Thread.get_by_id(thread.id)


def set_threshold(circle, threshold):
    with db.database.connection_context():
        Circle.update(auto_hide_threshold=threshold).where(Circle.id == circle.id).execute()


def article(client, scene):
    return html(client.get(f"/t/{scene['thread'].id}")).select_one(f"#post-{scene['post'].id}")


# ---- the threshold -------------------------------------------------------------------------------

def test_two_members_flags_hide_a_post_at_once_and_the_log_says_members_flags(client, auth, scene):
    url = f"/p/{scene['post'].id}/flag"
    first, second = scene["flaggers"][:2]
    flag(client, auth, first, url)
    assert not stored_post(scene["post"]).is_hidden
    flag(client, auth, second, url, UNKIND)
    post = stored_post(scene["post"])
    assert post.is_hidden and post.hidden_kind == "flags" and post.hidden_by_id is None
    with db.database.connection_context():
        (entry,) = LogEntry.select().where(LogEntry.action == "auto_hidden")
        event = audit.AuditEvent.get(audit.AuditEvent.action == "moderation.auto_hidden")
        (told,) = Notice.select().where((Notice.user == scene[MEMBER].id) & (Notice.kind == "hidden_by_flags"))
    assert (entry.actor_id, entry.actor_role, entry.target_kind, entry.target_id, entry.target_user_id) == (
        None, "flags", "post", scene["post"].id, scene[MEMBER].id)
    assert event.actor_id is None and event.actor_name == "" and event.address == ""  # not the last flagger's
    assert "Your post in “Week 3” is hidden after members flagged it" in told.text
    assert "ask for another look" in told.text and told.url == f"/p/{scene['post'].id}"


def test_a_circle_sets_its_own_threshold(client, auth, scene):
    set_threshold(scene["circle"], 3)
    url = f"/p/{scene['post'].id}/flag"
    for number, flagger in enumerate(scene["flaggers"], 1):
        flag(client, auth, flagger, url)
        assert stored_post(scene["post"]).is_hidden == (number == 3)


def test_a_threshold_of_zero_hides_nothing_by_flags(client, auth, scene):
    set_threshold(scene["circle"], 0)
    for flagger in scene["flaggers"]:
        flag(client, auth, flagger, f"/p/{scene['post'].id}/flag")
    assert not stored_post(scene["post"]).is_hidden


@pytest.mark.parametrize("who", [FACILITATOR, OWNER, "admin"])
def test_one_flag_of_a_facilitator_the_owner_or_an_admin_is_enough(client, auth, scene, who):
    flag(client, auth, scene[who], f"/p/{scene['post'].id}/flag")
    assert stored_post(scene["post"]).hidden_kind == "flags"


def test_resolved_flags_no_longer_count(client, auth, scene):
    url = f"/p/{scene['post'].id}/flag"
    flag(client, auth, scene["flaggers"][0], url)
    with db.database.connection_context():
        from learncircle.moderation.models import Flag

        Flag.update(resolved_at=clock.now(), resolution="kept").execute()
    flag(client, auth, scene["flaggers"][1], url)
    assert not stored_post(scene["post"]).is_hidden


# ---- placeholders, as each role sees them --------------------------------------------------------

def test_each_role_sees_the_placeholder_meant_for_it(client, auth, scene):
    for flagger in scene["flaggers"][:2]:
        flag(client, auth, flagger, f"/p/{scene['post'].id}/flag")

    auth.login(scene["bystander"])
    seen = article(client, scene)
    assert seen.select_one(".hidden-note").get_text(strip=True) == \
        "Hidden after members flagged it, until the circle's facilitators review it."
    assert seen.select_one(".body") is None and WORDS not in seen.get_text()
    assert seen.find("a", string="Flag") is None and seen.select_one(".reactions") is None

    auth.login(scene[MEMBER])
    own = article(client, scene)
    assert WORDS in own.select_one(".body").get_text()
    assert "Members flagged this post, so it is hidden from the circle" in own.select_one(".hidden-note").get_text()
    assert own.find("form", action=f"/p/{scene['post'].id}/another-look").find("button").get_text() == \
        "Ask for another look"
    assert own.find("a", string="Edit") is not None

    auth.login(scene[FACILITATOR])
    moderated = article(client, scene)
    note = moderated.select_one(".hidden-note")
    assert "Hidden after members flagged it (2 open flags)" in note.get_text()
    assert note.find("a")["href"] == f"/c/{scene['circle'].slug}/moderation"
    assert WORDS in moderated.select_one(".body").get_text()


def test_flags_add_no_query_to_the_thread_page(client, auth, scene, make_user, add_member):
    """Hidden posts, their notes and the flag links come with the page's own rows: as many queries as before."""
    with db.database.connection_context():
        replies(scene["thread"], [scene[MEMBER], scene["bystander"]], 48)

    def queries_seen_by(viewer):
        auth.login(viewer)
        client.get(f"/t/{scene['thread'].id}")
        with recorded_sql() as statements:
            page = html(client.get(f"/t/{scene['thread'].id}"))
        assert len(page.select("article.post")) == 50
        return statements

    before = {viewer.id: len(queries_seen_by(viewer)) for viewer in (scene["bystander"], scene[MEMBER])}
    for flagger in scene["flaggers"][:2]:
        flag(client, auth, flagger, f"/p/{scene['post'].id}/flag")
    for viewer in (scene["bystander"], scene[MEMBER]):
        statements = queries_seen_by(viewer)
        assert len(statements) == before[viewer.id] and not [sql for sql in statements if '"flag"' in sql]


# ---- a hidden thread -----------------------------------------------------------------------------

@pytest.fixture
def hidden_thread(client, auth, scene):
    """The member's thread "Cheap watches", hidden by two members' flags."""
    with db.database.connection_context():
        thread = Thread.start(circle=scene["circle"], author=scene[MEMBER], title="Cheap watches",
                              kind="discussion", body="Visit example.test for cheap watches")
    for flagger in scene["flaggers"][:2]:
        flag(client, auth, flagger, f"/t/{thread.id}/flag")
    assert stored_thread(thread).hidden_kind == "flags"
    with db.database.connection_context():  # the flaggers keep their receipts
        receipts = Notice.select().where((Notice.kind == "flag_received") & (Notice.url == f"/t/{thread.id}"))
        assert {notice.user_id for notice in receipts} == {flagger.id for flagger in scene["flaggers"][:2]}
    return thread


def test_a_hidden_thread_shows_others_only_that_it_is_hidden(client, auth, scene, hidden_thread):
    auth.login(scene["bystander"])
    response = client.get(f"/t/{hidden_thread.id}")
    assert response.status_code == 200
    page = html(response)
    assert page.find("h1").get_text() == "This thread is hidden"
    assert "Cheap watches" not in response.get_data(as_text=True)
    assert "example.test" not in response.get_data(as_text=True)
    assert "after members flagged it" in page.select_one(".notice").get_text()
    with db.database.connection_context():
        opening = Post.get((Post.thread == hidden_thread.id) & (Post.number == 1))
    assert client.get(f"/p/{opening.id}").headers["Location"] == f"/t/{hidden_thread.id}"
    for url in (f"/t/{hidden_thread.id}/notifications", f"/p/{opening.id}/reactions", f"/t/{hidden_thread.id}/flag"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/t/{hidden_thread.id}/reply", data={"body": "Hi", "form_key": ""}).status_code == 404


@pytest.mark.parametrize("who", [MEMBER, FACILITATOR, OWNER])
def test_its_author_and_the_moderators_read_a_hidden_thread_with_a_banner(client, auth, scene, hidden_thread, who):
    auth.login(scene[who])
    page = html(client.get(f"/t/{hidden_thread.id}"))
    assert page.find("h1").get_text() == "Cheap watches"
    banner = page.select_one(f"#thread-{hidden_thread.id}-hidden").get_text(" ", strip=True)
    if who == MEMBER:
        assert "Members flagged your thread, so it is hidden from the circle" in banner
        assert page.find("form", action=f"/t/{hidden_thread.id}/another-look") is not None
    else:
        assert "Hidden from the circle after members flagged it (2 open flags)" in banner
    assert page.select_one("form#thread-%d-reply" % hidden_thread.id) is None
    assert "it takes no replies" in page.get_text()
    if who == MEMBER:
        refused = client.post(f"/t/{hidden_thread.id}/reply", data={"body": "Still here", "form_key": ""})
        assert refused.status_code == 409 and "takes no replies" in html(refused).get_text()


def titles_listed(client, scene):
    return [a.get_text() for a in html(client.get(f"/c/{scene['circle'].slug}")).select("#threads a.title")]


def test_a_hidden_thread_leaves_the_list_and_search_of_everyone_else(client, auth, scene, hidden_thread):
    for who, sees in ((scene["bystander"], False), (scene[MEMBER], True), (scene[FACILITATOR], True),
                      (scene[OWNER], True)):
        auth.login(who)
        assert ("Cheap watches" in titles_listed(client, scene)) == sees, who.username
        found = html(client.get(f"/c/{scene['circle'].slug}/search?q=watches")).get_text()
        assert ("Cheap watches" in found) == sees, who.username
        found_everywhere = html(client.get("/search?q=watches")).get_text()
        assert ("Cheap watches" in found_everywhere) == sees, who.username
    auth.login(scene["admin"])
    assert "Cheap watches" in titles_listed(client, scene)


def test_a_digest_never_names_a_hidden_thread(app, scene, hidden_thread):
    with app.test_request_context(), db.database.connection_context():
        said = digest.content(scene["bystander"], ["new_threads"], clock.now() - dt.timedelta(days=1),
                              clock.now())
    assert [thread.title for thread in said["threads"]] == ["Week 3"]
    assert "Cheap watches" not in [thread.title for thread in said["questions"]]


def test_notices_naming_a_thread_go_when_it_is_hidden(client, auth, scene, make_user, add_member):
    watcher = make_user("watcher", display_name="Wat Cher")
    add_member(scene["circle"], watcher)
    with db.database.connection_context():
        Membership.update(notify_level="watching").where(Membership.user == watcher.id).execute()
        thread = Thread.start(circle=scene["circle"], author=scene[MEMBER], title="Cheap watches",
                              kind="discussion", body="Visit example.test")
        thread.reply(author=scene[MEMBER], body="Still cheap")
        named = Notice.select().where(Notice.user == watcher.id).count()
    assert named >= 1
    flag(client, auth, scene[FACILITATOR], f"/t/{thread.id}/flag")
    auth.login(watcher)
    assert "Cheap watches" not in client.get("/notices").get_data(as_text=True)
    with db.database.connection_context():
        assert Notice.select().where(Notice.user == watcher.id).count() == 0


def test_editing_a_hidden_thread_mentions_nobody(client, auth, scene, hidden_thread):
    with db.database.connection_context():
        opening = Post.get((Post.thread == hidden_thread.id) & (Post.number == 1))
    auth.login(scene[MEMBER])
    response = client.post(f"/p/{opening.id}/edit", data={"body": "Cheap watches, ask @bystander"})
    assert response.status_code == 303
    with db.database.connection_context():
        assert not Notice.select().where((Notice.user == scene["bystander"].id) & (Notice.kind == "mentioned")).exists()


# ---- asking for another look ---------------------------------------------------------------------

def test_the_author_asks_for_another_look_once_per_hiding(client, auth, scene):
    for flagger in scene["flaggers"][:2]:
        flag(client, auth, flagger, f"/p/{scene['post'].id}/flag")
    url = f"/p/{scene['post'].id}/another-look"
    auth.login(scene["bystander"])
    assert client.post(url).status_code == 403
    auth.login(scene[MEMBER])
    response = client.post(url)
    assert response.status_code == 303 and response.headers["Location"] == f"/p/{scene['post'].id}"
    with db.database.connection_context():
        entry = LogEntry.select().order_by(LogEntry.id.desc()).get()
        asked = Notice.select().where(Notice.kind == "another_look_asked")
        told = {notice.user_id for notice in asked}
    assert (entry.action, entry.actor_role, entry.actor_id, entry.target_id) == (
        "appealed", "author", scene[MEMBER].id, scene["post"].id)
    assert told == {scene[OWNER].id, scene[FACILITATOR].id}
    assert "You asked the circle's facilitators for another look" in html(
        client.get(f"/t/{scene['thread'].id}")).get_text()  # the flash
    again = client.post(url)
    assert again.status_code == 409 and "You asked for another look at it already" in html(again).get_text()
    fragment = client.post(f"/p/{scene['post'].id}/another-look", headers=HTMX)
    assert fragment.status_code == 409


def test_another_look_with_htmx_answers_in_place(client, auth, scene):
    with db.database.connection_context():
        Post.get_by_id(scene["post"].id).hide(scene[FACILITATOR], "Off topic.")
    auth.login(scene[MEMBER])
    response = client.post(f"/p/{scene['post'].id}/another-look", headers=HTMX)
    assert response.status_code == 200
    said = html(response).select_one(".another-look")
    assert said.has_attr("autofocus") and "You asked" in said.get_text()


def test_a_shown_post_needs_no_other_look(client, auth, scene):
    auth.login(scene[MEMBER])
    refused = client.post(f"/p/{scene['post'].id}/another-look")
    assert refused.status_code == 409 and "Only a hidden post or thread can be looked at again" in \
        html(refused).get_text()


# ---- a suspended member --------------------------------------------------------------------------

def test_a_suspended_member_reads_but_does_not_take_part(client, auth, scene):
    until = clock.now() + dt.timedelta(days=7)
    with db.database.connection_context():
        Membership.update(suspended_until=until, suspended_reason="Spam links.").where(
            Membership.user == scene["bystander"].id).execute()
    auth.login(scene["bystander"])
    circle_page = html(client.get(f"/c/{scene['circle'].slug}"))
    told = circle_page.select_one("#suspended").get_text()
    assert "suspended you until" in told and "Spam links." in told
    assert circle_page.find("a", string="New thread") is None
    thread_page = html(client.get(f"/t/{scene['thread'].id}"))
    assert "Spam links." in thread_page.select_one("#suspended").get_text()
    assert thread_page.select_one("form#react") is None and thread_page.select_one("textarea") is None
    assert client.get(f"/c/{scene['circle'].slug}/threads/new").status_code == 403
    assert client.post(f"/t/{scene['thread'].id}/reply", data={"body": "Hi", "form_key": ""}).status_code == 403
    assert client.post(f"/p/{scene['post'].id}/react", data={"kind": "helpful"}).status_code == 403
    assert client.post(f"/p/{scene['post'].id}/flag", data={"reason": SPAM}).status_code == 403
    auth.login(scene[MEMBER])  # nobody else is told
    assert html(client.get(f"/c/{scene['circle'].slug}")).select_one("#suspended") is None
    clock.freeze(until + dt.timedelta(minutes=1))
    try:
        auth.login(scene["bystander"])
        assert html(client.get(f"/c/{scene['circle'].slug}")).select_one("#suspended") is None
        assert client.post(f"/t/{scene['thread'].id}/reply", data={"body": "Back", "form_key": ""}).status_code == 303
    finally:
        clock.freeze(None)


# ---- nobody learns who flagged -------------------------------------------------------------------

def test_nobody_learns_who_flagged(client, auth, scene, hidden_thread):
    """Every response the author and another member can get about the flagged items names no flagger."""
    for flagger in scene["flaggers"][:2]:
        flag(client, auth, flagger, f"/p/{scene['post'].id}/flag")
    with db.database.connection_context():
        opening = Post.get((Post.thread == hidden_thread.id) & (Post.number == 1))
    names = [*FLAGGERS, *FLAGGERS.values()]
    urls = [f"/t/{scene['thread'].id}", f"/t/{hidden_thread.id}", f"/c/{scene['circle'].slug}",
            f"/c/{scene['circle'].slug}?show=mine", f"/p/{scene['post'].id}", f"/p/{opening.id}",
            "/notices", "/notices/count", "/search?q=watches", f"/c/{scene['circle'].slug}/search?q=watches",
            f"/u/{scene[MEMBER].username}", f"/u/{scene['bystander'].username}", "/"]
    for who in (scene[MEMBER], scene["bystander"], scene[FACILITATOR]):
        auth.login(who)
        for url in urls:
            for headers in ({}, HTMX):
                response = client.get(url, headers=headers, follow_redirects=True)
                body = response.get_data(as_text=True)
                leaked = [name for name in names if re.search(re.escape(name), body, re.I)]
                assert not leaked, f"{url} shows {leaked} to {who.username}"
