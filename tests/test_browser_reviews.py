"""A whole peer review round in real Chromium, with four people in four browser contexts.

A facilitator creates the round (deadlines typed in their own zone), builds a two-criterion rubric in
place with htmx and publishes it; three members submit; the facilitator starts reviewing; every member
reviews the two others (two with JavaScript, whose drafts save themselves as they type, one with
JavaScript off, using the plain Save draft and Submit buttons); the authors rate each review; reviewers
see their ratings; the facilitator's board shows every review submitted and rated.
"""
import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from learncircle import db
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, PRIVATE, Circle, Membership
from learncircle.reviews import background_allocation
from learncircle.reviews.models import Assignment, Review, ReviewRound, Submission

from .browser_helpers import ConsoleErrors, expect_same_page, log_in, mark_page
from .conftest import PASSWORD

pytestmark = pytest.mark.browser

# A step that cannot happen fails in seconds, not after Playwright's default 30.
ACTION_TIMEOUT_MS = 10_000

CIRCLE_NAME = "Writing Circle"
CIRCLE_SLUG = "writing-circle"
ROUND_TITLE = "Essay one: a tool you use"
BRIEF = "Write **300 words** about a tool you use every day and why."
CLARITY_LEVELS = ("Hard to follow", "Mostly clear", "Crystal clear")


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    timezone: str
    javascript: bool = True
    tool: str = ""


FACILITATOR_PERSON = Person("fran", "Fran", "Europe/Berlin")
MEMBERS = (
    Person("amara", "Amara", "America/New_York", tool="ripgrep"),
    Person("bruno", "Bruno", "UTC", tool="tmux"),
    Person("chen", "Chen", "Asia/Tokyo", javascript=False, tool="jq"),
)
BY_NAME = {member.name: member for member in MEMBERS}
# Both reviewers of a piece choose the same level, so its median is known.
LEVEL_FOR_AUTHOR = {"Amara": "Crystal clear", "Bruno": "Mostly clear", "Chen": "Hard to follow"}
# What each author rates the review shown to them as "Reviewer N".
RATINGS = {("Amara", "Reviewer 1"): 5, ("Amara", "Reviewer 2"): 4,
           ("Bruno", "Reviewer 1"): 3, ("Bruno", "Reviewer 2"): 5,
           ("Chen", "Reviewer 1"): 2, ("Chen", "Reviewer 2"): 4}


def work_of(member):
    return f"# Why I use {member.tool}\n\nEvery day I reach for **{member.tool}** first.\n\n- it is fast\n- it is small"


def prompts(reviewer, author):
    return {
        "What works": f"From a {reviewer.tool} user to {author.name}: the opening example makes the point concrete.",
        "What would make it better": f"From a {reviewer.tool} user to {author.name}: end each part with a summary.",
    }


def clarity_comment(reviewer):
    return f"From a {reviewer.tool} user: the steps follow each other well."


def evidence_comment(reviewer, author):
    return f"From a {reviewer.tool} user: one timing of {author.tool} against an alternative would convince me."


@pytest.fixture
def circle(live_server):
    """A private circle: its owner, a facilitator, and three members, each in their own time zone."""
    with db.database.connection_context():
        owner = User.register(username="olga", email="olga@example.org", password=PASSWORD, display_name="Olga")
        circle = Circle.found(owner=owner, name=CIRCLE_NAME, slug=CIRCLE_SLUG,
                              purpose="Write short essays and review each other's drafts.", visibility=PRIVATE)
        for person in (FACILITATOR_PERSON, *MEMBERS):
            user = User.register(username=person.username, email=f"{person.username}@example.org",
                                 password=PASSWORD, display_name=person.name, timezone=person.timezone)
            membership = Membership.join(user=user, circle=circle)
            if person is FACILITATOR_PERSON:
                membership.set_role(FACILITATOR)
    return live_server.config["LIVE_URL"]


def circle_path():
    """The circle's address: a private circle's ends in a random part, so ask the database."""
    with db.database.connection_context():
        return f"/c/{Circle.get(Circle.name == CIRCLE_NAME).slug}"


