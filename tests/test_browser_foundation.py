"""The foundation flow in real Chromium: setup, a circle, an invitation, a thread, replies and edits.

Two people in two browser contexts with JavaScript (htmx replies, an accepted answer and inline edits, no
page loads), and a third context with JavaScript off, where the same actions are plain form posts and
redirects.
"""
import re

import pytest
from playwright.sync_api import expect

from learncircle import db
from learncircle.accounts.models import User
from learncircle.circles.models import PRIVATE, Circle, Membership
from learncircle.discussions.models import QUESTION, Thread

from .browser_helpers import ConsoleErrors, expect_same_page, fill_account_form, log_in, mark_page, post_id_from
from .conftest import PASSWORD

pytestmark = pytest.mark.browser

CIRCLE_NAME = "Rust Study Group"
PURPOSE = "Learn Rust together by building small command-line tools."
THREAD_TITLE = "How do I read a file line by line?"
THREAD_BODY = "I tried `read_to_string` but the file is **huge**.\n\n- Is there a streaming way?\n- Or a crate?"
REPLY = "Wrap the file in a BufReader and call lines() on it."
EDITED_REPLY = "Wrap the file in a std::io::BufReader and iterate over lines(); each item is a Result."
# A step that cannot happen fails in seconds, not after Playwright's default 30.
ACTION_TIMEOUT_MS = 10_000


@pytest.fixture
def site_url(live_server):
    """The live server's address, which is also the public address its invitation links are made with."""
    return live_server.config["LIVE_URL"]


def test_two_people_start_a_circle_and_talk_with_javascript(browser, site_url):
    base = site_url
    admin_context, guest_context = browser.new_context(), browser.new_context()
    for context in (admin_context, guest_context):
        context.set_default_timeout(ACTION_TIMEOUT_MS)
    errors = ConsoleErrors()
    admin = errors.watch(admin_context.new_page(), "admin")
    guest = errors.watch(guest_context.new_page(), "guest")

    # 1. A fresh instance leads to setup; the admin starts a private circle and makes an invitation link.
    admin.goto(base)
    expect(admin).to_have_url(f"{base}/setup")
    fill_account_form(admin, username="ada", email="ada@example.org", password=PASSWORD, display_name="Ada")
    admin.get_by_role("button", name="Create the admin account").click()
    expect(admin.get_by_role("heading", name="My circles")).to_be_visible()

    admin.get_by_role("link", name="Start a circle").click()
    admin.get_by_label("Name", exact=True).fill(CIRCLE_NAME)
    admin.get_by_label("Purpose").fill(PURPOSE)
    admin.get_by_role("radio", name=re.compile(r"^Private:")).check()
    admin.get_by_role("button", name="Start the circle").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text(CIRCLE_NAME)
    expect(admin.locator("h1 .badge")).to_have_text("private")

    admin.get_by_role("link", name="Invitations").click()
    admin.get_by_role("button", name="Make link").click()
    link_box = admin.get_by_label("Link joining as member")
    expect(link_box).to_have_value(re.compile(r"/invite/\S+$"))
    invitation_url = link_box.input_value()
    assert invitation_url.startswith(f"{base}/invite/")

    # 2. Someone without an account opens the link, registers through it, joins and asks a question.
    guest.goto(invitation_url)
    expect(guest.get_by_role("heading", level=1)).to_contain_text(CIRCLE_NAME)
    expect(guest.locator("p.purpose")).to_have_text(PURPOSE)
    guest.get_by_role("link", name="Create an account").click()
    expect(guest.get_by_role("heading", name=f"You are invited to {CIRCLE_NAME}")).to_be_visible()
    fill_account_form(guest, username="grace", email="grace@example.org", password=PASSWORD,
                      display_name="Grace")
    guest.get_by_role("button", name="Create account").click()

    expect(guest).to_have_url(invitation_url)
    expect(guest.get_by_role("heading", name="Code of conduct")).to_be_visible()
    guest.get_by_label("I accept the code of conduct").check()
    guest.get_by_role("button", name=f"Join {CIRCLE_NAME}").click()
    expect(guest.locator("#notices")).to_contain_text(f"Welcome to {CIRCLE_NAME}!")
    expect(guest.get_by_text("You are a member")).to_be_visible()

    guest.get_by_role("link", name="New thread").click()
    guest.get_by_label("Title").fill(THREAD_TITLE)
    guest.get_by_role("radio", name=re.compile(r"^Question:")).check()
    guest.get_by_label("Message").fill(THREAD_BODY)
    form_url = guest.url
    mark_page(guest, "main")
    guest.get_by_role("button", name="Preview").click()
    preview = guest.locator("#thread-preview .preview")
    expect(preview.locator("strong")).to_have_text("huge")
    expect(preview.locator("code")).to_have_text("read_to_string")
    expect(preview.locator("li")).to_have_count(2)
    expect_same_page(guest, "main", form_url)
    expect(guest.get_by_label("Message")).to_have_value(THREAD_BODY)  # the text is still there to post

    guest.get_by_role("button", name="Start the thread").click()
    expect(guest.get_by_role("heading", level=1)).to_have_text(THREAD_TITLE)
    expect(guest.locator("h1 + p .badge")).to_have_text(["question", "unanswered"])
    expect(guest).to_have_url(re.compile(r"/t/\d+$"))
    thread_url = guest.url
    thread_id = int(re.search(r"/t/(\d+)$", thread_url).group(1))
    replies = f"#thread-{thread_id}-replies"

    # 3. The admin replies: the reply is appended in place and the form is emptied, with no page load.
    admin.goto(thread_url)
    expect(admin.locator(f"{replies} article.post")).to_have_count(1)
    mark_page(admin, replies)
    admin.get_by_label("Your reply").fill(REPLY)
    admin.get_by_role("button", name="Post reply").click()
    reply = admin.locator(f"{replies} article.post").nth(1)
    expect(reply.locator(".body")).to_have_text(REPLY)
    expect(reply.locator(".author")).to_have_text("Ada")
    expect(admin.get_by_label("Your reply")).to_have_value("")
    expect(admin.locator("h1 + p .badge")).to_have_text(["question", "unanswered"])  # a reply is not an answer
    expect_same_page(admin, replies, thread_url)

    # The asker marks the reply as the answer: the badge is swapped out of band.
    guest.reload()
    expect(guest.locator(f"{replies} article.post").nth(1).locator(".body")).to_have_text(REPLY)
    guest.locator(f"{replies} article.post").nth(1).get_by_role("button", name="Mark as answer").click()
    expect(guest.locator("h1 + p .badge")).to_have_text(["question", "answered"])

    # The admin edits the reply inline: the editor takes the post's place, then the saved post comes back.
    reply_id = post_id_from(reply)
    reply.get_by_role("link", name="Edit").click()
    editor = admin.locator(f"form#post-{reply_id}")
    expect(editor).to_be_visible()
    editor.get_by_label("Edit your post").fill(EDITED_REPLY)
    editor.get_by_role("button", name="Save changes").click()
    saved = admin.locator(f"article#post-{reply_id}")
    expect(saved.locator(".body")).to_have_text(EDITED_REPLY)
    expect(saved.locator("header")).to_contain_text("edited")
    expect(admin.locator(f"form#post-{reply_id}")).to_have_count(0)
    expect_same_page(admin, replies, thread_url)

    guest.reload()
    expect(guest.locator(f"#post-{reply_id} .body")).to_have_text(EDITED_REPLY)

    assert errors.messages == []

    admin_context.close()
    guest_context.close()


