"""Unread posts in real Chromium: a member who read a long thread's first page follows "new posts" from the
circle's list and lands on the second page at the first post they had not seen, scrolled into view."""
import pytest
from playwright.sync_api import expect

from learncircle import db
from learncircle.accounts.models import User
from learncircle.circles.models import PUBLIC, Circle, Membership
from learncircle.discussions.models import POSTS_PER_PAGE, Post, Thread

from .browser_helpers import ConsoleErrors, log_in
from .conftest import PASSWORD

pytestmark = pytest.mark.browser

ACTION_TIMEOUT_MS = 10_000


@pytest.fixture
def long_thread(live_server):
    """Ada's thread with a first page Grace has read; then 12 more posts by Ada."""
    base = live_server.config["LIVE_URL"]
    with db.database.connection_context():
        ada, grace = (User.register(username=name, email=f"{name}@example.org", password=PASSWORD,
                                    display_name=name.title()) for name in ("ada", "grace"))
        circle = Circle.found(owner=ada, name="Rust Study Group", slug="rust", visibility=PUBLIC,
                              purpose="Learn Rust together.", goals="")
        Membership.join(user=grace, circle=circle)
        thread = Thread.start(circle=circle, author=ada, title="Weekly log", kind="discussion", body="Week 1.")
        for n in range(2, POSTS_PER_PAGE + 1):
            thread.reply(author=ada, body=f"Entry {n}.\n\n" + "Some notes on the week. " * 20)
    return {"base": base, "circle": circle.slug, "thread": thread.id, "ada": ada}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_new_posts_lead_to_the_first_unread_post(browser, long_thread, javascript):
    base = long_thread["base"]
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 800, "height": 600})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    errors = ConsoleErrors()
    page = errors.watch(context.new_page(), "grace")
    log_in(page, base, login="grace", password=PASSWORD)
    page.goto(f"{base}/t/{long_thread['thread']}")  # grace reads page one: posts 1 to 50
    expect(page.locator("article.post")).to_have_count(POSTS_PER_PAGE)

    with db.database.connection_context():
        thread = Thread.get_by_id(long_thread["thread"])
        for n in range(12):
            thread.reply(author=long_thread["ada"], body=f"Later entry {n}.")
        first_new = Post.get((Post.thread == thread.id) & (Post.number == POSTS_PER_PAGE + 1))

    page.goto(f"{base}/c/{long_thread['circle']}")
    row = page.locator(f"#thread-{long_thread['thread']}")
    row.get_by_role("link", name="12 new posts").click()

    expect(page).to_have_url(f"{base}/t/{long_thread['thread']}?page=2#post-{first_new.id}")
    target = page.locator(f"#post-{first_new.id}")
    expect(target).to_contain_text("Later entry 0.")
    expect(target).to_be_in_viewport()
    expect(page.locator("#first-new")).to_have_text("New since your last visit")

    page.goto(f"{base}/c/{long_thread['circle']}")  # read now: nothing new
    expect(row.locator("a.new")).to_have_count(0)
    assert errors.messages == []
