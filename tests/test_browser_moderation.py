"""The whole of moderation in real Chromium, once with JavaScript and once without: two members flag a post, it
disappears for everyone, the facilitator restores it from the review queue with a reason, and the moderation
log shows both what the flags did and what the facilitator decided."""
import re

import pytest
from playwright.sync_api import expect

from learncircle import db
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, PUBLIC, Circle, Membership
from learncircle.discussions.models import Post, Thread

from .browser_helpers import ConsoleErrors, log_in
from .conftest import PASSWORD

pytestmark = pytest.mark.browser

ACTION_TIMEOUT_MS = 10_000
OFFER = "I can proofread two essays a week for anyone who asks."
REASON = "An offer of help, not spam."


@pytest.fixture
def scene(live_server):
    """Olga's circle: Fred facilitates; Ana and Ben will flag Cai's offer; Dee only reads."""
    with db.database.connection_context():
        people = {name: User.register(username=name, email=f"{name}@example.org", password=PASSWORD,
                                      display_name=name.title()) for name in ("olga", "fred", "ana", "ben", "cai",
                                                                              "dee")}
        circle = Circle.found(owner=people["olga"], name="Writing Circle", slug="writing", visibility=PUBLIC,
                              purpose="Write and review essays.", goals="")
        for name in ("fred", "ana", "ben", "cai", "dee"):
            Membership.join(user=people[name], circle=circle)
        Membership.update(role=FACILITATOR).where(Membership.user == people["fred"].id).execute()
        thread = Thread.start(circle=circle, author=people["olga"], title="Week 1", kind="discussion",
                              body="What are you writing?")
        post = thread.reply(author=people["cai"], body=OFFER)
    return {"base": live_server.config["LIVE_URL"], "thread": thread.id, "post": post.id, "slug": circle.slug}


def signed_in(browser, scene, username, javascript, errors):
    context = browser.new_context(java_script_enabled=javascript)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = errors.watch(context.new_page(), username)
    log_in(page, scene["base"], login=username, password=PASSWORD)
    return page


def hidden_state(post_id):
    """(hidden_kind, hidden_at) of the post."""
    with db.database.connection_context():
        return Post.select(Post.hidden_kind, Post.hidden_at).where(Post.id == post_id).tuples().get()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_flagged_hidden_restored_and_logged(browser, scene, javascript):
    base, errors = scene["base"], ConsoleErrors()
    thread_url, post = f"{base}/t/{scene['thread']}", f"#post-{scene['post']}"

    for flagger in ("ana", "ben"):
        page = signed_in(browser, scene, flagger, javascript, errors)
        page.goto(thread_url)
        page.locator(post).get_by_role("link", name="Flag").click()
        page.get_by_label("It is spam").check()
        page.get_by_role("button", name="Send the flag").click()
        # The receipt's own words (the form's hint says "nobody else learns" too, before anything is sent).
        expect(page.get_by_text("Thank you: your flag went to the circle's facilitators.")).to_be_visible()
        page.context.close()
    assert hidden_state(scene["post"])[0] == "flags"

    # Gone for everyone but its author and the circle's moderators.
    for reader in ("dee", "ana"):
        page = signed_in(browser, scene, reader, javascript, errors)
        page.goto(thread_url)
        expect(page.locator(post)).to_contain_text("Hidden after members flagged it")
        expect(page.locator(post)).not_to_contain_text(OFFER)
        page.context.close()

    # The facilitator keeps it, from the queue, with a reason.
    fred = signed_in(browser, scene, "fred", javascript, errors)
    fred.goto(f"{base}/c/{scene['slug']}/moderation")
    card = fred.locator(f"#queue-post-{scene['post']}")
    expect(card).to_contain_text(OFFER)
    expect(card).to_contain_text("2 open flags")
    expect(card).not_to_contain_text("Ana")
    expect(card).not_to_contain_text("Ben")
    card.get_by_label("Keep it: dismiss the flags").check()
    card.get_by_label("Reason", exact=True).fill(REASON)
    card.get_by_role("button", name="Do it").click()
    if javascript:
        expect(fred.locator(f"#queue-post-{scene['post']}")).to_contain_text("Kept: its flags are dismissed.")
        expect(fred.locator(f"#queue-post-{scene['post']}")).to_be_focused()
    else:
        expect(fred).to_have_url(re.compile(rf"/c/{scene['slug']}/moderation$"))
        expect(fred.locator("#notices")).to_contain_text("Kept: its flags are dismissed.")
        expect(fred.locator(f"#queue-post-{scene['post']}")).to_have_count(0)
    assert hidden_state(scene["post"])[1] is None
    fred.context.close()

    # Back for everyone, and on the record.
    dee = signed_in(browser, scene, "dee", javascript, errors)
    dee.goto(thread_url)
    expect(dee.locator(post)).to_contain_text(OFFER)
    dee.goto(f"{base}/c/{scene['slug']}")
    dee.get_by_role("link", name="Code of conduct and moderation log").click()
    entries = dee.locator("#log-entries li")
    expect(entries.nth(0)).to_contain_text("Flags dismissed: kept as it is")
    expect(entries.nth(0)).to_contain_text("by a facilitator")
    expect(entries.nth(0)).to_contain_text(REASON)
    expect(entries.nth(1)).to_contain_text("Hidden by members' flags until reviewed")
    expect(dee.locator("#log-entries")).not_to_contain_text("Ana")
    expect(dee.locator("#log-entries")).not_to_contain_text("Ben")
    dee.context.close()
    assert errors.messages == []
