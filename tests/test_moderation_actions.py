"""What a circle's moderators do from the review queue, and its undoing: keep, hide, delete (and restore),
warn (and withdraw), suspend (and lift), remove (and readmit). Each asks for a one-line reason, is written to the
moderation log, closes the item's flags (each flagger told the outcome) and tells whom it concerns; what cannot
be done gets a clear message, never a server error. The thread page's, the board's and the members page's own
moderation buttons are logged too."""
import datetime as dt
import json

import pytest

from learncircle import clock, db
from learncircle.circles.models import Membership
from learncircle.discussions.models import Post, Thread
from learncircle.moderation import retention
from learncircle.moderation.models import Removed
from learncircle.notices.models import Notice
from tests.helpers import html
from tests.moderation_scene import REASON, SPAM, act, build, entries, flag, open_flags, post_now, removed_rows

HTMX = {"HX-Request": "true"}


@pytest.fixture
def scene(app, make_user, make_circle, add_member):
    return build(make_user, make_circle, add_member)


def notices_of(user, kind=None):
    with db.database.connection_context():
        query = Notice.select().where(Notice.user == user.id)
        if kind:
            query = query.where(Notice.kind == kind)
        return list(query.order_by(Notice.id))


def thread_text(client, thread):
    return html(client.get(f"/t/{thread.id}")).get_text(" ", strip=True)


def flagged_and_hidden(client, auth, scene):
    """Ana and Ben flag Cai's post: the circle's threshold (2) hides it."""
    for who in (scene.ana, scene.ben):
        assert flag(client, auth, who, scene.post).status_code == 303
    assert post_now(scene.post).hidden_kind == "flags"


def undo_url(scene, entry):
    return f"/c/{scene.circle.slug}/moderation/log/{entry.id}/undo"


# ---- keep -------------------------------------------------------------------------------------------

def test_keep_dismisses_the_flags_and_shows_what_they_hid(client, auth, scene):
    flagged_and_hidden(client, auth, scene)
    auth.login(scene.facilitator)
    response = act(client, scene, "post", scene.post.id, "kept", reason="Not spam: a real offer to help.")
    assert response.status_code == 303 and response.headers["Location"] == f"/c/{scene.circle.slug}/moderation"
    post = post_now(scene.post)
    assert post.hidden_at is None and post.hidden_kind == ""
    assert open_flags("post", scene.post.id) == 0
    kept = entries(scene.circle)[-1]
    assert (kept.action, kept.actor_role, kept.target_kind, kept.target_id, kept.target_user_id) == (
        "kept", "facilitator", "post", scene.post.id, scene.cai.id)
    for flagger in (scene.ana, scene.ben):
        told = notices_of(flagger, "flag_resolved")
        assert len(told) == 1 and "showed it again" in told[0].text
    assert [n.kind for n in notices_of(scene.cai)][-1] == "content_shown"
    auth.login(scene.ben)
    assert SPAM in thread_text(client, scene.thread)


# ---- hide -------------------------------------------------------------------------------------------

def test_hide_with_a_reason_the_author_reads_and_undo_shows_it_again(client, auth, scene):
    flagged_and_hidden(client, auth, scene)
    auth.login(scene.facilitator)
    assert act(client, scene, "post", scene.post.id, "hidden").status_code == 303
    post = post_now(scene.post)
    assert post.hidden_at is not None and post.hidden_kind == "" and post.hidden_reason == REASON
    assert [n.text for n in notices_of(scene.cai, "post_hidden")] == [
        f"A facilitator hid your post in “Week 1: your drafts”: {REASON}"]
    assert all("hid it" in n.text for n in notices_of(scene.ana, "flag_resolved"))
    auth.login(scene.cai)
    assert REASON in thread_text(client, scene.thread)  # the author reads why

    hidden = entries(scene.circle)[-1]
    assert hidden.action == "hidden"
    auth.login(scene.facilitator)
    page = html(client.get(undo_url(scene, hidden)))
    assert page.find("button", string="Show it again") is not None
    response = client.post(undo_url(scene, hidden), data={"reason": "Cai explained: it was a joke among friends."})
    assert response.status_code == 303
    assert post_now(scene.post).hidden_at is None
    undone = entries(scene.circle)[-1]
    assert (undone.action, undone.reverses_id) == ("unhidden", hidden.id)
    assert notices_of(scene.cai)[-1].kind == "content_shown"
    again = client.post(undo_url(scene, hidden), data={"reason": "Twice."})
    assert again.status_code == 422 and "undone already" in html(again).get_text()


