"""Marking a reply as a question's answer in real Chromium: with JavaScript (htmx swaps the reply's button,
the answer box and the badges in place, and the focus stays on the reply's button) and without (a form post
and a redirect to the reply)."""
import re

import pytest
from playwright.sync_api import expect

from learncircle import db
from learncircle.accounts.models import User
from learncircle.circles.models import PUBLIC, Circle, Membership
from learncircle.discussions.models import QUESTION, Thread

from .browser_helpers import ConsoleErrors, expect_same_page, log_in, mark_page
from .conftest import PASSWORD

pytestmark = pytest.mark.browser

ACTION_TIMEOUT_MS = 10_000


@pytest.fixture
def question(live_server):
    """Grace asks; Ada and Linus reply."""
    base = live_server.config["LIVE_URL"]
    with db.database.connection_context():
        people = {name: User.register(username=name, email=f"{name}@example.org", password=PASSWORD,
                                      display_name=name.title()) for name in ("ada", "grace", "linus")}
        circle = Circle.found(owner=people["ada"], name="Rust Study Group", slug="rust", visibility=PUBLIC,
                              purpose="Learn Rust together.", goals="")
        for name in ("grace", "linus"):
            Membership.join(user=people[name], circle=circle)
        thread = Thread.start(circle=circle, author=people["grace"], title="How do I read a big file?",
                              kind=QUESTION, body="`read_to_string` runs out of memory.")
        first = thread.reply(author=people["ada"], body="Wrap the file in a **BufReader** and call `lines()`.")
        second = thread.reply(author=people["linus"], body="Or memory-map it.")
    return {"base": base, "url": f"{base}/t/{thread.id}", "thread": thread.id, "first": first.id,
            "second": second.id}


def test_marking_an_answer_with_javascript(browser, question):
    base, url = question["base"], question["url"]
    context = browser.new_context()
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    errors = ConsoleErrors()
    page = errors.watch(context.new_page(), "grace")
    log_in(page, base, login="grace", password=PASSWORD)
    page.goto(url)
    replies = f"#thread-{question['thread']}-replies"
    mark_page(page, replies)
    first, second = page.locator(f"#post-{question['first']}"), page.locator(f"#post-{question['second']}")

    first.get_by_role("button", name="Mark as answer").click()
    expect(first.locator(".accepted-mark")).to_have_text(re.compile("Accepted answer"))
    expect(first.get_by_role("button", name="Clear answer")).to_be_focused()
    expect(second.locator(".answer-line").get_by_role("button")).to_have_text("Mark as answer instead")
    box = page.locator(f"#thread-{question['thread']}-answer .answer-box")
    expect(box).to_contain_text("by Ada")
    expect(box).to_contain_text("Wrap the file in a BufReader and call lines().")
    expect(page.locator(f"#thread-{question['thread']}-badges .badge")).to_have_text(["question", "answered"])
    expect_same_page(page, replies, url)  # no page load

    second.get_by_role("button", name="Mark as answer instead").click()
    expect(second.get_by_role("button", name="Clear answer")).to_be_focused()
    expect(first.locator(".accepted-mark")).to_have_count(0)
    expect(first.locator(".answer-line").get_by_role("button")).to_have_text("Mark as answer instead")
    expect(box).to_contain_text("by Linus")

    box.get_by_role("link", name="Read the whole answer").click()
    expect(page).to_have_url(f"{url}#post-{question['second']}")

    second.get_by_role("button", name="Clear answer").click()
    expect(second.get_by_role("button", name="Mark as answer")).to_be_focused()
    expect(page.locator(f"#thread-{question['thread']}-answer")).to_contain_text(
        "No reply is marked as the answer now.")
    expect(page.locator(f"#thread-{question['thread']}-badges .badge")).to_have_text(["question", "unanswered"])
    assert errors.messages == []
    context.close()


def test_marking_an_answer_without_javascript(browser, question):
    base, url = question["base"], question["url"]
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    log_in(page, base, login="grace", password=PASSWORD)
    page.goto(url)

    page.locator(f"#post-{question['first']}").get_by_role("button", name="Mark as answer").click()
    expect(page).to_have_url(re.compile(rf"/t/{question['thread']}\?page=1#post-{question['first']}$"))
    expect(page.locator("#notices")).to_contain_text("You marked this reply as the answer.")
    first = page.locator(f"#post-{question['first']}")
    expect(first.locator(".accepted-mark")).to_have_text(re.compile("Accepted answer"))
    expect(page.locator(".answer-box")).to_contain_text("by Ada")
    expect(page.locator(f"#thread-{question['thread']}-badges .badge")).to_have_text(["question", "answered"])

    first.get_by_role("button", name="Clear answer").click()
    expect(page.locator(".answer-box")).to_have_count(0)
    expect(page.locator(f"#post-{question['first']} .answer-line").get_by_role("button")).to_have_text("Mark as answer")
    assert page.locator(".accepted-mark").count() == 0
    context.close()
