"""The review queue of a circle: every item with open flags, grouped per item and oldest first, with its flags
summed up (never who flagged), its text even when hidden, and its author's history in the circle; hidden items
whose author asked for another look; for the circle's facilitators and owner and the instance admin only. A
facilitator of one circle has no power in another, and a private circle's queue does not exist for outsiders."""
import pytest

from learncircle import clock, db
from learncircle.circles.models import PRIVATE, PUBLIC
from learncircle.discussions.models import Thread
from learncircle.moderation import queue
from tests.helpers import html
from tests.moderation_scene import REASON, SPAM, act, build, flag, post_now


@pytest.fixture
def scene(app, make_user, make_circle, add_member):
    return build(make_user, make_circle, add_member)


def queue_page(client, scene, **args):
    return client.get(f"/c/{scene.circle.slug}/moderation", query_string=args)


def cards(page):
    return page.select("#queue article.card")


def test_flagged_items_are_grouped_oldest_first_with_their_flags_summed_up(client, auth, scene, frozen_clock):
    assert flag(client, auth, scene.ana, scene.other, reason="off_topic").status_code == 303
    clock.advance(minutes=5)
    auth.login(scene.ana)
    assert client.post(f"/p/{scene.post.id}/flag", data={"reason": "conduct", "conduct_point": "5",
                                                          "note": "It sells essays."}).status_code == 303
    clock.advance(minutes=5)
    auth.login(scene.ben)
    assert client.post(f"/p/{scene.post.id}/flag", data={"reason": "conduct", "conduct_point": "5",
                                                          "note": "Spam again."}).status_code == 303
    auth.login(scene.facilitator)
    page = html(queue_page(client, scene))
    first, second = cards(page)
    assert first["id"] == f"queue-post-{scene.other.id}" and second["id"] == f"queue-post-{scene.post.id}"
    text = second.get_text(" ", strip=True)
    assert "2 open flags" in text and "Breaks the code of conduct: 2" in text
    assert "5. No harassment, discrimination or spam." in text  # the point cited, as the code says it
    assert "“It sells essays.”" in text and "“Spam again.”" in text
    assert SPAM in text and "hidden by members' flags" in text  # the text, although hidden
    assert second.find("a", href=f"/p/{scene.post.id}") is not None
    assert scene.ana.display_name not in page.get_text() and scene.ana.username not in str(page)
    assert scene.ben.display_name not in str(second) and scene.ben.username not in str(second)  # Ben wrote the other


def test_the_authors_history_in_the_circle(client, auth, scene, frozen_clock):
    auth.login(scene.facilitator)
    with db.database.connection_context():
        earlier = scene.thread.reply(author=scene.cai, body="Another offer.")
    act(client, scene, "post", earlier.id, "hidden")
    act(client, scene, "post", earlier.id, "warned")
    act(client, scene, "post", earlier.id, "suspended", period="1d")
    flag(client, auth, scene.ana, scene.post)
    auth.login(scene.facilitator)
    history = cards(html(queue_page(client, scene)))[0].select_one("dl.counts")
    said = {dt.get_text(strip=True): dd.get_text(" ", strip=True) for dt, dd in
            zip(history.find_all("dt"), history.find_all("dd"))}
    assert said["Posts"] == "3" and said["Hidden by moderators"] == "1" and said["Deleted by moderators"] == "0"
    assert said["Warnings"] == "1" and said["Suspensions"] == "1"
    assert said["Member since"]
    assert "Suspended until" in cards(html(queue_page(client, scene)))[0].get_text()


def test_a_hidden_item_whose_author_asks_for_another_look_comes_back_to_the_queue(client, auth, scene):
    auth.login(scene.facilitator)
    act(client, scene, "post", scene.post.id, "hidden")
    assert cards(html(queue_page(client, scene))) == []
    auth.login(scene.cai)
    assert client.post(f"/p/{scene.post.id}/another-look").status_code == 303
    auth.login(scene.facilitator)
    (card,) = cards(html(queue_page(client, scene)))
    assert card["id"] == f"queue-post-{scene.post.id}" and "asked for another look" in card.get_text()
    act(client, scene, "post", scene.post.id, "kept", reason="Fair enough: it was a joke.")
    assert post_now(scene.post).hidden_at is None
    assert cards(html(queue_page(client, scene))) == []


def test_an_item_leaves_the_queue_once_acted_on_and_the_queue_says_nothing_waits(client, auth, scene):
    flag(client, auth, scene.ana, scene.post)
    auth.login(scene.facilitator)
    assert len(cards(html(queue_page(client, scene)))) == 1
    act(client, scene, "post", scene.post.id, "kept")
    page = html(queue_page(client, scene))
    assert cards(page) == [] and "Nothing waits for review." in page.get_text()