def test_a_thread_is_hidden_as_a_post_is(client, auth, scene):
    auth.login(scene.facilitator)
    assert act(client, scene, "thread", scene.cais_thread.id, "hidden").status_code == 303
    with db.database.connection_context():
        thread = Thread.get_by_id(scene.cais_thread.id)
    assert thread.hidden_at is not None and thread.hidden_reason == REASON
    assert notices_of(scene.cai)[-1].kind == "content_hidden"
    auth.login(scene.ben)
    assert "Essays for sale" not in html(client.get(f"/c/{scene.circle.slug}")).get_text()


# ---- delete and restore -------------------------------------------------------------------------------

def test_delete_keeps_the_original_for_the_owner_who_restores_it(client, auth, scene, frozen_clock):
    flagged_and_hidden(client, auth, scene)
    auth.login(scene.facilitator)
    assert act(client, scene, "post", scene.post.id, "deleted").status_code == 303
    post = post_now(scene.post)
    assert post.body == "" and post.body_html == "" and post.deleted_at is not None and post.hidden_kind == "removed"
    (kept,) = removed_rows(scene.circle)
    assert kept.body == SPAM and kept.author_id == scene.cai.id
    assert kept.purge_after == clock.now() + dt.timedelta(days=90)
    assert notices_of(scene.cai)[-1].kind == "content_removed"
    for who in (scene.ben, scene.cai):
        auth.login(who)
        text = thread_text(client, scene.thread)
        assert "This post was removed by a moderator." in text and SPAM not in text

    deleted = entries(scene.circle)[-1]
    auth.login(scene.facilitator)  # kept for the owner and the instance admins
    assert client.get(f"/c/{scene.circle.slug}/moderation/removed").status_code == 403
    assert client.post(undo_url(scene, deleted), data={"reason": "Mistake."}).status_code == 403
    auth.login(scene.owner)
    page = html(client.get(f"/c/{scene.circle.slug}/moderation/removed"))
    assert SPAM in page.get_text() and page.find("a", href=undo_url(scene, deleted)) is not None
    assert client.post(undo_url(scene, deleted), data={"reason": "It was a fair offer."}).status_code == 303
    post = post_now(scene.post)
    assert post.body == SPAM and SPAM in post.body_html and post.deleted_at is None and post.hidden_kind == ""
    assert removed_rows(scene.circle)[0].restored_at is not None and removed_rows(scene.circle)[0].body == ""
    assert entries(scene.circle)[-1].action == "restored"
    assert notices_of(scene.cai)[-1].kind == "content_restored"


def test_acting_on_what_a_moderator_already_deleted_says_so(client, auth, scene):
    auth.login(scene.facilitator)
    assert act(client, scene, "post", scene.post.id, "deleted").status_code == 303
    for action in ("deleted", "hidden", "kept"):
        response = act(client, scene, "post", scene.post.id, action)
        assert response.status_code == 422
        assert "already deleted" in html(response).select_one("[role=alert]").get_text()
    assert len(removed_rows(scene.circle)) == 1


