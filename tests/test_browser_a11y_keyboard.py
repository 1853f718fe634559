"""LearnCircle by keyboard alone, in real Chromium: joining a circle, replying to a thread, writing and
submitting a review, and building a rubric, with Tab, Shift+Tab, Enter, Space, the arrow keys and typing,
never a click. At every key press the focused element must show a focus indicator; after each htmx swap
the focus must be somewhere sensible (the new reply, the first field in error, the criterion just saved),
and what htmx adds or changes must land in a live region, so a screen reader announces it.
"""
import re

import pytest
from playwright.sync_api import expect

from learncircle import db
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, PUBLIC, Circle, Membership
from learncircle.discussions.models import Thread
from learncircle.reviews.submitting import submit
from tests.fixtures_reviews import CLARITY, SOURCES, assignment_of, make_round, start_reviewing

from .browser_helpers import WIDE, ConsoleErrors, Keyboard, expect_announced, log_in, watch
from .conftest import PASSWORD

pytestmark = pytest.mark.browser

ACTION_TIMEOUT_MS = 10_000
CIRCLE_NAME = "Writing Circle"
SLUG = "writing-circle"
THREAD_TITLE = "Favourite essay openings"


@pytest.fixture
def world(live_server):
    """A public circle: its owner, a facilitator, three members (Ana reviews Ben's and Cai's work in a round
    under review), a thread, a draft round with an empty rubric, and Otto, who is in no circle yet."""
    with db.database.connection_context():
        def register(username, name):
            return User.register(username=username, email=f"{username}@example.org", password=PASSWORD,
                                 display_name=name)
        olga, fred, ana, ben, cai = (register(name, name.title()) for name in ("olga", "fred", "ana", "ben", "cai"))
        register("otto", "Otto")
        circle = Circle.found(owner=olga, name=CIRCLE_NAME, slug=SLUG, visibility=PUBLIC,
                              purpose="Write short essays and review each other's drafts.")
        Membership.join(user=fred, circle=circle).set_role(FACILITATOR)
        for member in (ana, ben, cai):
            Membership.join(user=member, circle=circle)
        thread = Thread.start(circle=circle, author=ben, title=THREAD_TITLE, kind="discussion",
                              body="Which first sentence made you read a whole essay?")
        live = make_round(circle, fred, title="Essay one", criteria=(CLARITY, SOURCES), min_prompt_length=20)
        for author in (ana, ben, cai):
            submit(live, author, body=f"# An essay by {author.display_name}\n\nIt starts here.")
        start_reviewing(live)
        draft = make_round(circle, fred, publish=False, title="Essay two", criteria=())
        return {"base": live_server.config["LIVE_URL"], "thread": thread.id, "round": live.id,
                "assignment": assignment_of(live, ana, ben).id, "draft": draft.id}


def person(browser, world, username, errors):
    context = browser.new_context(viewport=WIDE)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = errors.watch(context.new_page(), username)
    log_in(page, world["base"], login=username, password=PASSWORD)
    return page, Keyboard(page)


def test_joining_and_replying_by_keyboard(browser, world):
    errors = ConsoleErrors()
    page, keys = person(browser, world, "otto", errors)
    page.goto(f"{world['base']}/c/{SLUG}")

    keys.activate(page.get_by_role("link", name="Join this circle"))
    expect(page).to_have_url(re.compile(r"/join$"))
    keys.activate(page.get_by_label("I accept the code of conduct"), key="Space")
    expect(page.get_by_label("I accept the code of conduct")).to_be_checked()
    keys.activate(page.get_by_role("button", name=re.compile(f"^Join {CIRCLE_NAME}")))
    expect(page.locator("#notices")).to_contain_text(f"Welcome to {CIRCLE_NAME}!")

    keys.activate(page.get_by_role("link", name=THREAD_TITLE))
    expect(page.get_by_role("heading", level=1)).to_have_text(THREAD_TITLE)
    replies = page.locator(f"#thread-{world['thread']}-replies")
    watch(replies)

    # A reply: appended in the live list of replies, and the focus moves to it.
    keys.tab_to(page.get_by_label("Your reply"))
    keys.type("The first line of Orwell's essay on the English language.")
    keys.activate(page.get_by_role("button", name="Post reply"))
    new_reply = replies.locator("article.post").last
    expect_announced(replies, "Orwell's essay")
    keys.expect_focus_on(new_reply, "after posting a reply")

    # An empty reply comes back with its error; the focus is on the field, which the error describes.
    keys.activate(page.get_by_role("button", name="Post reply"))
    field = page.get_by_label("Your reply")
    expect(field).to_have_attribute("aria-invalid", "true")
    keys.expect_focus_on(field, "after a refused reply")
    error = page.locator(f"#thread-{world['thread']}-reply .field-error")
    expect(error).to_be_visible()
    assert error.get_attribute("id") in field.get_attribute("aria-describedby").split()

    keys.type("Orwell, again: clear words for clear thought.")
    keys.activate(page.get_by_role("button", name="Post reply"))
    expect(replies.locator("article.post")).to_have_count(3)
    keys.expect_focus_on(replies.locator("article.post").last, "after the second reply")
    assert [e for e in errors.messages if "status of 422" not in e] == []