def typed_deadline(zone, days):
    """A deadline `days` from now as typed into a datetime-local input in zone, and the UTC moment it means."""
    local = (dt.datetime.now(ZoneInfo(zone)) + dt.timedelta(days=days)).replace(second=0, microsecond=0)
    return local.strftime("%Y-%m-%dT%H:%M"), local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def shown_time(moment_utc, zone):
    """A stored moment as the pages show it (timefmt.exact_time) to someone in zone."""
    local = moment_utc.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(zone))
    return local.strftime("%a %d %b %Y, %H:%M ") + local.tzname()


def draft_save_of(assignment_id, text):
    """A predicate for the autosave response whose request carried `text` as the second prompt."""
    def matches(response):
        request = response.request
        return (request.method == "POST" and response.url.endswith(f"/a/{assignment_id}/draft")
                and parse_qs(request.post_data or "").get("could_be_better") == [text])
    return matches


# ---- what each person does ----------------------------------------------------------------------

def create_round(page, base):
    """The facilitator creates the round from the circle's page and lands in the rubric builder."""
    page.goto(f"{base}{circle_path()}")
    page.get_by_role("link", name="Peer review").click()
    expect(page.get_by_role("heading", name="Review rounds")).to_be_visible()
    page.get_by_role("link", name="New round").click()
    expect(page.get_by_role("heading", name="New review round")).to_be_visible()

    page.get_by_label("Title").fill(ROUND_TITLE)
    page.get_by_label("Brief").fill(BRIEF)
    page.get_by_label("Reviews per submission").fill("2")
    submission_typed, submission_utc = typed_deadline(FACILITATOR_PERSON.timezone, days=2)
    review_typed, review_utc = typed_deadline(FACILITATOR_PERSON.timezone, days=4)
    page.get_by_label("Submission deadline").fill(submission_typed)
    page.get_by_label("Review deadline").fill(review_typed)
    page.get_by_role("button", name="Save the draft and build the rubric").click()

    expect(page).to_have_url(re.compile(r"/r/\d+/rubric$"))
    expect(page.get_by_role("heading", name="Rubric", exact=True)).to_be_visible()
    expect(page.locator("#notices")).to_contain_text("Draft saved.")
    round_id = int(re.search(r"/r/(\d+)/rubric$", page.url).group(1))
    with db.database.connection_context():
        round = ReviewRound.get_by_id(round_id)
        assert (round.title, round.reviews_per_submission) == (ROUND_TITLE, 2)
        # Typed in Berlin time, stored in UTC.
        assert (round.submission_deadline, round.review_deadline) == (submission_utc, review_utc)
    return round_id


def add_criterion(page, round_id, *, name, description, kind, levels=()):
    """Add a criterion with the builder's form; htmx puts the new rubric in place without a page load."""
    new = page.locator(f"#rubric-{round_id}-new form")
    new.get_by_label("Name", exact=True).fill(name)
    new.get_by_label("Description").fill(description)
    new.get_by_label("Kind").select_option(label=kind)
    for number, level in enumerate(levels, start=1):
        new.get_by_label(re.compile(rf"^Level {number}\b")).fill(level)
    url = page.url
    mark_page(page, "main")
    new.get_by_role("button", name="Add criterion").click()
    expect(page.locator(f"#rubric-{round_id} li.criterion h3").last).to_contain_text(name)
    expect_same_page(page, "main", url)
    expect(new.get_by_label("Name", exact=True)).to_have_value("")  # a fresh form for the next one


def submit_work(page, round_url, member):
    page.goto(round_url)
    expect(page.locator(".expectation")).to_contain_text("Submit your work before the deadline.")
    page.get_by_role("link", name="Submit your work").first.click()
    expect(page.get_by_role("heading", name=f"Your submission to {ROUND_TITLE}")).to_be_visible()
    page.get_by_label("Your work", exact=True).fill(work_of(member))
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator("#notices")).to_contain_text("Saved as version 1.")
    # The author sees exactly what reviewers will see: the Markdown rendered.
    preview = page.locator("section[aria-labelledby='reviewers-see-title'] .body")
    expect(preview.locator("strong")).to_have_text(member.tool)
    expect(preview.locator("li")).to_have_count(2)


