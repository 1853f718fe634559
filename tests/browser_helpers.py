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


# ---- accessibility ------------------------------------------------------------------------------

# axe-core's rules for WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2 AA adds the 24 px target size).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
               "resultTypes": ["violations"]}
FAILING_IMPACTS = {"serious", "critical"}
# Widths a page must fit without scrolling sideways: a small phone, and a laptop zoomed to 200 %.
NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 800}

# What sticks out past the right edge of the page, outside any container that scrolls on its own.
_OVERFLOW_JS = """() => {
  const limit = document.documentElement.clientWidth, wide = [];
  const scrollsAlone = el => { for (let e = el.parentElement; e; e = e.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) return true; } return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > limit + 1 && !scrollsAlone(el)) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : '')
                + ' ' + Math.round(box.right) + 'px');
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth, wide: wide.slice(0, 5)};
}"""


class Accessibility:
    """axe-core (from the axe-playwright-python package) and a reflow check, run on page after page.

    Every problem is collected rather than raised, so one run names all of them; `problems` lists
    each serious or critical axe violation and each page state that scrolls sideways."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe
        self._axe = Axe()
        self.problems = []
        self.states = []

    def check(self, page, state):
        """Check page as it is now: axe at the page's current width, then the reflow at 320 px and
        with the text at 200 % (the size of a laptop's page zoomed to 200 %)."""
        self.states.append(state)
        self.axe(page, state)
        self.reflow(page, state)

    def axe(self, page, state):
        results = self._axe.run(page, options=AXE_OPTIONS).response
        for violation in results["violations"]:
            if violation["impact"] in FAILING_IMPACTS:
                targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:4])
                self.problems.append(f"{state}: axe {violation['id']} ({violation['impact']}): "
                                     f"{violation['help']} — {targets}")

    def reflow(self, page, state):
        size = page.viewport_size
        try:
            page.set_viewport_size(NARROW)
            self._fits(page, f"{state} at 320 px")
            page.set_viewport_size(WIDE)
            page.evaluate("document.documentElement.style.fontSize = '200%'")
            self._fits(page, f"{state} with text at 200 %")
        finally:
            page.evaluate("document.documentElement.style.fontSize = ''")
            page.set_viewport_size(size)

    def _fits(self, page, state):
        measured = page.evaluate(_OVERFLOW_JS)
        if measured["scrollWidth"] > measured["innerWidth"]:
            self.problems.append(f"{state}: scrolls sideways ({measured['scrollWidth']} px wide): "
                                 + ", ".join(measured["wide"]))


_FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {element: 'body', visible: false};
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow !== 'none';
  const words = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40);
  return {element: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + words,
          visible: (outline || shadow) && box.width > 0 && box.height > 0};
}"""


def focused(page):
    """What has the focus ({element, visible}): visible means it shows a focus indicator (an outline of
    2 px or more, or a box shadow) and takes up room on the page."""
    return page.evaluate(_FOCUS_JS)


MAX_PRESSES = 80  # Tab presses to reach a control before a test gives up
FOCUS_TIMEOUT_MS = 10_000


class Keyboard:
    """A person at the keyboard of page: they can only press keys and type, and they must see the focus."""

    def __init__(self, page):
        self.page = page
        self.presses = 0

    def press(self, key):
        """Press key; what then has the focus must show it. Enter starts something (a page load, an htmx
        request) whose end the test waits for, then checks where the focus went."""
        self.page.keyboard.press(key)
        self.presses += 1
        if key != "Enter":
            self.expect_visible_focus(f"after {key}")

    def type(self, text):
        self.page.keyboard.type(text)

    def expect_visible_focus(self, when):
        state = focused(self.page)
        assert state["visible"], f"{when}: the focus ({state['element']}) shows no focus indicator"

    def has_focus(self, locator):
        return locator.evaluate("element => element === document.activeElement")

    def tab_to(self, locator, backwards=False):
        """Press Tab (or Shift+Tab) until locator has the focus; every stop must show the focus."""
        expect(locator).to_have_count(1)
        for _ in range(MAX_PRESSES):
            if self.has_focus(locator):
                return
            self.press("Shift+Tab" if backwards else "Tab")
        raise AssertionError(f"{MAX_PRESSES} presses of Tab did not reach {locator}")

    def activate(self, locator, key="Enter"):
        self.tab_to(locator)
        self.press(key)

    def expect_focus_on(self, locator, why):
        """After an htmx swap or a page load: the focus is on locator, visibly."""
        expect(locator).to_have_count(1)
        self.page.wait_for_function("element => element === document.activeElement", arg=locator.element_handle(),
                                    timeout=FOCUS_TIMEOUT_MS)
        self.expect_visible_focus(why)


def watch(region):
    """Mark a live region before an action, so that expect_announced can tell it stayed on the page."""
    region.evaluate("element => { element.__watched = true; }")


def expect_announced(region, text):
    """text arrived inside region: a live region (aria-live) that was on the page before the action, for
    screen readers announce what changes inside a live region, not a live region that is itself new."""
    expect(region).to_contain_text(text)
    assert region.get_attribute("aria-live") in ("polite", "assertive")
    assert region.evaluate("element => element.__watched === true"), "the live region itself was replaced"
