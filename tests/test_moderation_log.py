"""The moderation log every member of a circle reads: what was done, to which item (linked while they may see
it, a thread's title only if they may read the thread), when, by which role (by name only where the circle
chose so), and why; members are not named in warnings, suspensions and removals; never the flaggers. And the
whole path: members flag a post, flags hide it, a facilitator reviews it from the queue, the log says so,
and no response the author or any other member can get names who flagged."""
import re

import pytest

from learncircle import db
from learncircle.circles.models import PRIVATE
from learncircle.mail.models import Outbox
from learncircle.moderation import logbook
from learncircle.moderation.models import LogEntry
from learncircle.notices.models import Notice
from tests.fixtures_mail import free_port, mail_config
from tests.helpers import html
from tests.moderation_scene import REASON, SPAM, act, build, entries, flag, post_now


@pytest.fixture
def scene(app, make_user, make_circle, add_member):
    return build(make_user, make_circle, add_member)


def log_of(client, scene, **args):
    return client.get(f"/c/{scene.circle.slug}/moderation/log", query_string=args)


def lines(page):
    return [" ".join(li.get_text(" ", strip=True).split()) for li in page.select("#log-entries li")]


def test_every_member_reads_the_log_and_the_circle_page_links_to_it(client, auth, scene, make_user):
    auth.login(scene.facilitator)
    act(client, scene, "post", scene.post.id, "hidden")
    for who in (scene.ben, scene.cai, scene.owner, make_user("otto"), make_user("root", is_admin=True)):
        auth.login(who)
        page = html(log_of(client, scene))
        (line,) = lines(page)
        assert line.startswith("Hidden by a moderator") and "by a facilitator" in line and REASON in line
        assert page.find("details", id="conduct") is not None  # the rules beside their application
    auth.login(scene.ben)
    home = html(client.get(f"/c/{scene.circle.slug}"))
    assert home.find("a", href=f"/c/{scene.circle.slug}/moderation/log") is not None
    assert home.find("a", href=f"/c/{scene.circle.slug}/moderation") is None  # the queue: moderators only
    auth.logout()
    assert log_of(client, scene).status_code == 302


def test_a_private_circles_log_does_not_exist_for_outsiders(client, auth, make_user, make_circle, add_member):
    scene = build(make_user, make_circle, add_member, visibility=PRIVATE)
    auth.login(make_user("otto"))
    assert log_of(client, scene).status_code == 404
    assert client.get("/c/no-such-circle/moderation/log").status_code == 404
    auth.login(scene.ben)
    assert log_of(client, scene).status_code == 200


def test_the_log_says_the_role_and_names_moderators_only_where_the_circle_chose_so(client, auth, scene, make_user):
    auth.login(scene.owner)
    act(client, scene, "post", scene.other.id, "hidden", reason="Off topic.")
    auth.login(make_user("root", is_admin=True, display_name="Rita Root"))
    act(client, scene, "post", scene.post.id, "hidden")
    auth.login(scene.ben)
    said = lines(html(log_of(client, scene)))
    assert "by an instance admin" in said[0] and "by the owner" in said[1]
    assert "Olga Owner" not in " ".join(said) and "Rita Root" not in " ".join(said)

    auth.login(scene.facilitator)
    settings = f"/c/{scene.circle.slug}/moderation/settings"
    form = html(client.get(settings)).select_one("main form")
    assert form.find("input", {"name": "auto_hide_threshold"}).has_attr("disabled")
    assert client.post(settings, data={"auto_hide_threshold": "3", "log_names_moderators": "y"}).status_code == 403
    auth.login(scene.owner)
    assert client.post(settings, data={"auto_hide_threshold": "3", "log_names_moderators": "y"}).status_code == 303
    auth.login(scene.ben)
    said = lines(html(log_of(client, scene)))
    assert "by Rita Root (an instance admin)" in said[0] and "by Olga Owner (the owner)" in said[1]


@pytest.mark.parametrize("value", ["0", "21", "", "two", "-1"])
def test_the_threshold_is_from_1_to_20(client, auth, scene, value):
    auth.login(scene.owner)
    response = client.post(f"/c/{scene.circle.slug}/moderation/settings", data={"auto_hide_threshold": value})
    assert response.status_code == 422
    field = html(response).find("input", {"name": "auto_hide_threshold"})
    assert field["aria-invalid"] == "true"
    with db.database.connection_context():
        assert type(scene.circle).get_by_id(scene.circle.id).auto_hide_threshold == 2


