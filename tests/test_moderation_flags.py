"""Members flag a post, a thread or a member of their circle to its facilitators: a page with the item and the
form, a receipt, one flag per person per item, every refusal said clearly, flags rate-limited, and the
facilitators told (one notice gathering the flags while unread). Who flagged is never shown to anyone."""
import datetime as dt

import pytest

from learncircle import clock, create_app, db
from learncircle.circles.models import FACILITATOR, MEMBER, OWNER, PRIVATE, PUBLIC, Circle, Membership
from learncircle.discussions.models import Post, Thread
from learncircle.moderation import conduct
from learncircle.moderation.models import CONDUCT, OTHER, SPAM, Flag
from learncircle.notices.models import Notice
from tests.helpers import html

HTMX = {"HX-Request": "true"}
WORDS = "Buy cheap watches at example.test, best prices!"


@pytest.fixture
def scene(roles, make_user, add_member):
    """A public circle (the default code of conduct: five numbered points), a thread by its owner with a reply by
    the member, and two more members who flag things: Zelda and Yusuf."""
    people = roles(PUBLIC)
    circle = people["circle"]
    zelda = make_user("zelda_flagger", display_name="Zelda Quill")
    yusuf = make_user("yusuf_flagger", display_name="Yusuf Marr")
    for person in (zelda, yusuf):
        add_member(circle, person)
    with db.database.connection_context():
        thread = Thread.start(circle=circle, author=people[OWNER], title="Week 3", kind="discussion",
                              body="How did week 3 go?")
        post = thread.reply(author=people[MEMBER], body=WORDS)
        target = Membership.of(people[MEMBER], circle)
    return {**people, "zelda": zelda, "yusuf": yusuf, "thread": thread, "post": post, "target": target}


def flag(client, url, reason=SPAM, **fields):
    return client.post(url, data={"reason": reason, **fields})


def flags_of(kind, target_id):
    with db.database.connection_context():
        return list(Flag.select().where((Flag.target_kind == kind) & (Flag.target_id == target_id)))


def notices_of(user, kind=None):
    with db.database.connection_context():
        query = Notice.select().where(Notice.user == user.id)
        return list(query.where(Notice.kind == kind) if kind else query)


def message_of(response):
    return html(response).get_text(" ", strip=True)


# ---- the code of conduct's points ----------------------------------------------------------------

def test_the_points_of_a_code_of_conduct_are_its_first_numbered_list():
    assert conduct.points("Intro\n\n3. **Be kind** and `patient`.\n4. No [spam](http://x).\n\n- not this") == [
        (3, "Be kind and patient."), (4, "No spam.")]
    assert conduct.points("Be kind.\n\n- a bullet, not a point") == []
    assert conduct.points("") == []


# ---- flagging a post -----------------------------------------------------------------------------

def test_a_member_flags_a_post_from_its_page_and_gets_a_receipt(client, auth, scene):
    url = f"/p/{scene['post'].id}/flag"
    auth.login(scene["zelda"])
    thread_page = html(client.get(f"/t/{scene['thread'].id}"))
    assert thread_page.select_one(f"#post-{scene['post'].id} a[href='{url}']").get_text() == "Flag"

    page = html(client.get(url))
    assert page.find("h1").get_text() == "Flag a post"
    assert WORDS in page.select_one("blockquote").get_text()
    form = page.find("form", action=url)
    assert {radio["value"] for radio in form.select("input[name=reason]")} == {
        "conduct", "spam", "unkind", "off_topic", "other"}
    points = [option["value"] for option in form.select("select[name=conduct_point] option")]
    assert points == ["", "1", "2", "3", "4", "5"]

    response = flag(client, url, CONDUCT, conduct_point="5", note="A spam link.")
    assert response.status_code == 303 and response.headers["Location"] == f"/p/{scene['post'].id}"
    (stored,) = flags_of("post", scene["post"].id)
    assert (stored.flagger_id, stored.reason, stored.conduct_point, stored.note) == (
        scene["zelda"].id, CONDUCT, 5, "A spam link.")
    assert "your flag went to the circle's facilitators" in message_of(client.get(f"/t/{scene['thread'].id}"))
    (receipt,) = notices_of(scene["zelda"], "flag_received")
    assert receipt.text.startswith("You flagged a post in “Week 3”.") and receipt.url == f"/p/{scene['post'].id}"


