"""Helpers for the browser tests: acting like a person in a page, and listening for script errors."""
import re

from playwright.sync_api import expect


class ConsoleErrors:
    """Collect console errors and uncaught exceptions of watched pages (a CSP violation shows up here too)."""

    def __init__(self):
        self.messages = []

    def watch(self, page, who):
        """Listen to page, naming its messages after who is using it."""
        page.on("console", lambda message: self._console(who, message))
        page.on("pageerror", lambda error: self.messages.append(f"{who}: uncaught {error}"))
        return page

    def _console(self, who, message):
        if message.type == "error":
            self.messages.append(f"{who}: {message.text} ({message.location.get('url', '')})")


def fill_account_form(page, *, username, email, password, display_name):
    """Fill the new-account fields shared by first-run setup and registration."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill(display_name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)


def log_in(page, base_url, *, login, password):
    """Sign in through the login form and wait for the start page."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Username or email").fill(login)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My circles")).to_be_visible()


def mark_page(page, selector):
    """Tag the window and one element so a later check can tell whether either was replaced."""
    page.evaluate("window.__marker = 1")
    page.locator(selector).evaluate("element => { element.__marker = 1; }")


def expect_same_page(page, selector, url):
    """Assert no navigation happened since mark_page: same window, same element, same address."""
    assert page.evaluate("window.__marker") == 1, "the page was loaded again"
    assert page.locator(selector).evaluate("element => element.__marker") == 1, "the element was replaced"
    assert page.url == url


def post_id_from(locator):
    """The numeric id of a post element (id="post-42")."""
    return int(re.fullmatch(r"post-(\d+)", locator.get_attribute("id")).group(1))