def test_the_queue_is_paginated(client, auth, scene, frozen_clock):
    with db.database.connection_context():
        posts = [scene.thread.reply(author=scene.cai, body=f"Offer {n}.") for n in range(queue.PER_PAGE + 1)]
    for post in posts:
        clock.advance(seconds=1)
        flag(client, auth, scene.ana, post)
    auth.login(scene.facilitator)
    first = html(queue_page(client, scene))
    assert len(cards(first)) == queue.PER_PAGE and first.find("a", rel="next") is not None
    second = html(queue_page(client, scene, page=2))
    assert [card["id"] for card in cards(second)] == [f"queue-post-{posts[-1].id}"]
    assert queue_page(client, scene, page="x").status_code == 404


def test_flags_of_a_member_and_a_thread_are_listed_too(client, auth, scene):
    auth.login(scene.ana)
    assert client.post(f"/c/{scene.circle.slug}/members/{scene.membership.id}/flag",
                       data={"reason": "other", "note": "Messages me essay offers."}).status_code == 303
    assert client.post(f"/t/{scene.cais_thread.id}/flag", data={"reason": "spam"}).status_code == 303
    auth.login(scene.facilitator)
    ids = [card["id"] for card in cards(html(queue_page(client, scene)))]
    assert ids == [f"queue-member-{scene.membership.id}", f"queue-thread-{scene.cais_thread.id}"]


@pytest.mark.parametrize("who", ["facilitator", "owner", "admin"])
def test_its_moderators_and_the_instance_admin_see_the_queue(client, auth, scene, make_user, who):
    person = make_user("root", is_admin=True) if who == "admin" else getattr(scene, who)
    auth.login(person)
    assert queue_page(client, scene).status_code == 200


def test_members_and_outsiders_do_not(client, auth, scene, make_user):
    auth.login(scene.ana)
    assert queue_page(client, scene).status_code == 403
    auth.login(make_user("otto"))
    assert queue_page(client, scene).status_code == 403
    auth.logout()
    assert queue_page(client, scene).status_code == 302


@pytest.mark.parametrize("visibility, refused", [(PUBLIC, 403), (PRIVATE, 404)])
def test_a_facilitator_of_one_circle_has_no_power_in_another(client, auth, make_user, make_circle, add_member,
                                                             visibility, refused):
    mine = build(make_user, make_circle, add_member)
    theirs = build(make_user, make_circle, add_member, visibility=visibility, prefix="b")
    flag(client, auth, theirs.ana, theirs.post)
    auth.login(theirs.facilitator)
    act(client, theirs, "post", theirs.post.id, "warned")
    with db.database.connection_context():
        from learncircle.moderation.models import LogEntry

        entry = LogEntry.select().where(LogEntry.circle == theirs.circle.id).order_by(LogEntry.id.desc()).get()
    auth.login(mine.facilitator)
    base = f"/c/{theirs.circle.slug}/moderation"
    for url in (base, f"{base}/post/{theirs.post.id}", f"{base}/log/{entry.id}/undo", f"{base}/settings"):
        assert client.get(url).status_code == refused, url
    assert act(client, theirs, "post", theirs.post.id, "hidden").status_code == refused
    assert client.post(f"{base}/log/{entry.id}/undo", data={"reason": "x"}).status_code == refused
    assert post_now(theirs.post).hidden_kind == "flags" or post_now(theirs.post).hidden_at is None
    # Nor through their own circle's address: another circle's item or entry is not found there.
    mine_base = f"/c/{mine.circle.slug}/moderation"
    assert client.get(f"{mine_base}/post/{theirs.post.id}").status_code == 404
    assert client.post(f"{mine_base}/post/{theirs.post.id}", data={"action": "hidden", "reason": REASON}
                       ).status_code == 404
    assert client.post(f"{mine_base}/log/{entry.id}/undo", data={"reason": "x"}).status_code == 404
    missing = "/c/no-such-circle/moderation"
    assert client.get(missing).status_code == 404
    if visibility == PRIVATE:
        assert client.get(f"{base}/log").status_code == 404  # the log too: the circle does not exist for them


def test_a_hidden_thread_in_the_queue_shows_its_title_and_text_to_moderators(client, auth, scene):
    for who in (scene.ana, scene.ben):
        auth.login(who)
        client.post(f"/t/{scene.cais_thread.id}/flag", data={"reason": "spam"})
    with db.database.connection_context():
        assert Thread.get_by_id(scene.cais_thread.id).hidden_kind == "flags"
    auth.login(scene.facilitator)
    (card,) = cards(html(queue_page(client, scene)))
    assert "Essays for sale" in card.get_text() and "Cheap essays, write to me." in card.get_text()


def test_nothing_waits_in_an_empty_circle(client, auth, scene):
    auth.login(scene.owner)
    page = html(queue_page(client, scene))
    assert "Nothing waits for review." in page.get_text()
    assert page.find("a", href=f"/c/{scene.circle.slug}/moderation/log") is not None
    assert page.find("a", href=f"/c/{scene.circle.slug}/moderation/removed") is not None
