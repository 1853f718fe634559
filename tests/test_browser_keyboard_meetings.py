"""Meetings by keyboard alone, in real Chromium (as test_browser_a11y_keyboard.py does for the rest): a member
answers a poll and says she is going to a meeting with Tab, the arrow keys, Space, Enter and typing, never a
click; every stop shows the focus, and after each htmx swap the focus lands where it is useful and the news in
the page's live region, which a screen reader reads."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from learncircle import clock, db
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, PUBLIC, Circle, Membership
from learncircle.meetings import polls, scheduling
from learncircle.meetings.models import Occurrence

from .browser_helpers import WIDE, ConsoleErrors, Keyboard, expect_announced, log_in, watch
from .conftest import PASSWORD

pytestmark = pytest.mark.browser

ACTION_TIMEOUT_MS = 10_000


@pytest.fixture
def world(live_server):
    """Fred's circle with a meeting next week and a poll of two times; Ana, a member in Kolkata."""
    with live_server.test_request_context(), db.database.connection_context():
        fred, ana = (User.register(username=name, email=f"{name}@example.org", password=PASSWORD,
                                   display_name=name.title(), timezone=zone)
                     for name, zone in (("fred", "Europe/Berlin"), ("ana", "Asia/Kolkata")))
        circle = Circle.found(owner=fred, name="Writing Circle", slug="writing", visibility=PUBLIC,
                              purpose="Write short essays together.")
        Membership.join(user=ana, circle=circle)
        Membership.update(role=FACILITATOR).where(Membership.user == fred.id).execute()
        start = (clock.now() + dt.timedelta(days=7)).replace(hour=18, minute=0, second=0, microsecond=0)
        meeting = scheduling.schedule(circle=circle, organiser=fred, title="Weekly call", local_start=start,
                                      zone="Europe/Berlin", duration_minutes=60)
        poll = polls.create(circle=circle, author=fred, title="A second slot", zone="Europe/Berlin",
                            duration_minutes=60, weekly=False, local_slots=[start.replace(hour=8), start])
        occurrence = Occurrence.get(Occurrence.meeting == meeting)
    base = f"{live_server.config['LIVE_URL']}/c/writing/meetings"
    return {"base": live_server.config["LIVE_URL"], "meeting": f"{base}/{occurrence.id}",
            "poll": f"{base}/polls/{poll.id}"}


def test_answering_a_poll_and_a_meeting_by_keyboard(browser, world):
    errors = ConsoleErrors()
    context = browser.new_context(viewport=WIDE)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = errors.watch(context.new_page(), "ana")
    log_in(page, world["base"], login="ana", password=PASSWORD)
    keys = Keyboard(page)

    # A poll: each time's answers are a group of radio buttons; Tab reaches the group, the arrows choose.
    page.goto(world["poll"])
    first = page.locator("fieldset.slot-answer").first
    keys.tab_to(first.get_by_label("Yes", exact=True))
    keys.press("Space")
    expect(first.get_by_label("Yes", exact=True)).to_be_checked()
    keys.press("ArrowDown")
    expect(first.get_by_label("If needed", exact=True)).to_be_checked()
    second = page.locator("fieldset.slot-answer").nth(1)
    keys.tab_to(second.get_by_label("Yes", exact=True))
    keys.press("Space")
    button = page.get_by_role("button", name="Save my answers")
    news = page.locator("#notices")
    watch(news)
    keys.activate(button)
    expect(page.locator(".poll-result .notice.success")).to_have_text("Your answers are saved.")
    expect_announced(news, "Your answers are saved.")
    keys.expect_focus_on(button, "after saving the answers (the form stays where it was)")
    expect(page.locator("tr[data-rank='1']")).to_contain_text("1 can come")

    # A meeting: going, with a note; the answer section comes back with the focus on it and the news inside.
    page.goto(world["meeting"])
    keys.tab_to(page.get_by_label("Going", exact=True))
    keys.press("Space")
    expect(page.get_by_label("Going", exact=True)).to_be_checked()
    keys.tab_to(page.get_by_label("Note"))
    keys.type("I will be ten minutes late.")
    news = page.locator("#notices")
    watch(news)
    keys.activate(page.get_by_role("button", name="Answer"))
    section = page.locator("section.rsvp")
    expect(section.locator(".notice.success")).to_have_text("You are going.")
    expect_announced(news, "You are going.")
    keys.expect_focus_on(section, "after answering")
    expect(section).to_contain_text("You are going.")
    expect(section).to_contain_text("I will be ten minutes late.")
    assert errors.messages == []
    context.close()
