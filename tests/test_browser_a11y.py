"""Every page a visitor, a member, a facilitator and an owner can reach, and every state htmx puts part of a
page in, checked in real Chromium by axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA: no serious or
critical violation) and for reflow (no sideways scrolling at 320 px wide, nor with the text at 200 %;
wide tables and code blocks scroll inside their own focusable container).

One world, one browser, one context per person, the pages visited in turn. A failure lists every
problem found, each with the page state and the elements axe named.
"""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from learncircle import clock, db
from learncircle.accounts import resets
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, PUBLIC, Circle, Invitation, Membership
from learncircle.discussions.models import QUESTION, Post, Thread
from learncircle.moderation import hiding
from learncircle.reviews import reviewing
from learncircle.reviews.allocation import ensure_allocated
from learncircle.reviews.models import Submission
from learncircle.reviews.submitting import save_revision_plan, submit
from tests.fixtures_reviews import CLARITY, SOURCES, assignment_of, make_round, review_data

from .browser_helpers import WIDE, Accessibility, ConsoleErrors, fill_account_form, log_in
from .conftest import PASSWORD

pytestmark = pytest.mark.browser

ACTION_TIMEOUT_MS = 10_000
CIRCLE_NAME = "Writing Circle"
SLUG = "writing-circle"
# A question whose first post holds what stretches a narrow page: a long line of code, a wide table, a long
# address, and a link out of LearnCircle.
LONG_LINE = ('let contents = std::fs::read_to_string("a/rather/long/path/to/the/application/logs/server.log")'
             '.expect("the log file should be readable");')
WIDE_POST = f"""I read a log file like this, but it is slow on a large file:

```rust
{LONG_LINE}
```

| Size of the file | read_to_string | BufReader::lines | memory-mapped, then split on newlines | notes |
|---|---|---|---|---|
| 10 MB | 0.02 s | 0.03 s | 0.01 s | all fine |
| 2 GB | out of memory | 4.1 s | 2.9 s | the first one fails on the school's old laptop |

The manual is at https://doc.rust-lang.org/std/io/trait.BufRead.html#method.lines_and_some_more_words_after_it
"""


def register(username, name, **extra):
    return User.register(username=username, email=f"{username}@example.org", password=PASSWORD,
                         display_name=name, **extra)


