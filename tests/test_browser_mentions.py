"""Mentions and quotes in real Chromium. With JavaScript: typing "@an" offers the circle's members, the
keyboard or the pointer picks one, and the posted reply links it; "Quote" puts a post's quote into the reply
box in place, keeping what was written. Without JavaScript: the name typed in full is linked once posted,
and "Quote" opens the reply box with the quote in it."""
import re

import pytest
from playwright.sync_api import expect

from learncircle import db
from learncircle.accounts.models import User
from learncircle.circles.models import PUBLIC, Circle, Membership
from learncircle.discussions.models import Thread
from learncircle.notices.models import Notice

from .browser_helpers import ConsoleErrors, expect_same_page, log_in, mark_page
from .conftest import PASSWORD

pytestmark = pytest.mark.browser

ACTION_TIMEOUT_MS = 10_000


@pytest.fixture
def circle(live_server):
    """Ada's circle, with Ana Lima, Anton Berg and Bob Stone; Zed is in none of it. Ana opened a thread."""
    base = live_server.config["LIVE_URL"]
    with db.database.connection_context():
        people = {name: User.register(username=name, email=f"{name}@example.org", password=PASSWORD,
                                      display_name=display)
                  for name, display in (("ada", "Ada Owner"), ("ana", "Ana Lima"), ("anton", "Anton Berg"),
                                        ("bob", "Bob Stone"), ("zed", "Zed Else"))}
        circle = Circle.found(owner=people["ada"], name="Rust Study Group", slug="rust", visibility=PUBLIC,
                              purpose="Learn Rust together.", goals="")
        for name in ("ana", "anton", "bob"):
            Membership.join(user=people[name], circle=circle)
        thread = Thread.start(circle=circle, author=people["ana"], title="Reading a big file",
                              kind="discussion", body="`read_to_string` runs out of memory.")
        first = thread.reply(author=people["anton"], body="Try a **BufReader**.\nIt reads line by line.")
    return {"base": base, "url": f"{base}/t/{thread.id}", "thread": thread.id, "first": first.id,
            "ana": people["ana"].id}


def mentions_of(user_id):
    with db.database.connection_context():
        return list(Notice.select().where((Notice.user == user_id) & (Notice.kind == "mentioned")))


def signed_in(browser, circle, who, javascript=True):
    context = browser.new_context(java_script_enabled=javascript)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    log_in(page, circle["base"], login=who, password=PASSWORD)
    page.goto(circle["url"])
    return context, page


def test_typing_an_at_offers_the_circles_people_and_a_pick_is_linked_once_posted(browser, circle):
    errors = ConsoleErrors()
    context, page = signed_in(browser, circle, "bob")
    errors.watch(page, "bob")
    replies = f"#thread-{circle['thread']}-replies"
    mark_page(page, replies)
    box = page.get_by_label("Your reply")
    box.click()
    box.press_sequentially("Thanks @an")
    options = page.get_by_role("listbox", name="People to mention").get_by_role("option")
    expect(options).to_have_text(["Ana Lima @ana", "Anton Berg @anton"])
    expect(page.get_by_role("status").filter(has_text="2 people to mention")).to_have_count(1)
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    box.press("Enter")
    expect(box).to_have_value("Thanks @ana ")
    expect(page.get_by_role("listbox")).to_have_count(0)

    box.press_sequentially("and @ANT")  # the pointer picks too, and the case typed does not matter
    page.get_by_role("option", name="Anton Berg @anton").click()
    expect(box).to_have_value("Thanks @ana and @anton ")
    expect(box).to_be_focused()
    box.press_sequentially("for the help, @zed")  # not in the circle: nothing is offered
    expect(page.locator(".mentions").get_by_text("Nobody in this circle goes by that name.")).to_be_visible()

    page.get_by_role("button", name="Post reply").click()
    posted = page.locator(f"{replies} article").last
    expect(posted.locator("a.mention")).to_have_text(["@ana", "@anton"])
    expect(posted.get_by_role("link", name="@ana")).to_have_attribute("href", "/u/ana")
    expect(posted).to_contain_text("@zed")
    expect(posted.locator("a", has_text="@zed")).to_have_count(0)
    expect_same_page(page, replies, circle["url"])
    assert len(mentions_of(circle["ana"])) == 1
    assert errors.messages == []
    context.close()


def test_quote_puts_the_post_into_the_reply_box_in_place(browser, circle):
    errors = ConsoleErrors()
    context, page = signed_in(browser, circle, "bob")
    errors.watch(page, "bob")
    replies = f"#thread-{circle['thread']}-replies"
    box = page.get_by_label("Your reply")
    with page.expect_response(re.compile(r"/static/composer\.js")):  # the box's first focus fetches it
        box.fill("Two answers:")
    mark_page(page, replies)
    page.locator(f"#post-{circle['first']}").get_by_role("link", name="Quote").click()
    expect(box).to_have_value(f"Two answers:\n\n> **Anton Berg** [wrote](/p/{circle['first']}):\n>\n"
                              "> Try a **BufReader**.\n> It reads line by line.\n\n")
    expect(box).to_be_focused()
    expect_same_page(page, replies, circle["url"])
    box.press_sequentially("Agreed.")
    page.get_by_role("button", name="Post reply").click()
    quoted = page.locator(f"{replies} article").last.locator("blockquote")
    expect(quoted.get_by_role("link", name="wrote")).to_have_attribute("href", f"/p/{circle['first']}")
    assert errors.messages == []
    context.close()


def test_without_javascript_a_name_typed_in_full_is_linked_and_quote_fills_the_box(browser, circle):
    context, page = signed_in(browser, circle, "bob", javascript=False)
    page.get_by_label("Your reply").fill("Thanks @ana, see above.")
    page.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(re.compile(rf"/t/{circle['thread']}\?page=1#post-\d+$"))
    posted = page.locator("article").last
    expect(posted.get_by_role("link", name="@ana")).to_have_attribute("href", "/u/ana")
    assert len(mentions_of(circle["ana"])) == 1

    page.locator(f"#post-{circle['first']}").get_by_role("link", name="Quote").click()
    expect(page).to_have_url(f"{circle['url']}?quote={circle['first']}#reply-heading")
    expect(page.get_by_label("Your reply")).to_have_value(
        f"> **Anton Berg** [wrote](/p/{circle['first']}):\n>\n> Try a **BufReader**.\n> It reads line by line.\n\n")
    context.close()