def test_a_deleted_thread_is_kept_and_restored_whole(client, auth, scene):
    auth.login(scene.owner)
    assert act(client, scene, "thread", scene.cais_thread.id, "deleted").status_code == 303
    with db.database.connection_context():
        thread = Thread.get_by_id(scene.cais_thread.id)
        opening = Post.get((Post.thread == thread.id) & (Post.number == 1))
    assert thread.title == "" and thread.hidden_kind == "removed" and opening.body == ""
    (kept,) = removed_rows(scene.circle)
    assert (kept.title, kept.body) == ("Essays for sale", "Cheap essays, write to me.")
    for who in (scene.cai, scene.facilitator, scene.ben):  # read in its place by nobody, listed for nobody
        auth.login(who)
        gone = client.get(f"/t/{scene.cais_thread.id}")
        assert "The circle's facilitators removed it." in html(gone).get_text()
        assert f"/t/{scene.cais_thread.id}" not in client.get(f"/c/{scene.circle.slug}").get_data(as_text=True)
    auth.login(scene.owner)
    assert client.post(undo_url(scene, entries(scene.circle)[-1]), data={"reason": "Restored."}).status_code == 303
    with db.database.connection_context():
        thread = Thread.get_by_id(scene.cais_thread.id)
        opening = Post.get((Post.thread == thread.id) & (Post.number == 1))
    assert thread.title == "Essays for sale" and thread.hidden_at is None and opening.body.startswith("Cheap")


# ---- warn -------------------------------------------------------------------------------------------

def test_warn_sends_a_private_notice_citing_the_code_and_can_be_withdrawn(client, auth, scene):
    flagged_and_hidden(client, auth, scene)
    auth.login(scene.facilitator)
    assert act(client, scene, "post", scene.post.id, "warned").status_code == 303
    (warning,) = notices_of(scene.cai, "moderation_warning")
    assert REASON in warning.text and "code of conduct" in warning.text
    assert warning.url == f"/c/{scene.circle.slug}/moderation/log#conduct"
    warned = entries(scene.circle)[-1]
    assert (warned.action, warned.target_kind, warned.target_user_id) == ("warned", "member", scene.cai.id)
    assert all("warned its author" in n.text for n in notices_of(scene.ben, "flag_resolved"))
    assert client.post(undo_url(scene, warned), data={"reason": "Sent to the wrong person."}).status_code == 303
    assert notices_of(scene.cai)[-1].kind == "warning_withdrawn"
    assert entries(scene.circle)[-1].action == "warning_withdrawn"


# ---- suspend ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("period, days", [("1d", 1), ("3d", 3), ("7d", 7), ("30d", 30)])
def test_suspend_for_a_period(client, auth, scene, frozen_clock, period, days):
    auth.login(scene.facilitator)
    assert act(client, scene, "post", scene.post.id, "suspended", period=period).status_code == 303
    with db.database.connection_context():
        membership = Membership.of(scene.cai, scene.circle)
    assert membership.suspended_until == clock.now() + dt.timedelta(days=days)
    assert membership.suspended_reason == REASON
    assert entries(scene.circle)[-1].until == membership.suspended_until
    assert notices_of(scene.cai)[-1].kind == "circle_suspension"


def test_suspend_until_a_date_typed_in_the_moderators_zone_and_lift_it(client, auth, scene, frozen_clock,
                                                                       make_user, add_member):
    with db.database.connection_context():
        type(scene.facilitator).update(timezone="Europe/Berlin").where(
            type(scene.facilitator).id == scene.facilitator.id).execute()
    auth.login(scene.facilitator)
    response = act(client, scene, "post", scene.post.id, "suspended", period="date", until="2026-03-10T18:00")
    assert response.status_code == 303
    with db.database.connection_context():
        until = Membership.of(scene.cai, scene.circle).suspended_until
    assert until == dt.datetime(2026, 3, 10, 17, 0)  # 18:00 in Berlin is 17:00 UTC in March
    suspended = entries(scene.circle)[-1]
    assert "Cai Author" in html(client.get(f"/c/{scene.circle.slug}/moderation")).select_one(
        "#suspended-heading").parent.get_text()
    assert client.post(undo_url(scene, suspended), data={"reason": "Cai apologised."}).status_code == 303
    with db.database.connection_context():
        assert Membership.of(scene.cai, scene.circle).suspended_until is None
    assert notices_of(scene.cai)[-1].kind == "suspension_lifted"


@pytest.mark.parametrize("until, message", [("2026-03-01T09:00", "in the past"), ("", "Give the date"),
                                            ("tomorrow", "like 2026-03-20")])