def test_the_circles_facilitators_and_owner_hear_of_flags_in_one_gathered_notice(client, auth, scene, make_user,
                                                                                 add_member):
    flags_url = f"/p/{scene['post'].id}/flag"
    auth.login(scene["zelda"])
    flag(client, flags_url)
    with db.database.connection_context():
        other_post = scene["thread"].reply(author=scene[MEMBER], body="Another one.")
    auth.login(scene["yusuf"])
    flag(client, f"/p/{other_post.id}/flag", OTHER, note="Looks like spam too.")
    queue = f"/c/{scene['circle'].slug}/moderation"
    for moderator in (scene[OWNER], scene[FACILITATOR]):
        (notice,) = notices_of(moderator, "flags_to_review")
        assert notice.url == queue and notice.text == f"2 flags in {scene['circle'].name} wait for your review."
    assert notices_of(scene[MEMBER], "flags_to_review") == []  # the author is no moderator of it
    with db.database.connection_context():
        Notice.mark_read(scene[FACILITATOR])
    auth.login(scene["zelda"])
    flag(client, f"/t/{scene['thread'].id}/flag")  # a third flag: a new notice once the last was read
    unread = [n for n in notices_of(scene[FACILITATOR], "flags_to_review") if n.read_at is None]
    assert [n.text for n in unread] == [f"A flag in {scene['circle'].name} waits for your review."]


def test_with_htmx_the_receipt_takes_the_place_of_the_form(client, auth, scene):
    auth.login(scene["zelda"])
    response = client.post(f"/p/{scene['post'].id}/flag", data={"reason": SPAM}, headers=HTMX)
    assert response.status_code == 200
    receipt = html(response).select_one("#flag-form")
    assert receipt.has_attr("autofocus") and receipt["role"] == "status"
    assert "your flag went to the circle's facilitators" in receipt.get_text()


def test_a_thread_and_a_member_are_flagged_the_same_way(client, auth, scene):
    auth.login(scene["zelda"])
    thread_url = f"/t/{scene['thread'].id}/flag"
    page = html(client.get(f"/t/{scene['thread'].id}"))
    opening = page.select_one("article.post")  # its Flag flags the thread: its title and opening post
    assert opening.find("a", href=thread_url).get_text() == "Flag" and len(page.find_all("a", href=thread_url)) == 1
    assert html(client.get(thread_url)).find("h1").get_text() == "Flag a thread"
    assert flag(client, thread_url, OTHER, note="Off the circle's purpose.").headers["Location"] == \
        f"/t/{scene['thread'].id}"

    member_url = f"/c/{scene['circle'].slug}/members/{scene['target'].id}/flag"
    roster = html(client.get(f"/c/{scene['circle'].slug}/members"))
    assert roster.find("a", href=member_url)["aria-label"] == "Flag Member"
    assert html(client.get(member_url)).find("h1").get_text() == "Flag a member"
    response = flag(client, member_url, "unkind")
    assert response.headers["Location"].startswith(f"/c/{scene['circle'].slug}/members")
    assert [f.reason for f in flags_of("thread", scene["thread"].id)] == [OTHER]
    assert [f.reason for f in flags_of("member", scene["target"].id)] == ["unkind"]
    assert {n.text.split(".")[0] for n in notices_of(scene["zelda"], "flag_received")} == {
        "You flagged the thread “Week 3”", "You flagged Member"}


def test_without_numbered_points_the_code_of_conduct_is_cited_as_a_whole(client, auth, scene):
    with db.database.connection_context():
        Circle.update(conduct="Be kind, and stay on topic.").where(Circle.id == scene["circle"].id).execute()
    auth.login(scene["zelda"])
    url = f"/p/{scene['post'].id}/flag"
    assert html(client.get(url)).select_one("select[name=conduct_point]") is None
    assert flag(client, url, CONDUCT).status_code == 303
    assert [(f.reason, f.conduct_point) for f in flags_of("post", scene["post"].id)] == [(CONDUCT, None)]