@pytest.fixture
def conversation(site_url):
    """A private circle with its owner and a member, and a question the owner asked."""
    with db.database.connection_context():
        owner = User.register(username="ada", email="ada@example.org", password=PASSWORD, display_name="Ada",
                              is_admin=True)
        member = User.register(username="grace", email="grace@example.org", password=PASSWORD,
                               display_name="Grace")
        circle = Circle.found(owner=owner, name=CIRCLE_NAME, slug="rust-study-group", purpose=PURPOSE, goals="",
                              visibility=PRIVATE)
        Membership.join(user=member, circle=circle)
        thread = Thread.start(circle=circle, author=owner, title=THREAD_TITLE, kind=QUESTION, body=THREAD_BODY)
    return {"base": site_url, "thread_url": f"{site_url}/t/{thread.id}"}


def test_replying_and_editing_work_without_javascript(browser, conversation):
    base, thread_url = conversation["base"], conversation["thread_url"]
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()

    log_in(page, base, login="grace", password=PASSWORD)
    page.goto(thread_url)
    page.get_by_label("Your reply").fill(REPLY)
    page.get_by_role("button", name="Post reply").click()

    # A form post and a redirect to the new reply's anchor on its page of the thread.
    expect(page).to_have_url(re.compile(r"/t/\d+\?page=1#post-\d+$"))
    reply_id = int(re.search(r"#post-(\d+)$", page.url).group(1))
    assert page.url.startswith(thread_url)
    reply = page.locator(f"article#post-{reply_id}")
    expect(reply.locator(".body")).to_have_text(REPLY)
    expect(reply.locator(".author")).to_have_text("Grace")
    expect(page.get_by_label("Your reply")).to_have_value("")

    # Editing is a page of its own, and saving leads back to the post.
    reply.get_by_role("link", name="Edit").click()
    expect(page).to_have_url(f"{base}/p/{reply_id}/edit")
    page.get_by_label("Edit your post").fill(EDITED_REPLY)
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(re.compile(rf"/t/\d+\?page=1#post-{reply_id}$"))
    saved = page.locator(f"article#post-{reply_id}")
    expect(saved.locator(".body")).to_have_text(EDITED_REPLY)
    expect(saved.locator("header")).to_contain_text("edited")

    context.close()