def tasks_of(page, round_id):
    return page.locator(f"section[aria-labelledby='round-{round_id}-tasks']")


def fill_review(page, reviewer, author):
    """Choose the level and type the comments and the first prompt; return both prompts' texts."""
    page.get_by_role("radio", name=LEVEL_FOR_AUTHOR[author.name], exact=True).check()
    page.get_by_label("Comment on Clarity").fill(clarity_comment(reviewer))
    page.get_by_label("Evidence", exact=True).fill(evidence_comment(reviewer, author))
    typed = prompts(reviewer, author)
    page.get_by_label("What works").fill(typed["What works"])
    return typed


def expect_review_kept(page, reviewer, author):
    """The form shows everything the reviewer typed."""
    expect(page.get_by_role("radio", name=LEVEL_FOR_AUTHOR[author.name], exact=True)).to_be_checked()
    expect(page.get_by_label("Comment on Clarity")).to_have_value(clarity_comment(reviewer))
    expect(page.get_by_label("Evidence", exact=True)).to_have_value(evidence_comment(reviewer, author))
    for label, text in prompts(reviewer, author).items():
        expect(page.get_by_label(label, exact=True)).to_have_value(text)


def assert_draft_stored(assignment_id, reviewer, author):
    """The database holds the whole draft, not yet submitted."""
    with db.database.connection_context():
        review = Review.get(Review.assignment == assignment_id)
        assert not review.is_submitted
        assert (review.what_works, review.could_be_better) == tuple(prompts(reviewer, author).values())
        levels = sorted(response.level for response in review.responses().values() if response.level is not None)
        assert levels == [CLARITY_LEVELS.index(LEVEL_FOR_AUTHOR[author.name])]


def write_review(page, round_url, round_id, reviewer, author):
    """Open the review of author's work from the round page, fill the rubric, let it save, submit it."""
    page.goto(round_url)
    tasks_of(page, round_id).get_by_role("link", name=author.name, exact=True).click()
    expect(page.get_by_role("heading", name=f"Your review of {author.name}")).to_be_visible()
    expect(page.locator("article.submission .body strong")).to_have_text(author.tool)
    assignment_id = int(re.search(r"/a/(\d+)$", page.url).group(1))
    status = page.locator(f"#assignment-{assignment_id}-save-status")
    expect(status).to_have_text("Your draft saves as you type, or with “Save draft”.")
    typed = fill_review(page, reviewer, author)
    better = page.get_by_label("What would make it better", exact=True)
    last = typed["What would make it better"]

    if reviewer.javascript:
        # Nobody clicks Save: the draft saves itself a moment after typing stops.
        with page.expect_response(draft_save_of(assignment_id, last)) as saved:
            better.fill(last)
        assert saved.value.status == 200
        expect(status).to_contain_text("Draft saved at")
        # Leaving the box saves once more; wait for it, so nothing is still on its way when Submit is pressed.
        with page.expect_response(draft_save_of(assignment_id, last)):
            better.blur()
    else:
        better.fill(last)
        page.get_by_role("button", name="Save draft").click()
        expect(page).to_have_url(re.compile(rf"/a/{assignment_id}$"))
        expect(page.locator("#notices")).to_contain_text("Draft saved at")
        expect_review_kept(page, reviewer, author)
    assert_draft_stored(assignment_id, reviewer, author)

    page.get_by_role("button", name="Submit review").click()
    expect(page.locator("#notices")).to_contain_text("Your review was submitted. Thank you!")
    readonly = page.locator("section.review-readonly")
    expect(readonly).to_contain_text(LEVEL_FOR_AUTHOR[author.name])
    expect(readonly).to_contain_text(typed["What works"])
    expect(page.locator(".review-status")).to_have_text("Submitted")
    expect(page.locator("form.review-form")).to_have_count(0)