def build_world():
    """A public circle with its owner (also the instance admin), a facilitator, four members and an outsider;
    a question with code, a table, a hidden, a deleted and an edited reply; a thread of two pages; a review
    round in reviewing with reviews written, rated and flagged; a draft round with a rubric. Returns the
    addresses the tests visit."""
    with db.database.connection_context():
        olga = register("olga", "Olga Owner", is_admin=True)
        fred = register("fred", "Fred Facilitator")
        ana, ben, cai, dee = (register(name, name.title() + " Learner", timezone="Europe/Berlin")
                              for name in ("ana", "ben", "cai", "dee"))
        register("otto", "Otto Outsider")
        circle = Circle.found(owner=olga, name=CIRCLE_NAME, slug=SLUG, visibility=PUBLIC,
                              purpose="Write short essays and review each other's drafts.",
                              goals="- An essay a fortnight\n- Two kind, concrete reviews for each")
        Membership.join(user=fred, circle=circle).set_role(FACILITATOR)
        for member in (ana, ben, cai, dee):
            Membership.join(user=member, circle=circle)
        # Eve joined a week ago and has not posted: "Every voice" lists her, to be welcomed.
        eve = register("eve", "Eve Learner", timezone="Europe/Berlin")
        Membership.join(user=eve, circle=circle)
        Membership.update(joined_at=clock.now() - dt.timedelta(days=7)).where(Membership.user == eve.id).execute()

        question = Thread.start(circle=circle, author=ana, title="How do I read a big file line by line?",
                                kind=QUESTION, body=WIDE_POST)
        bens = question.reply(author=ben, body="Wrap the file in a `BufReader` and call `lines()` on it.")
        own = question.reply(author=ana, body="Thanks! I will try it tonight.")
        own.edit("Thanks! I will try it tonight and report back.")
        hidden = question.reply(author=dee, body="Just use Python instead.")
        hidden.hide(fred, "Off topic: see rule 2 of the code of conduct.")
        question.reply(author=cai, body="A mistake.").soft_delete()
        long_thread = Thread.start(circle=circle, author=fred, title="Weekly check-in", kind="discussion",
                                   body="What did you write this week?")
        for number in range(52):
            long_thread.reply(author=(ana, ben, cai)[number % 3], body=f"Week {number}: one more page written.")
        # Nia joined today; her first post waits for a facilitator's approval (newcomers/).
        nia = register("nia", "Nia Newcomer", timezone="Europe/Berlin")
        Membership.join(user=nia, circle=circle)
        held = long_thread.reply(author=nia, body="Hello! I am new here, and keen to write every week.", held=True)
        moderated = moderation_world(circle, long_thread, fred, ben, dee)

        live = make_round(circle, fred, title="Essay one: a tool you use", criteria=(CLARITY, SOURCES))
        for author in (ana, ben, cai):
            submit(live, author, body=f"# Why I use grep\n\n{WIDE_POST}\n\nBy {author.display_name}.")
        live.start_reviewing_now()
        ensure_allocated(live, seed=1)
        of_ana = {reviewer: assignment_of(live, reviewer, ana) for reviewer in (ben, cai)}
        reviews = {reviewer: reviewing.submit_review(assignment, review_data(live))
                   for reviewer, assignment in of_ana.items()}
        reviewing.rate_review(reviews[ben], ana, 4, "Thank you, the example helped.")
        ana_to_cai = reviewing.submit_review(assignment_of(live, ana, cai), review_data(live, level=1))
        reviewing.flag_review(ana_to_cai, cai, "other", note="It says nothing about the second half.")
        save_revision_plan(Submission.get((Submission.round == live) & (Submission.author == ana)), ana,
                           "Add an example to every claim.")
        draft = make_round(circle, fred, publish=False, title="Essay two: a habit", criteria=(CLARITY, SOURCES))
        prompt = Thread.start(circle=circle, author=fred, title="Week 3: what surprised you?", kind="discussion",
                              body="One thing each.", publish_at=clock.now() + dt.timedelta(days=2))
        # Dee's thread, hidden by members' flags until a facilitator reviews it (moderation/).
        flagged_thread = Thread.start(circle=circle, author=dee, title="Essays for sale", kind="discussion",
                                      body="Cheap essays at essays.example")
        hiding.hide("thread", flagged_thread.id, why=hiding.BY_FLAGS)

        ana_submission = Submission.get((Submission.round == live) & (Submission.author == ana))
        ben_submission = Submission.get((Submission.round == live) & (Submission.author == ben))
        not_started = assignment_of(live, cai, ben)
        return {
            "circle": f"/c/{SLUG}", "question": f"/t/{question.id}", "long_thread": f"/t/{long_thread.id}",
            "prompt": f"/t/{prompt.id}", "bens_reply": bens.id, "hidden_thread": f"/t/{flagged_thread.id}",
            "own_post": own.id, "hidden_post": hidden.id, "held_post": held.id, **moderated,
            "live": f"/r/{live.id}", "draft": f"/r/{draft.id}", "draft_id": draft.id,
            "ana_submission": f"/s/{ana_submission.id}", "ben_submission": f"/s/{ben_submission.id}",
            "ana_draft_review": f"/a/{assignment_of(live, ana, ben).id}",
            "ana_submitted_review": f"/a/{assignment_of(live, ana, cai).id}",
            "swap": f"/r/{live.id}/assignments/{not_started.id}/swap",
            "add_reviewer": f"/r/{live.id}/submissions/{ben_submission.id}/add-reviewer",
            "invitation": f"/invite/{Invitation.make(circle=circle, created_by=olga).token}",
            "reset": f"/reset-password/{resets.make(dee)}",
        }