def test_a_suspension_date_in_the_past_or_missing_gets_a_clear_message(client, auth, scene, frozen_clock, until,
                                                                        message):
    auth.login(scene.facilitator)
    response = act(client, scene, "post", scene.post.id, "suspended", period="date", until=until,
                   reason="Three warnings this week.")
    assert response.status_code == 422
    page = html(response)
    field = page.find("input", {"name": "until"})
    assert field["aria-invalid"] == "true" and message in page.get_text()
    assert page.find("input", {"name": "reason"})["value"] == "Three warnings this week."  # kept
    with db.database.connection_context():
        assert Membership.of(scene.cai, scene.circle).suspended_until is None


def test_a_suspension_that_ended_cannot_be_lifted(client, auth, scene, frozen_clock):
    auth.login(scene.facilitator)
    act(client, scene, "post", scene.post.id, "suspended", period="1d")
    clock.advance(days=2)
    response = client.post(undo_url(scene, entries(scene.circle)[-1]), data={"reason": "Late."})
    assert response.status_code == 422 and "over already" in html(response).get_text()


# ---- remove -----------------------------------------------------------------------------------------

def test_remove_the_author_and_readmit_them(client, auth, scene):
    auth.login(scene.facilitator)
    assert act(client, scene, "post", scene.post.id, "removed").status_code == 303
    with db.database.connection_context():
        assert Membership.of(scene.cai, scene.circle) is None
    assert notices_of(scene.cai)[-1].kind == "removed_from_circle"
    removed = entries(scene.circle)[-1]
    assert (removed.action, removed.target_user_id) == ("removed", scene.cai.id)
    assert client.post(undo_url(scene, removed), data={"reason": "Agreed to the code."}).status_code == 303
    with db.database.connection_context():
        assert Membership.of(scene.cai, scene.circle).role == "member"
    again = client.post(undo_url(scene, removed), data={"reason": "Twice."})
    assert again.status_code == 422


def test_the_owner_and_oneself_are_never_warned_suspended_or_removed(client, auth, scene):
    with db.database.connection_context():
        owners_post = scene.thread.reply(author=scene.owner, body="Mine.")
        facilitators_post = scene.thread.reply(author=scene.facilitator, body="Mine too.")
    auth.login(scene.facilitator)
    for action in ("warned", "suspended", "removed"):
        response = act(client, scene, "post", owners_post.id, action, period="1d")
        assert response.status_code == 422 and "owner" in html(response).select_one("[role=alert]").get_text()
        response = act(client, scene, "post", facilitators_post.id, action, period="1d")
        assert response.status_code == 422 and "yourself" in html(response).select_one("[role=alert]").get_text()
    with db.database.connection_context():
        assert Membership.of(scene.owner, scene.circle) is not None


def test_a_member_item_offers_no_hiding_nor_deleting(client, auth, scene):
    auth.login(scene.facilitator)
    url = f"/c/{scene.circle.slug}/moderation/member/{scene.membership.id}"
    choices = {radio["value"] for radio in html(client.get(url)).find_all("input", {"name": "action"})}
    assert choices == {"kept", "warned", "suspended", "removed"}
    response = act(client, scene, "member", scene.membership.id, "deleted")
    assert response.status_code == 422


# ---- every action asks for a reason -------------------------------------------------------------

@pytest.mark.parametrize("action", ["kept", "hidden", "deleted", "warned", "suspended", "removed"])
@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_an_action_without_a_one_line_reason_is_refused_with_the_form_kept(client, auth, scene, action, reason):
    auth.login(scene.facilitator)
    response = act(client, scene, "post", scene.post.id, action, reason=reason, period="1d")
    assert response.status_code == 422
    page = html(response)
    field = page.find("input", {"name": "reason"})
    assert field["aria-invalid"] == "true"
    error = page.find(id=field["aria-describedby"].split()[-1])
    assert "reason" in error.get_text().lower() or "characters" in error.get_text()
    assert page.find("input", {"name": "action", "value": action}).has_attr("checked")
    assert entries(scene.circle) == []


