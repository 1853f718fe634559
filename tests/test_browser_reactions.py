"""Reacting to a post in real Chromium: with JavaScript (htmx swaps the post's reactions bar in place, the
pressed button keeps the focus and says its state and count) and without (the page's one form posts, and the
page comes back at the post); who reacted, opened in place or on a page of its own."""
import re

import pytest
from playwright.sync_api import expect

from learncircle import db
from learncircle.accounts.models import User
from learncircle.circles.models import PUBLIC, Circle, Membership
from learncircle.discussions.models import Post, Thread
from learncircle.discussions.reactions import Reaction

from .browser_helpers import ConsoleErrors, expect_same_page, log_in, mark_page
from .conftest import PASSWORD

pytestmark = pytest.mark.browser

ACTION_TIMEOUT_MS = 10_000


@pytest.fixture
def thread(live_server):
    """Grace asks for reading tips; Ada replies."""
    base = live_server.config["LIVE_URL"]
    with db.database.connection_context():
        people = {name: User.register(username=name, email=f"{name}@example.org", password=PASSWORD,
                                      display_name=name.title()) for name in ("ada", "grace", "linus")}
        circle = Circle.found(owner=people["ada"], name="Rust Study Group", slug="rust", visibility=PUBLIC,
                              purpose="Learn Rust together.", goals="")
        for name in ("grace", "linus"):
            Membership.join(user=people[name], circle=circle)
        started = Thread.start(circle=circle, author=people["grace"], title="Reading tips", kind="discussion",
                               body="How do you read the book?")
        reply = started.reply(author=people["ada"], body="One chapter, then one exercise.")
        opening = Post.get((Post.thread == started.id) & (Post.number == 1))
    return {"base": base, "url": f"{base}/t/{started.id}", "thread": started.id, "opening": opening.id,
            "reply": reply.id}


def reactions_to(post_id):
    with db.database.connection_context():
        return sorted((r.user.username, r.kind) for r in Reaction.select().where(Reaction.post == post_id))


def test_reacting_with_javascript(browser, thread):
    base, url = thread["base"], thread["url"]
    context = browser.new_context()
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    errors = ConsoleErrors()
    page = errors.watch(context.new_page(), "linus")
    log_in(page, base, login="linus", password=PASSWORD)
    page.goto(url)
    replies = f"#thread-{thread['thread']}-replies"
    mark_page(page, replies)
    reply = page.locator(f"#post-{thread['reply']}")
    helpful = reply.get_by_role("button", name=re.compile("^Helpful"))
    thanks = reply.get_by_role("button", name=re.compile("^Thanks"))
    expect(helpful).to_have_attribute("aria-pressed", "false")

    helpful.click()
    expect(helpful).to_have_attribute("aria-pressed", "true")
    expect(helpful).to_have_accessible_name("Helpful 1")
    expect(helpful).to_be_focused()
    thanks.click()
    expect(thanks).to_have_attribute("aria-pressed", "true")
    expect(thanks).to_have_accessible_name("Thanks 1")
    expect(thanks).to_be_focused()
    helpful.click()  # and back
    expect(helpful).to_have_attribute("aria-pressed", "false")
    expect(helpful).to_have_accessible_name("Helpful")
    expect_same_page(page, replies, url)  # no page load
    assert reactions_to(thread["reply"]) == [("linus", "thanks")]

    reply.locator("details summary").click()  # who reacted, loaded into the post when opened
    expect(reply.locator("details dl")).to_contain_text("Linus")
    expect(reply.locator("details").get_by_role("link", name="Linus")).to_have_attribute("href", "/u/linus")
    assert errors.messages == []
    context.close()


def test_nobody_reacts_to_their_own_post(browser, thread):
    context = browser.new_context()
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    log_in(page, thread["base"], login="ada", password=PASSWORD)
    page.goto(thread["url"])
    expect(page.locator(f"#post-{thread['opening']}").get_by_role("button", name=re.compile("^Helpful"))) \
        .to_have_count(1)
    expect(page.locator(f"#post-{thread['reply']} .reactions")).to_have_count(0)  # Ada's own: no buttons
    assert page.locator(f"#post-{thread['reply']} button[form=react]").count() == 0
    context.close()


def test_reacting_without_javascript(browser, thread):
    base, url = thread["base"], thread["url"]
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    log_in(page, base, login="linus", password=PASSWORD)
    page.goto(url)

    page.locator(f"#post-{thread['reply']}").get_by_role("button", name=re.compile("^Thanks")).click()
    expect(page).to_have_url(re.compile(rf"/t/{thread['thread']}\?page=1#post-{thread['reply']}$"))
    thanks = page.locator(f"#post-{thread['reply']}").get_by_role("button", name=re.compile("^Thanks"))
    expect(thanks).to_have_attribute("aria-pressed", "true")
    expect(thanks).to_have_accessible_name("Thanks 1")
    assert reactions_to(thread["reply"]) == [("linus", "thanks")]

    reply = page.locator(f"#post-{thread['reply']}")
    reply.locator("details summary").click()
    reply.get_by_role("link", name="See who reacted").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reading tips")
    expect(page.locator("dl.who-reacted")).to_contain_text("Said thanks")
    expect(page.locator("dl.who-reacted").get_by_role("link", name="Linus")).to_have_attribute("href", "/u/linus")
    page.get_by_role("link", name="Back to the post").click()
    expect(page).to_have_url(re.compile(rf"#post-{thread['reply']}$"))

    page.locator(f"#post-{thread['reply']}").get_by_role("button", name=re.compile("^Thanks")).click()
    expect(page.locator(f"#post-{thread['reply']}").get_by_role("button", name=re.compile("^Thanks"))) \
        .to_have_attribute("aria-pressed", "false")
    assert reactions_to(thread["reply"]) == []
    context.close()
