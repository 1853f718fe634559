"""The header's notices count in real Chromium: a mention made while a member's page is open appears in their
count without a reload, and the count does not ask while the tab is hidden."""
import pytest
from playwright.sync_api import expect

from learncircle import db
from learncircle.accounts.models import User
from learncircle.circles.models import PUBLIC, Circle, Membership
from learncircle.discussions.models import Thread

from .browser_helpers import ConsoleErrors, log_in
from .conftest import PASSWORD

pytestmark = pytest.mark.browser

POLL_SECONDS = 1


@pytest.fixture
def circle(live_server):
    live_server.config["NOTICE_POLL_SECONDS"] = POLL_SECONDS  # a minute in production
    base = live_server.config["LIVE_URL"]
    with db.database.connection_context():
        ada, ben = (User.register(username=name, email=f"{name}@example.org", password=PASSWORD,
                                  display_name=name.title()) for name in ("ada", "ben"))
        circle = Circle.found(owner=ada, name="Rust Study Group", slug="rust", visibility=PUBLIC,
                              purpose="Learn Rust together.", goals="")
        Membership.join(user=ben, circle=circle)
        thread = Thread.start(circle=circle, author=ada, title="Ownership puzzles", kind="discussion",
                              body="Post your puzzles here.")
    return {"base": base, "thread": thread.id, "ada": ada}


def test_a_mention_appears_in_the_count_without_a_reload(browser, circle):
    base = circle["base"]
    context = browser.new_context()
    errors = ConsoleErrors()
    page = errors.watch(context.new_page(), "ben")
    log_in(page, base, login="ben", password=PASSWORD)
    page.goto(f"{base}/c/rust")
    expect(page.locator("#notice-count .badge")).to_have_count(0)
    page.evaluate("window.loadedOnce = true")  # gone if the page reloaded
    asked = []  # the browser keeps the count's last answer and asks with its ETag: the server says 304
    page.on("request", lambda request: asked.append(request.header_value("if-none-match"))
            if request.url.endswith("/notices/count") else None)
    page.wait_for_timeout(POLL_SECONDS * 3 * 1000)
    assert len(asked) >= 2 and set(asked[1:]) == {'W/"0-en"'}, asked

    with db.database.connection_context():
        Thread.get_by_id(circle["thread"]).reply(author=circle["ada"], body="@ben what do you make of this one?")

    expect(page.locator("#notice-count .badge")).to_have_text("1 unread", timeout=10_000)
    assert page.evaluate("window.loadedOnce") is True
    page.locator("#notice-count").click()
    expect(page.locator(".notice-item.unread")).to_contain_text("Ada mentioned you in “Ownership puzzles”.")
    assert errors.messages == []


def test_the_count_does_not_ask_while_the_tab_is_hidden(browser, circle):
    base = circle["base"]
    context = browser.new_context()
    page = context.new_page()
    log_in(page, base, login="ben", password=PASSWORD)
    page.goto(f"{base}/c/rust")
    with page.expect_request(lambda request: request.url.endswith("/notices/count")):
        pass  # it asks while visible
    page.evaluate("""() => {
        Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
        window.asked = 0;
        document.body.addEventListener("htmx:beforeSend", (event) => {
            if (event.detail.elt.id === "notice-count") window.asked += 1;
        });
    }""")
    page.wait_for_timeout(POLL_SECONDS * 3 * 1000)
    assert page.evaluate("window.asked") == 0
    page.evaluate("""() => Object.defineProperty(document, "hidden", {configurable: true, get: () => false})""")
    for _ in range(POLL_SECONDS * 5 * 10):  # visible again: it asks within a poll or two
        if page.evaluate("window.asked"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.asked") >= 1