# ---- what a flag needs ---------------------------------------------------------------------------

@pytest.mark.parametrize("fields, message", [
    ({}, "Choose why you are flagging it."),
    ({"reason": "nonsense"}, "Not a valid choice."),
    ({"reason": OTHER, "note": "   "}, "Say in a few words what is wrong"),
    ({"reason": OTHER, "note": "x" * 501}, "Keep it to 500 characters or fewer."),
    ({"reason": CONDUCT}, "Choose which point of the code of conduct it breaks."),
    ({"reason": CONDUCT, "conduct_point": "9"}, "Choose which point of the code of conduct it breaks."),
])
def test_an_incomplete_flag_comes_back_with_what_was_chosen_and_why(client, auth, scene, fields, message):
    auth.login(scene["zelda"])
    response = client.post(f"/p/{scene['post'].id}/flag", data=fields)
    assert response.status_code == 422
    page = html(response)
    assert message in page.select_one(".field-error").get_text()
    if fields.get("reason") in (OTHER, CONDUCT):
        assert page.select_one(f"input[name=reason][value={fields['reason']}]").has_attr("checked")
    assert flags_of("post", scene["post"].id) == []


# ---- refusals ------------------------------------------------------------------------------------

def test_one_flag_per_person_per_item(client, auth, scene):
    url = f"/p/{scene['post'].id}/flag"
    auth.login(scene["zelda"])
    assert flag(client, url).status_code == 303
    again = flag(client, url, OTHER, note="Once more.")
    assert again.status_code == 409 and "You flagged it already" in message_of(again)
    page = html(client.get(url))
    assert page.find("form", action=url) is None and "You flagged this already" in page.get_text()
    assert len(flags_of("post", scene["post"].id)) == 1


def test_the_same_flag_sent_twice_at_once_is_stored_once(scene, app):
    from learncircle.moderation import flags, targets

    with app.test_request_context(), db.database.connection_context():
        item = targets.load("post", scene["post"].id)
        flags.flag(item, scene["zelda"], SPAM)
        with pytest.raises(flags.Refused) as refused:
            flags.flag(targets.load("post", scene["post"].id), scene["zelda"], SPAM)
    assert refused.value.reason == flags.Refused.ALREADY and len(flags_of("post", scene["post"].id)) == 1


def test_nobody_flags_their_own_post_thread_or_self(client, auth, scene):
    auth.login(scene[MEMBER])
    assert html(client.get(f"/t/{scene['thread'].id}")).find("a", href=f"/p/{scene['post'].id}/flag") is None
    own = client.get(f"/p/{scene['post'].id}/flag")
    assert own.status_code == 403 and "You cannot flag what you wrote" in message_of(own)
    assert flag(client, f"/c/{scene['circle'].slug}/members/{scene['target'].id}/flag").status_code == 403
    auth.login(scene[OWNER])
    assert flag(client, f"/t/{scene['thread'].id}/flag").status_code == 403
    assert flags_of("post", scene["post"].id) == [] and flags_of("thread", scene["thread"].id) == []


def test_a_deleted_or_hidden_post_is_not_flagged(client, auth, scene):
    with db.database.connection_context():
        hidden = scene["thread"].reply(author=scene[MEMBER], body="Hidden by a facilitator.")
        hidden.hide(scene[FACILITATOR], "Off topic.")
        Post.get_by_id(scene["post"].id).soft_delete()
    auth.login(scene["zelda"])
    gone = flag(client, f"/p/{scene['post'].id}/flag")
    assert gone.status_code == 409 and "It was deleted" in message_of(gone)
    already = client.get(f"/p/{hidden.id}/flag")
    assert already.status_code == 409 and "It is hidden from the circle already" in message_of(already)
    page = html(client.get(f"/t/{scene['thread'].id}"))
    assert page.find("a", href=f"/p/{hidden.id}/flag") is None
    assert page.find("a", href=f"/p/{scene['post'].id}/flag") is None