def review_everything(page, round_url, round_id, reviewer):
    """A member reviews both pieces allocated to them: everyone's but their own."""
    page.goto(round_url)
    expect(page.locator(".expectation")).to_contain_text("You have 2 reviews to finish.")
    links = tasks_of(page, round_id).locator("a.title")
    expect(links).to_have_count(2)
    authors = sorted(links.all_inner_texts())
    assert authors == sorted(m.name for m in MEMBERS if m is not reviewer)
    for name in authors:
        write_review(page, round_url, round_id, reviewer, BY_NAME[name])
    page.goto(round_url)
    expect(tasks_of(page, round_id).locator(".review-status")).to_have_text(["Submitted", "Submitted"])


def rate_reviews(page, round_url, author):
    """The author reads both reviews (reviewers' names hidden), the results by criterion, and rates each."""
    page.goto(round_url)
    expect(page.locator(".expectation")).to_contain_text("2 reviews of your work are ready to read.")
    page.get_by_role("link", name="Read the reviews of your work").click()
    expect(page.get_by_role("heading", name=f"Your work in {ROUND_TITLE}")).to_be_visible()
    main = page.locator("main")
    others = [m.name for m in MEMBERS if m is not author]
    for name in others:
        expect(main).not_to_contain_text(name)  # reviewers are hidden from authors
    clarity = main.locator("section.criterion-result").filter(has_text="Clarity")
    expect(clarity).to_contain_text(f"Median: {LEVEL_FOR_AUTHOR[author.name]}")

    cards = main.locator("article.review-result")
    expect(cards).to_have_count(2)
    for card_id in [cards.nth(i).get_attribute("id") for i in range(2)]:
        card = page.locator(f"article#{card_id}")
        label = card.locator("h4").inner_text()
        rating = RATINGS[(author.name, label)]
        card.get_by_role("radio", name=str(rating), exact=True).check()
        card.get_by_label("A note for the reviewer").fill(f"Thanks, {label}.")
        url = page.url
        if author.javascript:
            mark_page(page, "main")
        card.get_by_role("button", name="Save rating").click()
        expect(card).to_contain_text(f"You rated it {rating} out of 5.")
        if author.javascript:
            expect_same_page(page, "main", url)  # the card was replaced in place
        else:
            expect(page.locator("#notices")).to_contain_text("your rating was saved")
        expect(card.get_by_role("radio", name=str(rating), exact=True)).to_be_checked()


def expected_helpfulness(reviewer):
    """author name -> the rating the reviewer's review of that author's work should show."""
    with db.database.connection_context():
        rows = (Assignment.select(Assignment, Submission, User)
                .join(Submission).join(User, on=(Submission.author == User.id))
                .where(Assignment.reviewer == User.get(User.username == reviewer.username)))
        return {a.submission.author.display_name: RATINGS[(a.submission.author.display_name, a.label)]
                for a in rows}


def check_helpfulness_shown(page, round_url, round_id, reviewer):
    page.goto(round_url)
    tasks = tasks_of(page, round_id).locator("li")
    expect(tasks).to_have_count(2)
    for author, rating in expected_helpfulness(reviewer).items():
        expect(tasks.filter(has_text=author)).to_contain_text(
            f"The author found it {rating} out of 5 helpful: “Thanks, ")


def check_board(page, round_url, round_id):
    page.goto(round_url)
    page.get_by_role("link", name="Board").click()
    expect(page.get_by_role("heading", name="Board", exact=True)).to_be_visible()
    counts = page.locator(f"#board-{round_id} dl.counts > div")
    expect(counts).to_have_text(["Submissions: 3, 0 missing",
                                 "Reviews: 6 allocated, 0 not started, 0 draft, 6 on time, 0 late · 0 overdue "
                                 "· 0 flagged"])
    table = page.locator(f"#board-{round_id} table.board-table")
    names = [m.name for m in MEMBERS]  # columns and rows both go by name
    expect(table.locator("thead th")).to_have_text(["Author", *[f"{n} 2/2 done" for n in names]])
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    for row_index, author in enumerate(names):
        row = rows.nth(row_index)
        expect(row.locator("th")).to_contain_text(author)
        cells = row.locator("td")
        expect(cells).to_have_count(3)
        for column_index, reviewer in enumerate(names):
            cell = cells.nth(column_index)
            if reviewer == author:
                expect(cell).to_have_class(re.compile(r"\bunassigned\b"))
                continue
            expect(cell).to_have_class(re.compile(r"\bstatus-submitted\b"))
            expect(cell.locator(".status")).to_have_text("submitted")
            label = cell.locator(".meta").filter(has_text="Reviewer").inner_text()
            expect(cell).to_contain_text(f"rated {RATINGS[(author, label)]}/5")