def moderation_world(circle, thread, fred, ben, dee):
    """moderation/: Ben's flag of Dee's post waiting in the review queue, and what Fred did before: a post of
    Dee's deleted (kept for the owner to restore) and a warning."""
    from learncircle.moderation import log
    from learncircle.moderation.models import Flag, Removed

    flagged = thread.reply(author=dee, body="Nobody reads these anyway.")
    Flag.create(circle=circle, target_kind="post", target_id=flagged.id, flagger=ben, reason="conduct",
                conduct_point=1, note="Discouraging for the rest of us.")
    spam = thread.reply(author=dee, body="Buy essays cheap at essays.example")
    deleted = log.record(circle, fred, "deleted", target_kind="post", target_id=spam.id, target_user=dee,
                         reason="Advertising: see point 5 of the code of conduct.")
    Removed.create(circle=circle, target_kind="post", target_id=spam.id, author=dee, title=thread.title,
                   body=spam.body, entry=deleted, purge_after=clock.now() + dt.timedelta(days=90))
    Post.update(body="", body_html="", deleted_at=clock.now(), hidden_kind="removed").where(
        Post.id == spam.id).execute()
    warned = log.record(circle, fred, "warned", target_kind="member", target_id=Membership.of(dee, circle).id,
                        target_user=dee, reason="Please keep the thread encouraging.")
    return {"flagged_post": flagged.id, "warned_entry": warned.id}


def sign_in(browser, base, username, errors, color_scheme="light"):
    context = browser.new_context(viewport=WIDE, color_scheme=color_scheme)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = errors.watch(context.new_page(), username)
    if username:
        log_in(page, base, login=username, password=PASSWORD)
    return page


def visit(page, base, path, check, state, status=200):
    response = page.goto(base + path)
    assert response.status == status, f"{state}: {path} answered {response.status}"
    check(page, state)