def test_only_members_flag(client, auth, scene, roles):
    auth.login(scene["outsider"])
    refused = client.get(f"/p/{scene['post'].id}/flag")
    assert refused.status_code == 403 and "Only the members of a circle can flag" in message_of(refused)
    assert html(client.get(f"/t/{scene['thread'].id}")).find("a", string="Flag") is None
    auth.logout()
    assert "/login" in client.get(f"/p/{scene['post'].id}/flag").headers["Location"]


def test_a_private_circles_posts_do_not_exist_for_outsiders(client, auth, make_user, make_circle, add_member):
    owner, member, outsider = make_user("prv_owner"), make_user("prv_member"), make_user("prv_outsider")
    circle = make_circle(owner, name="Quiet Circle", visibility=PRIVATE)
    add_member(circle, member)
    with db.database.connection_context():
        post = Thread.start(circle=circle, author=member, title="Private", kind="discussion", body="Hi").reply(
            author=member, body="Mine")
    auth.login(outsider)
    for url in (f"/p/{post.id}/flag", f"/t/{post.thread_id}/flag", "/p/999999/flag"):
        assert client.get(url).status_code == 404, url
        assert flag(client, url).status_code == 404, url


def test_a_suspended_member_is_told_until_when_they_cannot_flag(client, auth, scene):
    until = clock.now() + dt.timedelta(days=3)
    with db.database.connection_context():
        Membership.update(suspended_until=until, suspended_reason="Insults in week 2.").where(
            Membership.user == scene["zelda"].id).execute()
    auth.login(scene["zelda"])
    refused = flag(client, f"/p/{scene['post'].id}/flag")
    assert refused.status_code == 403
    assert "You are suspended from this circle" in message_of(refused)
    assert "Insults in week 2." in message_of(refused)
    assert html(client.get(f"/t/{scene['thread'].id}")).find("a", string="Flag") is None
    assert flags_of("post", scene["post"].id) == []


# ---- rate limit ----------------------------------------------------------------------------------

@pytest.fixture
def limited_app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'flags.sqlite3'}",
                      "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
                      "FLAG_LIMIT": "2 per hour"})
    db.upgrade()
    yield app
    db.close_all()


def test_flags_are_rate_limited_with_a_clear_message(limited_app):
    from learncircle.accounts.models import User
    from tests.conftest import Auth

    with db.database.connection_context():
        owner = User.register(username="lim_owner", email="o@example.org", password="password123")
        flagger = User.register(username="lim_flagger", email="f@example.org", password="password123")
        circle = Circle.found(owner=owner, name="Limits", slug="limits", purpose="Limits.", visibility=PUBLIC)
        Membership.join(user=flagger, circle=circle)
        thread = Thread.start(circle=circle, author=owner, title="Many", kind="discussion", body="One")
        posts = [thread.reply(author=owner, body=f"Reply {n}") for n in range(3)]
    client = limited_app.test_client()
    Auth(client).login(flagger)
    assert flag(client, f"/p/{posts[0].id}/flag", OTHER).status_code == 422  # refused forms cost nothing
    assert flag(client, f"/p/{posts[0].id}/flag").status_code == 303
    assert flag(client, f"/p/{posts[1].id}/flag").status_code == 303
    over = flag(client, f"/p/{posts[2].id}/flag", OTHER, note="Typed with care.")
    assert over.status_code == 429
    page = html(over)
    assert "You have sent many flags in a short time" in page.get_text()
    assert page.select_one("input[name=reason][value=other]").has_attr("checked")
    assert "Typed with care." in page.find("textarea", {"name": "note"}).get_text()
    short = client.post(f"/p/{posts[2].id}/flag", data={"reason": SPAM}, headers=HTMX)
    assert short.status_code == 429 and "You have sent many flags" in short.get_data(as_text=True)


def test_flags_work_with_csrf_protection_on(csrf_app, client, auth, scene):
    """The flag page's form carries the token; a POST without it is refused, with it stored."""
    auth.login(scene["zelda"])
    url = f"/p/{scene['post'].id}/flag"
    form = html(client.get(url)).find("form", action=url)
    token = form.find("input", {"name": "csrf_token"})["value"]
    assert client.post(url, data={"reason": SPAM}).status_code == 400
    assert client.post(url, data={"reason": SPAM, "csrf_token": token}).status_code == 303
    assert len(flags_of("post", scene["post"].id)) == 1