# ---- the round, start to end --------------------------------------------------------------------

def test_facilitator_and_three_members_run_a_whole_round(browser, circle, live_server):
    base = circle
    errors = ConsoleErrors()
    contexts, pages = [], {}
    for person in (FACILITATOR_PERSON, *MEMBERS):
        context = browser.new_context(java_script_enabled=person.javascript)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        if person.javascript:
            errors.watch(page, person.name)
        log_in(page, base, login=person.username, password=PASSWORD)
        pages[person.name] = page
    fran = pages[FACILITATOR_PERSON.name]

    # 1. The facilitator creates the round, builds a two-criterion rubric in place, and publishes it.
    round_id = create_round(fran, base)
    round_url = f"{base}/r/{round_id}"
    add_criterion(fran, round_id, name="Clarity", description="Can a newcomer follow it?", kind="A scale of levels",
                  levels=CLARITY_LEVELS)
    add_criterion(fran, round_id, name="Evidence", description="What backs the claims up?", kind="Comments only")
    criteria = fran.locator(f"#rubric-{round_id} li.criterion")
    expect(criteria.locator("h3")).to_have_text(["1. Clarity scale of 3 levels", "2. Evidence comments only"])
    expect(criteria.first.locator("ol.levels li")).to_have_text(list(CLARITY_LEVELS))
    fran.get_by_role("button", name="Publish the round").click()
    expect(fran).to_have_url(round_url)
    expect(fran.locator("#notices")).to_contain_text("Published: members can see the round")
    expect(fran.locator(f"#round-{round_id}-phase .badge")).to_have_text("Open for submissions")

    # 2. Each member finds the round and submits; the deadline shows in their own time zone.
    with db.database.connection_context():
        submission_deadline = ReviewRound.get_by_id(round_id).submission_deadline
    amara = pages["Amara"]
    amara.goto(f"{base}{circle_path()}")
    amara.get_by_role("link", name="Peer review").click()
    # The list swapped in first (hx-boost): a click on a link of the page being replaced can go nowhere.
    expect(amara).to_have_url(re.compile(r"/reviews$"))
    amara.get_by_role("link", name=ROUND_TITLE).click()
    expect(amara).to_have_url(round_url)
    for member in MEMBERS:
        page = pages[member.name]
        page.goto(round_url)
        expect(page.locator(f"#round-{round_id}-phase")).to_contain_text(
            f"Submissions close {shown_time(submission_deadline, member.timezone)}")
        submit_work(page, round_url, member)

    # 3. The facilitator starts reviewing by hand: everyone gets two others' work to review.
    fran.goto(round_url)
    fran.get_by_role("button", name="Start reviewing now").click()
    expect(fran.locator("#notices")).to_contain_text("Reviewing has started. Reviewers are being allocated")
    expect(fran.locator(f"#round-{round_id}-phase .badge")).to_have_text("Reviewing")
    # The server's background allocation does the work (its step, called here); the page, polling, reloads.
    expect(fran.locator(f"#round-{round_id}-allocating")).to_be_visible()
    assert background_allocation.worker(live_server).step() == [round_id]
    expect(fran.locator(f"#round-{round_id}-allocating")).to_have_count(0)

    # 4. Every member reviews both pieces given to them (Chen without JavaScript).
    for member in MEMBERS:
        review_everything(pages[member.name], round_url, round_id, member)

    # 5. Each author rates the two reviews of their work; reviewers see how helpful they were.
    for member in MEMBERS:
        rate_reviews(pages[member.name], round_url, member)
    for member in MEMBERS:
        check_helpfulness_shown(pages[member.name], round_url, round_id, member)

    # 6. The facilitator's board shows every review submitted and rated.
    check_board(fran, round_url, round_id)

    assert errors.messages == []
    for context in contexts:
        context.close()