def test_members_are_not_named_in_warnings_suspensions_and_removals(client, auth, scene):
    auth.login(scene.facilitator)
    for action in ("warned", "suspended", "removed"):
        act(client, scene, "post", scene.post.id, action, period="1d", reason=f"Reason for {action}.")
    auth.login(scene.ben)
    said = lines(html(log_of(client, scene)))
    assert [line.split(" · ")[0] for line in said] == [
        "Member removed from the circle", "Member suspended from the circle", "Member warned"]
    assert all(" · a member " in f"{line} " or "· a member" in line for line in said)
    assert "Cai" not in " ".join(said)
    auth.login(scene.facilitator)
    assert "Cai Author" in " ".join(lines(html(log_of(client, scene))))  # its moderators see whom


def test_items_are_linked_while_the_reader_may_see_them_and_hidden_titles_stay_hidden(client, auth, scene):
    auth.login(scene.facilitator)
    act(client, scene, "post", scene.other.id, "kept", reason="Fine.")
    act(client, scene, "thread", scene.cais_thread.id, "hidden")
    act(client, scene, "post", scene.post.id, "hidden")
    auth.login(scene.ben)
    page = html(log_of(client, scene))
    post_line, thread_line, kept_line = page.select("#log-entries li")
    assert post_line.find("a", href=f"/p/{scene.post.id}") is None and "a post in “Week 1: your drafts”" in \
        post_line.get_text()
    assert "Essays for sale" not in thread_line.get_text() and "a hidden thread" in thread_line.get_text()
    assert kept_line.find("a", href=f"/p/{scene.other.id}") is not None
    auth.login(scene.cai)  # the author reads their own thread's title
    assert "Essays for sale" in html(log_of(client, scene)).get_text()
    auth.login(scene.owner)
    act(client, scene, "thread", scene.cais_thread.id, "deleted")
    auth.login(scene.ben)
    assert "a removed thread" in lines(html(log_of(client, scene)))[0]


def test_moderators_find_how_to_undo_each_action(client, auth, scene):
    auth.login(scene.facilitator)
    act(client, scene, "post", scene.post.id, "deleted")
    act(client, scene, "post", scene.other.id, "warned")
    page = html(log_of(client, scene))
    warned, deleted = page.select("#log-entries li")
    assert warned.find("a", string="Withdraw the warning") is not None
    assert "kept until" in deleted.get_text() and deleted.find("a", string="Restore it") is None  # the owner's
    auth.login(scene.owner)
    deleted = html(log_of(client, scene)).select("#log-entries li")[1]
    assert deleted.find("a", string="Restore it") is not None
    auth.login(scene.ben)
    assert html(log_of(client, scene)).find("a", string=re.compile("Restore|Withdraw")) is None