def test_an_htmx_action_swaps_the_card_and_a_refusal_swaps_the_form_back(client, auth, scene):
    auth.login(scene.facilitator)
    refused = client.post(f"/c/{scene.circle.slug}/moderation/post/{scene.post.id}",
                          data={"action": "hidden", "reason": ""}, headers=HTMX)
    assert refused.status_code == 422
    card = html(refused).select_one(f"#queue-post-{scene.post.id}")
    assert card is not None and card.find("input", {"name": "reason"})["aria-invalid"] == "true"
    done = client.post(f"/c/{scene.circle.slug}/moderation/post/{scene.post.id}",
                       data={"action": "hidden", "reason": REASON}, headers=HTMX)
    assert done.status_code == 200
    card = html(done).select_one(f"#queue-post-{scene.post.id}")
    assert card.has_attr("autofocus") and "Hidden, with your reason." in card.get_text()


@pytest.mark.parametrize("junk", [{"action": "explode"}, {"action": "suspended", "period": "forever"},
                                  {"action": "suspended", "period": "date", "until": "9999-99-99T99:99"},
                                  {"action": "suspended", "period": "date", "until": "0001-01-01T00:00"}])
def test_junk_gets_a_clear_message_never_a_server_error(client, auth, scene, junk):
    auth.login(scene.facilitator)
    response = client.post(f"/c/{scene.circle.slug}/moderation/post/{scene.post.id}",
                           data={"reason": REASON, **junk})
    assert response.status_code == 422
    assert html(response).select("[aria-invalid=true]")


# ---- the other pages' moderation buttons are logged too ---------------------------------------------

def test_hiding_and_showing_from_the_thread_page_is_logged_and_closes_flags(client, auth, scene):
    flagged_and_hidden(client, auth, scene)
    auth.login(scene.facilitator)
    assert client.post(f"/p/{scene.post.id}/hide", data={"reason": REASON}).status_code == 303
    assert post_now(scene.post).hidden_kind == ""  # confirmed by a moderator, no longer the flags'
    hidden = entries(scene.circle)[-1]
    assert (hidden.action, hidden.reason, hidden.actor_role) == ("hidden", REASON, "facilitator")
    assert open_flags("post", scene.post.id) == 0
    assert client.post(f"/p/{scene.post.id}/unhide", data={"reason": "Edited well."}).status_code == 303
    shown = entries(scene.circle)[-1]
    assert (shown.action, shown.reverses_id, shown.reason) == ("unhidden", hidden.id, "Edited well.")
    assert post_now(scene.post).hidden_at is None


def test_removing_from_the_members_page_is_logged(client, auth, scene):
    auth.login(scene.owner)
    url = f"/c/{scene.circle.slug}/members/{scene.membership.id}/remove"
    refused = client.post(url)  # no reason: nobody is removed, and the members page says why
    assert refused.status_code == 303 and Membership.of(scene.cai, scene.circle) is not None
    assert "moderation log" in html(client.get(refused.headers["Location"])).select_one(".notice.error").get_text()
    assert client.post(url, data={"reason": "Spam in every thread."}).status_code == 303
    removed = entries(scene.circle)[-1]
    assert (removed.action, removed.actor_role, removed.target_user_id, removed.reason) == (
        "removed", "owner", scene.cai.id, "Spam in every thread.")


def reviewed(world):
    from learncircle.reviews import reviewing
    from tests.fixtures_reviews import assignment_of, review_data, reviewing_round

    round = reviewing_round(world)
    with db.database.connection_context():
        return reviewing.submit_review(assignment_of(round, world["ben"]), review_data(round))