def test_writing_and_submitting_a_review_by_keyboard(browser, world):
    errors = ConsoleErrors()
    page, keys = person(browser, world, "ana", errors)
    page.goto(f"{world['base']}/r/{world['round']}")

    keys.activate(page.locator(f"a[href='/a/{world['assignment']}']").first)
    expect(page.get_by_role("heading", name="Your review of Ben")).to_be_visible()
    saving = page.locator(f"div:has(> #assignment-{world['assignment']}-save-status)")
    watch(saving)

    # Tab reaches the first level of the scale; the arrow keys choose another, as in any radio group.
    keys.tab_to(page.get_by_role("radio", name="Hard to follow"))
    keys.press("ArrowDown")
    expect(page.get_by_role("radio", name="Mostly clear")).to_be_checked()
    keys.tab_to(page.get_by_label("Comment on Clarity"))
    keys.type("Each step follows the one before.")
    keys.tab_to(page.get_by_label("What works"))
    keys.type("Short.")
    expect_announced(saving, "Draft saved at")  # saved as typed
    keys.tab_to(page.get_by_label("What would make it better"))
    keys.type("A summary at the end of each part would help a lot.")

    # "Short." is too short: the review comes back, the focus on the first field in error.
    keys.activate(page.get_by_role("button", name="Submit review"))
    works = page.get_by_label("What works")
    expect(works).to_have_attribute("aria-invalid", "true")
    keys.expect_focus_on(works, "after a refused review")
    keys.press("Control+A")
    keys.type("The opening example makes the point concrete.")
    keys.activate(page.get_by_role("button", name="Submit review"))
    expect(page.locator("#notices")).to_contain_text("Your review was submitted. Thank you!")
    expect(page.locator(".review-status")).to_have_text("Submitted")
    assert [e for e in errors.messages if "status of 422" not in e] == []


def test_building_a_rubric_by_keyboard(browser, world):
    errors = ConsoleErrors()
    page, keys = person(browser, world, "fred", errors)
    page.goto(f"{world['base']}/r/{world['draft']}/rubric")
    new = page.locator(f"#rubric-{world['draft']}-new")

    # A scale criterion: the kind is chosen by typing its first letter into the list.
    keys.tab_to(new.get_by_label("Name", exact=True))
    keys.type("Clarity")
    keys.tab_to(new.get_by_label("Description"))
    keys.type("Can a newcomer follow it?")
    keys.tab_to(new.get_by_label("Kind"))
    keys.type("A")
    expect(new.get_by_label("Kind")).to_have_value("scale")
    for number, level in enumerate(("Hard to follow", "Mostly clear", "Crystal clear"), start=1):
        keys.tab_to(new.get_by_label(re.compile(rf"^Level {number}\b")))
        keys.type(level)
    keys.activate(new.get_by_role("button", name="Add criterion"))
    criteria = page.locator(f"#rubric-{world['draft']} li.criterion")
    expect(criteria).to_have_count(1)
    keys.expect_focus_on(criteria.first, "after adding a criterion")

    # Editing it in place: the editor takes the focus, then the saved criterion does.
    criterion_id = criteria.first.get_attribute("id")
    keys.activate(page.get_by_role("link", name="Edit “Clarity”"))
    name = page.locator(f"#{criterion_id}").get_by_label("Name", exact=True)
    keys.expect_focus_on(name, "after opening the editor")
    keys.press("Control+A")
    keys.type("Clear writing")
    keys.activate(page.get_by_role("button", name="Save criterion"))
    saved = page.locator(f"#{criterion_id}")
    expect(saved.locator("h3")).to_contain_text("Clear writing")
    keys.expect_focus_on(saved, "after saving a criterion")

    # A criterion without a name is refused; the focus goes to the name.
    keys.activate(new.get_by_role("button", name="Add criterion"))
    new_name = page.locator(f"#rubric-{world['draft']}-new").get_by_label("Name", exact=True)
    expect(new_name).to_have_attribute("aria-invalid", "true")
    keys.expect_focus_on(new_name, "after a refused criterion")
    keys.type("Evidence")
    keys.tab_to(page.locator(f"#rubric-{world['draft']}-new").get_by_label("Kind"))
    keys.type("C")
    keys.activate(page.locator(f"#rubric-{world['draft']}-new").get_by_role("button", name="Add criterion"))
    expect(criteria).to_have_count(2)
    keys.expect_focus_on(criteria.last, "after adding the second criterion")

    # Moving it up keeps the focus on it; then the round is published.
    keys.activate(page.get_by_role("button", name="Move up “Evidence”"))
    expect(criteria.first.locator("h3")).to_contain_text("Evidence")
    keys.expect_focus_on(criteria.first, "after moving a criterion")
    keys.activate(page.get_by_role("button", name="Publish the round"))
    expect(page.locator("#notices")).to_contain_text("Published")
    assert [e for e in errors.messages if "status of 422" not in e] == []


def test_the_board_refreshing_itself_leaves_the_focus_where_it_was(browser, world):
    errors = ConsoleErrors()
    page, keys = person(browser, world, "fred", errors)
    board_url = f"/r/{world['round']}/board"
    page.goto(world["base"] + board_url)
    swap = page.get_by_role("link", name=re.compile(r"^swap Ana for another reviewer")).first
    keys.tab_to(swap)
    focused_id = swap.get_attribute("id")
    assert focused_id, "without an id, htmx cannot give the link the focus back after a refresh"

    # What the board's every-30-seconds refresh does, now rather than in half a minute.
    board = page.locator(f"#board-{world['round']}")
    board.evaluate("element => { element.__old = true; }")
    page.evaluate("url => htmx.ajax('GET', url, {target: '#board-' + url.split('/')[2], swap: 'outerHTML'})",
                  board_url)
    page.wait_for_function(f"!document.getElementById('board-{world['round']}').__old")
    keys.expect_focus_on(page.locator(f"#{focused_id}"), "after the board refreshed itself")
    keys.press("Tab")  # and the next Tab goes on from there, inside the board
    assert page.evaluate(f"document.getElementById('board-{world['round']}').contains(document.activeElement)")
    assert errors.messages == []