def test_the_log_is_paginated_newest_first(client, auth, scene):
    with db.database.connection_context():
        for number in range(logbook.PER_PAGE + 1):
            LogEntry.create(circle=scene.circle, actor=scene.facilitator, actor_role="facilitator", action="kept",
                            target_kind="post", target_id=scene.other.id, reason=f"Reason {number}.")
    auth.login(scene.ben)
    first = html(log_of(client, scene))
    assert len(lines(first)) == logbook.PER_PAGE and "Reason 50." in lines(first)[0]
    assert lines(html(log_of(client, scene, page=2))) == [lines(html(log_of(client, scene, page=2)))[0]]
    assert "Reason 0." in lines(html(log_of(client, scene, page=2)))[0]
    fragment = client.get(f"/c/{scene.circle.slug}/moderation/log?page=2", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="log-entries">')


def test_the_authors_request_for_another_look_is_for_moderators_only(client, auth, scene):
    auth.login(scene.facilitator)
    act(client, scene, "post", scene.post.id, "hidden")
    auth.login(scene.cai)
    client.post(f"/p/{scene.post.id}/another-look")
    assert entries(scene.circle)[-1].action == "appealed"
    auth.login(scene.ben)
    assert len(lines(html(log_of(client, scene)))) == 1
    auth.login(scene.facilitator)
    said = lines(html(log_of(client, scene)))
    assert said[0].startswith("The author asked for another look") and "by the author" in said[0]


# ---- the whole path ---------------------------------------------------------------------------------

FLAGGERS = (("zquill", "Zelda Quill"), ("yfenwick", "Yorick Fenwick"))


def responses_of(client, auth, person, scene, search_words):
    """Every page and fragment a member may get that could tell of the flags: (label, body)."""
    auth.login(person)
    slug, thread, post = scene.circle.slug, scene.thread.id, scene.post.id
    fragment = {"HX-Request": "true"}
    urls = [f"/t/{thread}", f"/c/{slug}", f"/c/{slug}/moderation/log", "/notices", "/notices/count", "/",
            f"/u/{scene.cai.username}", f"/search?q={search_words}", f"/c/{slug}/search?q={search_words}",
            f"/c/{slug}/moderation", f"/c/{slug}/moderation/post/{post}", f"/c/{slug}/moderation/settings",
            f"/c/{slug}/moderation/removed", f"/p/{post}/flag", f"/t/{thread}/notifications"]
    got = []
    for url in urls:
        for headers in ({}, fragment):
            response = client.get(url, headers=headers)
            got.append((f"{url} {headers or ''} as {person.username}", response.get_data(as_text=True)))
    permalink = client.get(f"/p/{post}", follow_redirects=True)
    got.append((f"/p/{post} as {person.username}", permalink.get_data(as_text=True)))
    return got


def assert_no_flagger_in(responses):
    for label, body in responses:
        for username, name in FLAGGERS:
            assert username not in body and name not in body, f"{label} names the flagger {name}"
            assert name.split()[0] not in body and name.split()[1] not in body, f"{label} names {name}"


def test_the_whole_path_never_names_who_flagged(app, client, auth, scene, make_user, add_member):
    app.config.update(mail_config(free_port()))  # mail is queued (never sent here): it is searched too
    flaggers = [make_user(username, display_name=name) for username, name in FLAGGERS]
    for flagger in flaggers:
        add_member(scene.circle, flagger)
    readers = (scene.cai, scene.ben, scene.facilitator, scene.owner)

    # Two members flag the post: it disappears for everyone but its author and the circle's moderators.
    for flagger in flaggers:
        assert flag(client, auth, flagger, scene.post, reason="spam", note="Selling essays here.").status_code == 303
    assert post_now(scene.post).hidden_kind == "flags"
    auth.login(scene.ben)
    thread = html(client.get(f"/t/{scene.thread.id}")).select_one(f"#post-{scene.post.id}")
    assert SPAM not in thread.get_text() and "Hidden after members flagged it" in thread.get_text()
    auth.login(scene.cai)
    assert "hidden" in Notice.select().where(Notice.user == scene.cai.id).order_by(Notice.id.desc()).get().text
    for reader in readers:
        assert_no_flagger_in(responses_of(client, auth, reader, scene, "essays"))

    # The facilitator reviews it from the queue: the flags say "spam", and who flagged, nothing.
    auth.login(scene.facilitator)
    card = html(client.get(f"/c/{scene.circle.slug}/moderation")).select_one(f"#queue-post-{scene.post.id}")
    assert "2 open flags" in card.get_text() and "Spam: 2" in card.get_text()
    kept = act(client, scene, "post", scene.post.id, "kept", reason="A real offer of help, not spam.")
    assert kept.status_code == 303
    assert post_now(scene.post).hidden_at is None

    # The log says what happened, by members' flags and by a facilitator; the post is back for everyone.
    auth.login(scene.ben)
    said = lines(html(log_of(client, scene)))
    assert said[0].startswith("Flags dismissed: kept as it is") and "by a facilitator" in said[0]
    assert said[1].startswith("Hidden by members' flags until reviewed") and "by members' flags" in said[1]
    assert SPAM in html(client.get(f"/t/{scene.thread.id}")).get_text()
    for reader in readers:
        assert_no_flagger_in(responses_of(client, auth, reader, scene, "essays"))
    with db.database.connection_context():
        for notice in Notice.select().where(Notice.user.in_([reader.id for reader in readers])):
            assert_no_flagger_in([(f"notice {notice.kind}", notice.text + notice.params)])
        mailed = list(Outbox.select())
        assert "content_shown" in {mail.kind for mail in mailed}
        for mail in mailed:
            if mail.user_id in {reader.id for reader in readers}:
                assert_no_flagger_in([(f"mail {mail.kind}", f"{mail.subject} {mail.text} {mail.html}")])
        # Each flagger heard the outcome, without a word of the other.
        for flagger, (_, name) in zip(flaggers, FLAGGERS):
            told = Notice.select().where((Notice.user == flagger.id) & (Notice.kind == "flag_resolved")).get()
            other = [n for u, n in FLAGGERS if n != name][0]
            assert other not in told.text and "showed it again" in told.text