def test_hiding_a_review_from_the_board_is_logged(client, auth, world):
    review = reviewed(world)
    auth.login(world["facilitator"])
    assert client.post(f"/reviews/{review.id}/hide").status_code == 303  # no reason: refused, with the message
    assert entries(world["circle"]) == []
    assert "moderation log" in html(client.get(f"/r/{review.assignment.round_id}/board")).select_one(
        ".flash, .notice, [role=alert]").get_text()
    assert client.post(f"/reviews/{review.id}/hide", data={"reason": "Unkind."}).status_code == 303
    assert client.post(f"/reviews/{review.id}/unhide", data={"reason": "Rewritten."}).status_code == 303
    hidden, shown = entries(world["circle"])
    assert (hidden.reason, shown.reason) == ("Unkind.", "Rewritten.")
    assert (hidden.action, hidden.target_kind, hidden.target_id) == ("hidden", "review", review.id)
    assert (shown.action, shown.reverses_id) == ("unhidden", hidden.id)


def test_a_deleted_review_is_kept_and_restored_whole(client, auth, world):
    from learncircle.reviews.models import CriterionResponse, Review

    review = reviewed(world)
    with db.database.connection_context():
        before = Review.get_by_id(review.id)
        comments = {r.criterion_id: r.comment for r in CriterionResponse.select().where(
            CriterionResponse.review == review.id)}
    circle = world["circle"]
    auth.login(world["owner"])
    url = f"/c/{circle.slug}/moderation/review/{review.id}"
    assert "A review in" in html(client.get(url)).get_text()
    assert client.post(url, data={"action": "deleted", "reason": REASON}).status_code == 303
    with db.database.connection_context():
        blank = Review.get_by_id(review.id)
        assert not any(r.comment for r in CriterionResponse.select().where(CriterionResponse.review == review.id))
    assert (blank.what_works, blank.could_be_better, blank.hidden_kind) == ("", "", "removed")
    assert before.what_works in html(client.get(f"/c/{circle.slug}/moderation/removed")).get_text()
    deleted = entries(circle)[-1]
    undo = f"/c/{circle.slug}/moderation/log/{deleted.id}/undo"
    assert client.post(undo, data={"reason": "Fine."}).status_code == 303
    with db.database.connection_context():
        back = Review.get_by_id(review.id)
        assert {r.criterion_id: r.comment for r in CriterionResponse.select().where(
            CriterionResponse.review == review.id)} == comments
    assert (back.what_works, back.could_be_better, back.hidden_at) == (before.what_works, before.could_be_better, None)


# ---- retention ----------------------------------------------------------------------------------------

def test_what_was_deleted_is_purged_for_good_after_the_retention_period(client, auth, scene, frozen_clock):
    auth.login(scene.owner)
    act(client, scene, "post", scene.post.id, "deleted")
    act(client, scene, "thread", scene.cais_thread.id, "deleted")
    deleted_post = [e for e in entries(scene.circle) if e.target_kind == "post"][-1]
    with db.database.connection_context():
        assert retention.purge(clock.now()) == 0
        clock.advance(days=89, hours=23)
        assert retention.purge(clock.now()) == 0
        clock.advance(hours=1)
        assert retention.purge(clock.now()) == 2
        assert retention.purge(clock.now()) == 0  # twice is harmless
        assert Removed.select().count() == 0
        assert Thread.get_or_none(Thread.id == scene.cais_thread.id) is None  # the removed thread, for good
        assert Post.get_by_id(scene.post.id).hidden_kind == "removed"  # a post keeps its blank place
    auth.login(scene.owner)  # ninety days on: a new session
    response = client.post(undo_url(scene, deleted_post), data={"reason": "Too late."})
    assert response.status_code == 422 and "for good" in html(response).get_text()
    log = html(client.get(f"/c/{scene.circle.slug}/moderation/log")).get_text(" ", strip=True)
    assert "Deleted for good" in log


def test_purge_is_registered_with_housekeeping(app):
    from learncircle import housekeeping

    assert housekeeping._jobs["moderation.purge"] is retention.purge


def test_the_review_json_of_a_deleted_review_round_trips(app):
    row = Removed(target_kind="review", title="Essays", body=json.dumps(
        {"what_works": "Clear.", "could_be_better": "", "comments": {"3": "More sources."}}))
    assert retention.original(row) == ("Essays", ["Clear.", "More sources."])
    assert retention.original(Removed(target_kind="post", title="T", body="")) == ("T", [])