def test_every_page_and_htmx_state_passes_axe_and_fits_narrow_screens(browser, live_server):
    base = live_server.config["LIVE_URL"]
    a11y, errors = Accessibility(), ConsoleErrors()
    check = a11y.check

    # A fresh instance asks for its first account.
    visitor = sign_in(browser, base, "", errors)
    visit(visitor, base, "/setup", check, "setup")
    w = build_world()

    # ---- signed out
    for path, state, status in (("/login", "login", 200), ("/register", "register refused", 403),
                                ("/forgot-password", "forgot password", 200),
                                (w["invitation"], "invitation", 200), (w["reset"], "reset password", 200),
                                (w["circle"], "circle, signed out", 200), (w["question"], "thread, signed out", 200)):
        visit(visitor, base, path, check, state, status)
    visitor.goto(base + "/login")
    visitor.get_by_label("Username or email").fill("ana")
    visitor.get_by_label("Password", exact=True).fill("not the password")
    visitor.get_by_role("button", name="Log in").click()
    expect(visitor.locator("[role=alert], .notice.error, .field-error").first).to_be_visible()
    check(visitor, "login refused")
    visitor.goto(base + w["invitation"])
    visitor.get_by_role("link", name="Create an account").click()
    expect(visitor).to_have_url(re.compile(r"/register"))
    check(visitor, "register by invitation")
    fill_account_form(visitor, username="newcomer", email="new@example.org", password=PASSWORD,
                      display_name="Newcomer")
    visitor.get_by_label("Password again").fill(PASSWORD + " but different")
    visitor.get_by_role("button", name="Create account").click()
    expect(visitor.locator("[aria-invalid=true]").first).to_be_visible()
    check(visitor, "register by invitation, errors shown")

    # ---- an outsider
    otto = sign_in(browser, base, "otto", errors)
    for path, state in (("/", "start, in no circle"), (f"{w['circle']}/join", "join a circle"),
                        ("/circles/new", "new circle"), ("/u/otto", "own profile")):
        visit(otto, base, path, check, state)
    otto.goto(base + "/circles/new")
    otto.get_by_role("button", name="Start the circle").click()
    expect(otto.locator("[aria-invalid=true]").first).to_be_visible()
    check(otto, "new circle, errors shown")

    # ---- a member
    ana = sign_in(browser, base, "ana", errors)
    for path, state in (("/", "my circles"), (w["circle"], "circle home"), (w["question"], "thread"),
                        (w["long_thread"] + "?page=2", "thread, second page"),
                        (f"{w['circle']}/threads/new", "new thread"), (f"{w['circle']}/members", "members"),
                        ("/u/ben", "profile"), ("/settings/profile", "profile settings"),
                        ("/settings/password", "password settings"), ("/notices", "notices"),
                        ("/settings/email", "email settings"), ("/settings/email/address", "new email address"),
                        ("/settings/data", "your data"), (f"{w['circle']}/moderation/log", "moderation log"),
                        (f"{w['circle']}/reviews", "review rounds"), (w["live"], "round page, reviewing"),
                        (w["live"] + "/submission", "my submission"), (w["ana_submission"], "results of my work"),
                        (w["ana_draft_review"], "review form, draft"),
                        (w["ana_submitted_review"], "review, submitted"), (f"{w['circle']}/leave", "leave circle"),
                        (f"/p/{w['own_post']}/edit", "edit post page"),
                        (w["question"] + "/notifications", "notices about a thread"),
                        ("/search?q=file", "search, my circles"), (f"{w['circle']}/search?q=\"", "search, refused")):
        visit(ana, base, path, check, state)
    visit(ana, base, f"{w['circle']}/settings", check, "refused", status=403)
    visit(ana, base, "/t/999999", check, "not found", status=404)
    ana.goto(base + w["ana_draft_review"])
    leaving = ana.locator(".body a[href*='/leaving']").first.get_attribute("href")
    visit(ana, base, leaving, check, "leaving LearnCircle")

    # htmx: a reply added, a reply refused, a post edited in place.
    ana.goto(base + w["question"])
    replies = ana.locator("[id$='-replies']")
    ana.get_by_label("Your reply").fill("I tried it: 4.1 seconds, as the table says.")
    ana.get_by_role("button", name="Post reply").click()
    expect(replies.locator("article.post").last).to_contain_text("4.1 seconds")
    check(ana, "thread, reply added")
    ana.get_by_role("button", name="Post reply").click()
    expect(ana.locator("[id$='-reply'] .field-error")).to_be_visible()
    check(ana, "thread, reply refused")
    own = ana.locator(f"#post-{w['own_post']}")
    own.get_by_role("link", name="Edit").click()
    expect(ana.locator(f"form#post-{w['own_post']}")).to_be_visible()
    check(ana, "thread, editing a post")
    ana.get_by_label("Edit your post").fill("")
    ana.get_by_role("button", name="Save changes").click()
    expect(ana.locator(f"form#post-{w['own_post']} .field-error")).to_be_visible()
    check(ana, "thread, editing a post, errors shown")
    ana.get_by_label("Edit your post").fill("Thanks! It worked.")
    ana.get_by_role("button", name="Save changes").click()
    expect(ana.locator(f"article#post-{w['own_post']}")).to_contain_text("It worked")
    check(ana, "thread, post saved")

    # The composer: @name suggestions offered (one chosen), then a post quoted into the reply box in place.
    box = ana.get_by_label("Your reply")
    box.click()
    box.press_sequentially("Over to @be")
    expect(ana.get_by_role("option", name=re.compile("Ben Learner"))).to_be_visible()
    box.press("ArrowDown")
    check(ana, "thread, @name suggestions")
    box.press("Enter")
    ana.locator("article.post").first.get_by_role("link", name="Quote").click()
    expect(box).to_have_value(re.compile(r"^Over to @ben \n\n> \*\*Ana Learner\*\* \[wrote\]"))
    check(ana, "thread, post quoted")

    # htmx: a reaction toggled (the pressed button keeps the focus), then who reacted, in place and as a page.
    reacted = ana.locator("article.post", has_text="BufReader")
    reacted.get_by_role("button", name=re.compile("^Helpful")).click()
    expect(reacted.get_by_role("button", name=re.compile("^Helpful"))).to_have_attribute("aria-pressed", "true")
    check(ana, "thread, reaction toggled")
    reacted.locator("details summary").click()
    expect(reacted.locator("details dl")).to_contain_text("Ana Learner")
    check(ana, "thread, who reacted")
    visit(ana, base, reacted.locator("details").get_attribute("hx-get"), check, "who reacted page")

    # htmx: marking a reply as the answer (the asker); the thread list's filters.
    ana.goto(base + w["question"])
    answer = ana.locator("article.post").nth(1)
    answer.get_by_role("button", name="Mark as answer").click()
    expect(answer.get_by_role("button", name="Clear answer")).to_be_focused()
    expect(ana.locator(".answer-box")).to_contain_text("BufReader")
    check(ana, "thread, answer accepted")
    ana.goto(base + w["circle"])
    ana.locator("#threads nav.filters").get_by_role("link", name="Unanswered").click()
    expect(ana.locator("#threads [aria-current=page]")).to_have_text("Unanswered")
    check(ana, "circle home, unanswered questions")

    # htmx: searching a circle, the results swapped in.
    ana.goto(base + f"{w['circle']}/search")
    ana.get_by_label("Search this circle").fill("bufreader")
    ana.get_by_role("button", name="Search", exact=True).click()
    expect(ana.locator("#search-results mark").first).to_have_text("BufReader")
    check(ana, "search, results swapped in")

    # htmx: a preview; the new thread's errors; leaving, confirmed in place.
    ana.goto(base + f"{w['circle']}/threads/new")
    ana.get_by_label("Message").fill("**Bold** and a list:\n\n- one\n- two")
    ana.get_by_role("button", name="Preview").click()
    expect(ana.locator(".preview strong")).to_have_text("Bold")
    check(ana, "new thread, preview")
    ana.get_by_label("Message").fill("")
    ana.get_by_role("button", name="Start the thread").click()
    expect(ana.locator("[aria-invalid=true]").first).to_be_visible()
    check(ana, "new thread, errors shown")
    ana.goto(base + w["circle"])
    ana.get_by_role("link", name="Leave circle").click()
    expect(ana.locator("#leave-confirm")).to_contain_text("takes you off its members")
    check(ana, "circle home, leaving confirmed in place")

    # htmx: a review's draft saved as it is typed; submitting it too short.
    ana.goto(base + w["ana_draft_review"])
    ana.get_by_label("What works").fill("Short.")
    expect(ana.locator(".save-status")).to_contain_text("Draft saved at")
    check(ana, "review form, draft saved")
    ana.get_by_role("button", name="Submit review").click()
    expect(ana.locator("[aria-invalid=true]").first).to_be_visible()
    check(ana, "review form, errors shown")

    # htmx: rating a review of one's work, a revision plan, flagging.
    ana.goto(base + w["ana_submission"])
    card = ana.locator("article.review-result").last
    card.get_by_role("radio", name="5", exact=True).check()
    card.get_by_role("button", name="Save rating").click()
    expect(card).to_contain_text("You rated it 5 out of 5.")
    check(ana, "results, review rated")
    card.locator("summary", has_text="Flag this review").click()
    card.get_by_role("button", name="Flag this review").click()
    expect(card.locator(".field-error").first).to_be_visible()
    check(ana, "results, flag refused")

    # Flags (moderation/): a post's flag page, sent incomplete, then sent (the receipt in its place); a thread
    # hidden by flags, as the rest of the circle sees it.
    ana.goto(base + f"/p/{w['bens_reply']}/flag")
    check(ana, "flag a post")
    ana.get_by_role("button", name="Send the flag").click()
    expect(ana.locator("#flag-form .field-error").first).to_be_visible()
    check(ana, "flag a post, errors shown")
    ana.get_by_label("It is off-topic").check()
    ana.get_by_role("button", name="Send the flag").click()
    expect(ana.locator("#flag-form[role=status]")).to_be_visible()
    check(ana, "flag a post, receipt")
    visit(ana, base, w["hidden_thread"], check, "hidden thread, placeholder")

    # Your data: asking for the account's deletion with a wrong password.
    ana.goto(base + "/settings/data")
    ana.get_by_label("They stay, under “deleted member”").check()
    ana.get_by_label("Your password").fill("not the password")
    ana.get_by_role("button", name="Delete my account").click()
    expect(ana.locator("#password-error")).to_be_visible()
    check(ana, "your data, deletion refused")

    # Muting and blocking (people/): the profile's buttons swapped by htmx (the new one takes the focus), a thread
    # with a muted person's posts collapsed behind "show", the circle's list likewise, and whom one muted.
    ana.goto(base + "/u/ben")
    ana.get_by_role("button", name="Mute", exact=True).click()
    expect(ana.get_by_role("button", name="Unmute", exact=True)).to_be_focused()
    check(ana, "profile, muted")
    ana.get_by_role("button", name="Block", exact=True).click()
    expect(ana.get_by_role("button", name="Unblock", exact=True)).to_be_focused()
    check(ana, "profile, blocked")
    for path, state in ((w["long_thread"], "thread, many muted posts"), (w["circle"], "circle home, muted threads"),
                        ("/settings/people", "muted and blocked people"),
                        (w["question"], "thread, a muted person's posts collapsed")):
        visit(ana, base, path, check, state)
    ana.locator("article.post > details summary").first.click()
    expect(ana.locator("article.post > details[open] .body").first).to_be_visible()
    check(ana, "thread, a muted person's post shown")

    # ---- a facilitator
    fred = sign_in(browser, base, "fred", errors)
    for path, state in ((f"{w['circle']}/invitations", "invitations"), (f"{w['circle']}/reviews/new", "new round"),
                        (w["live"], "round page, facilitator"), (w["live"] + "/settings", "round settings"),
                        (w["live"] + "/deadlines", "deadlines"), (w["live"] + "/board", "board"),
                        (w["swap"], "swap a reviewer"), (w["add_reviewer"], "add a reviewer"),
                        (w["live"] + "/kept-apart", "pairs kept apart"), (w["ben_submission"], "a submission, managed"),
                        (w["ana_submitted_review"], "a review, managed"), (w["draft"], "round page, draft"),
                        (w["draft"] + "/rubric", "rubric builder"),
                        (f"/p/{w['hidden_post']}/hide", "hide post page"), (w["question"], "thread, moderating"),
                        (f"{w['circle']}/voices", "every voice"), (w["circle"], "circle home, scheduled prompts"),
                        (w["prompt"], "a scheduled prompt"), (w["hidden_thread"], "hidden thread, moderating"),
                        (f"{w['circle']}/threads/new", "new thread, schedulable")):
        visit(fred, base, path, check, state)
    # htmx: welcoming a member who has not posted yet.
    fred.goto(base + f"{w['circle']}/voices")
    row = fred.locator("li").filter(has_text="Eve Learner")
    row.get_by_role("button", name="Welcome").click()
    expect(row.locator(".voice-action")).to_contain_text("Welcome sent")
    check(fred, "every voice, welcome sent")
    fred.goto(base + f"{w['circle']}/reviews/new")
    fred.get_by_role("button", name=re.compile("build the rubric")).click()
    expect(fred.locator("[aria-invalid=true]").first).to_be_visible()
    check(fred, "new round, errors shown")

    # htmx: hiding a post in place.
    fred.goto(base + w["question"])
    target = fred.locator("article.post").nth(1)
    post_id = target.get_attribute("id")
    target.get_by_role("link", name="Hide").click()
    form = fred.locator(f"form#{post_id}")
    expect(form).to_be_visible()
    check(fred, "thread, hiding a post")
    form.get_by_role("button", name="Hide the post").click()
    expect(form.locator(".field-error")).to_be_visible()
    check(fred, "thread, hiding a post, errors shown")
    form.get_by_label("Why hide it?").fill("Off topic.")
    form.get_by_role("button", name="Hide the post").click()
    expect(fred.locator(f"article#{post_id}")).to_contain_text("Off topic.")
    check(fred, "thread, post hidden")

    # htmx: the rubric builder.
    fred.goto(base + w["draft"] + "/rubric")
    criterion = fred.locator("li.criterion").first
    criterion_id = criterion.get_attribute("id")
    criterion.get_by_role("link", name=re.compile("^Edit")).click()
    editor = fred.locator(f"#{criterion_id}.editing form")
    expect(editor).to_be_visible()
    check(fred, "rubric, editing a criterion")
    editor.get_by_label("Name", exact=True).fill("")
    editor.get_by_role("button", name="Save criterion").click()
    expect(fred.locator(f"#{criterion_id} .field-error").first).to_be_visible()
    check(fred, "rubric, editing a criterion, errors shown")
    fred.locator(f"#{criterion_id}").get_by_label("Name", exact=True).fill("Clear writing")
    fred.locator(f"#{criterion_id}").get_by_role("button", name="Save criterion").click()
    expect(fred.locator(f"#{criterion_id} h3")).to_contain_text("Clear writing")
    check(fred, "rubric, criterion saved")
    new = fred.locator(f"#rubric-{w['draft_id']}-new")
    new.get_by_role("button", name="Add criterion").click()
    expect(new.locator(".field-error").first).to_be_visible()
    check(fred, "rubric, new criterion refused")
    new.get_by_label("Name", exact=True).fill("Evidence")
    new.get_by_label("Kind").select_option(label="Comments only")
    new.get_by_role("button", name="Add criterion").click()
    expect(fred.locator("li.criterion h3").last).to_contain_text("Evidence")
    check(fred, "rubric, criterion added")

    # New members: the posts waiting for approval (rejecting one needs a reason), and the circle's limits.
    visit(fred, base, f"{w['circle']}/moderation/approvals", check, "approvals")
    held = fred.locator(f"#approval-{w['held_post']}")
    held.get_by_role("button", name="Reject").click()
    expect(held.locator(".field-error")).to_be_visible()
    check(fred, "approvals, rejection refused")
    held.get_by_role("button", name="Approve").click()
    expect(fred.locator(f"#approval-{w['held_post']}")).to_contain_text("Approved")
    check(fred, "approvals, post approved")
    visit(fred, base, f"{w['circle']}/settings/newcomers", check, "new members' limits, read")

    # The review queue (moderation/): an action without a reason refused in place, then the flag dismissed; the
    # log with what can be undone, undoing a warning, the moderation settings (read only).
    visit(fred, base, f"{w['circle']}/moderation", check, "review queue")
    card = fred.locator(f"#queue-post-{w['flagged_post']}")
    card.get_by_label("Keep it: dismiss the flags").check()
    card.get_by_role("button", name="Do it").click()
    expect(card.locator(".field-error")).to_be_visible()
    check(fred, "review queue, reason missing")
    card.get_by_label("Reason", exact=True).fill("Blunt, but aimed at nobody.")
    card.get_by_role("button", name="Do it").click()
    expect(fred.locator(f"#queue-post-{w['flagged_post']}")).to_contain_text("Kept")
    check(fred, "review queue, item kept")
    for path, state in ((f"{w['circle']}/moderation/log", "moderation log, moderating"),
                        (f"{w['circle']}/moderation/log/{w['warned_entry']}/undo", "undo an action"),
                        (f"{w['circle']}/moderation/post/{w['flagged_post']}", "review one item"),
                        (f"{w['circle']}/moderation/settings", "moderation settings, read")):
        visit(fred, base, path, check, state)

    # ---- the owner
    olga = sign_in(browser, base, "olga", errors)
    visit(olga, base, f"{w['circle']}/settings/newcomers", check, "new members' limits")
    olga.get_by_label("Links a new member's post may hold").fill("lots")
    olga.get_by_role("button", name="Save").click()
    expect(olga.locator("[aria-invalid=true]").first).to_be_visible()
    check(olga, "new members' limits, errors shown")
    for path, state in (("/", "my circles, admin"), (f"{w['circle']}/settings", "circle settings"),
                        ("/settings/data", "your data, owner"),
                        (f"{w['circle']}/moderation/removed", "deleted by moderators"),
                        (f"{w['circle']}/moderation/settings", "moderation settings"),
                        (f"{w['circle']}/members", "members, owner")):  # the members page last: it is used next
        visit(olga, base, path, check, state)
    row = olga.locator("li[id^='member-']").filter(has_text="Dee Learner")
    row.get_by_role("button", name="Make facilitator").click()
    expect(row.locator(".badge")).to_have_text("facilitator")
    check(olga, "members, role changed")
    olga.goto(base + f"{w['circle']}/invitations")
    olga.get_by_role("button", name="Make link").click()
    # The world's own link and the new one (waiting for one alone could pass before the page came back).
    expect(olga.get_by_label("Link joining as member")).to_have_count(2)
    check(olga, "invitations, link made")

    # The instance admin's pages (Olga is the instance admin too): an account refused, then suspended; the log.
    for path, state in (("/admin", "admin overview"), ("/admin/accounts?q=nobody-at-all", "admin, no account found"),
                        ("/admin/accounts", "admin, accounts")):
        visit(olga, base, path, check, state)
    olga.get_by_role("link", name="Otto Outsider").click()
    expect(olga.get_by_role("heading", name="Otto Outsider")).to_be_visible()
    check(olga, "admin, an account")
    olga.get_by_role("button", name="Suspend").click()
    expect(olga.locator("[aria-invalid=true]").first).to_be_visible()
    check(olga, "admin, an account, errors shown")
    olga.get_by_label("Why?", exact=True).first.fill("Spam links in every circle.")
    olga.get_by_label("Until an admin lifts it").check()
    olga.get_by_role("button", name="Suspend").click()
    expect(olga.locator("#account-status")).to_contain_text("Spam links")
    check(olga, "admin, an account suspended")
    visit(olga, base, "/admin/audit", check, "audit log")
    visitor.goto(base + "/login")
    visitor.get_by_label("Username or email").fill("otto")
    visitor.get_by_label("Password", exact=True).fill(PASSWORD)
    visitor.get_by_role("button", name="Log in").click()
    expect(visitor.locator("#notices")).to_contain_text("Spam links")  # htmx does not swap a 403: app.js says it
    check(visitor, "sign-in, account suspended")

    # Signing in while one's account waits to be deleted: the date, and the button that keeps it.
    with db.database.connection_context():
        User.update(deletion_requested_at=clock.now()).where(
            User.id == register("gone", "Gone Member").id).execute()
    visitor.goto(base + "/login")
    visitor.get_by_label("Username or email").fill("gone")
    visitor.get_by_label("Password", exact=True).fill(PASSWORD)
    visitor.get_by_role("button", name="Log in").click()
    expect(visitor.get_by_role("button", name="Cancel the deletion")).to_be_visible()
    check(visitor, "sign-in, deletion pending")

    assert a11y.problems == [], "\n".join(a11y.problems)
    # The dark colour scheme has colours of its own: axe again on the pages that use most of them.
    dark = sign_in(browser, base, "fred", errors, color_scheme="dark")
    for path, state in ((w["question"], "thread"), (w["circle"], "circle home"), (w["live"], "round page"),
                        (w["live"] + "/board", "board"), (w["ana_submitted_review"], "a review"),
                        (w["draft"] + "/rubric", "rubric builder"), ("/notices", "notices")):
        dark.goto(base + path)
        a11y.axe(dark, f"{state}, dark colour scheme")

    # Pages answered with 403, 404 or 422 on purpose show up as "failed to load"; nothing else may. htmx names the
    # one 403 it does not swap (a suspended account's sign-in, which app.js shows).
    refused = re.compile(r"Failed to load resource: the server responded with a status of (403|404|422)"
                         r"|Response Status Error Code 403 from /login ")
    assert [message for message in errors.messages if not refused.search(message)] == []
    assert len(a11y.states) >= 75, a11y.states
