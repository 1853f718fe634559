"""What the browser tests of accessibility rely on, in the markup the server sends: code blocks and tables
that can be scrolled by keyboard, live regions that stay on the page, and the element each htmx answer
marks to take the focus (htmx focuses what is marked autofocus). The browser tests
(test_browser_a11y*.py) check what a person meets; these say which answer carries what.
"""
from bs4 import BeautifulSoup

from learncircle import db
from learncircle.discussions.models import Thread
from learncircle.reviews.models import Criterion
from learncircle.text import render_markdown, shown_html
from tests.fixtures_reviews import assignment_of, make_round, reviewing_round
from tests.helpers import html

HX = {"HX-Request": "true"}
CODE_AND_TABLE = "```\nlet x = 1;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"


def test_code_blocks_and_tables_are_focusable_where_shown_not_where_stored(app):
    stored = render_markdown(CODE_AND_TABLE)
    assert "tabindex" not in stored  # stored as written: the name of a code block is in the reader's language
    with app.test_request_context():
        shown = BeautifulSoup(shown_html(stored), "html.parser")
        assert shown_html(None) == "" and shown_html("<p>plain</p>") == "<p>plain</p>"
    pre, table = shown.find("pre"), shown.find("table")
    assert (pre["tabindex"], pre["role"], pre["aria-label"]) == ("0", "group", "Code")
    assert table["tabindex"] == "0"


def thread_with_code(roles):
    world = roles()
    with db.database.connection_context():
        thread = Thread.start(circle=world["circle"], author=world["member"], title="Code", kind="discussion",
                              body=CODE_AND_TABLE)
        reply = thread.reply(author=world["member"], body="Mine.")
    return world, thread, reply


def test_thread_replies_are_a_live_region_and_a_new_reply_takes_the_focus(client, auth, roles):
    world, thread, reply = thread_with_code(roles)
    auth.login(world["member"])
    page = html(client.get(f"/t/{thread.id}"))
    assert page.find(id=f"thread-{thread.id}-replies")["aria-live"] == "polite"
    assert page.select_one("article.post pre")["tabindex"] == "0"
    assert page.select("[autofocus]") == []  # a page load moves no focus

    answer = html(client.post(f"/t/{thread.id}/reply", data={"body": "A new reply."}, headers=HX))
    added = answer.select_one("article.post")
    assert (added["tabindex"], added.has_attr("autofocus")) == ("-1", True)
    assert answer.select_one("form [autofocus]") is None  # the fresh form out of band takes nothing


def test_post_answers_mark_what_takes_the_focus(client, auth, roles):
    world, thread, reply = thread_with_code(roles)
    auth.login(world["member"])
    editor = html(client.get(f"/p/{reply.id}/edit", headers=HX))
    assert editor.select_one("textarea").has_attr("autofocus")
    assert html(client.get(f"/p/{reply.id}/edit")).select("[autofocus]") == []  # the page of its own: no jump

    saved = html(client.post(f"/p/{reply.id}/edit", data={"body": "Changed."}, headers=HX))
    assert saved.select_one(f"article#post-{reply.id}").has_attr("autofocus")
    cancelled = html(client.get(f"/p/{reply.id}", headers=HX))
    assert cancelled.select_one(f"article#post-{reply.id}").has_attr("autofocus")


def test_review_draft_status_swaps_inside_a_live_region_that_stays(world, client, auth):
    round = reviewing_round(world)
    assignment = assignment_of(round, world["ben"], author=world["ana"])
    auth.login(world["ben"])
    status_id = f"assignment-{assignment.id}-save-status"
    page = html(client.get(f"/a/{assignment.id}"))
    region = page.find(id=status_id).parent
    assert (region["role"], region["aria-live"]) == ("status", "polite")
    assert page.select_one("form.review-form")["hx-target"] == f"#{status_id}"

    answer = html(client.post(f"/a/{assignment.id}/draft", data={"what_works": "Half"}, headers=HX))
    status = answer.find(id=status_id)
    assert "Draft saved at" in status.get_text()
    assert not status.has_attr("aria-live") and not status.has_attr("role")  # no live region inside another


def test_rubric_answers_mark_what_takes_the_focus(world, client, auth):
    round = make_round(world["circle"], world["facilitator"], publish=False)
    clarity = round.rubric()[0]
    auth.login(world["facilitator"])
    editor = html(client.get(f"/r/{round.id}/rubric/criteria/{clarity.id}/edit", headers=HX))
    assert editor.select_one("input[name$='-name']").has_attr("autofocus")

    shown = html(client.get(f"/r/{round.id}/rubric/criteria/{clarity.id}", headers=HX))
    assert shown.select_one(f"li#criterion-{clarity.id}")["tabindex"] == "-1"

    added = html(client.post(f"/r/{round.id}/rubric/criteria", headers=HX,
                             data={"new-criterion-name": "Evidence", "new-criterion-kind": "comments"}))
    evidence = Criterion.get((Criterion.round == round.id) & (Criterion.name == "Evidence"))
    assert [li["id"] for li in added.select("li.criterion[autofocus]")] == [f"criterion-{evidence.id}"]

    moved = html(client.post(f"/r/{round.id}/rubric/criteria/{evidence.id}/move", data={"direction": "up"},
                             headers=HX))
    assert [li["id"] for li in moved.select("li.criterion[autofocus]")] == [f"criterion-{evidence.id}"]
    assert html(client.get(f"/r/{round.id}/rubric")).select("[autofocus]") == []


def test_board_table_scrolls_by_keyboard_and_is_named_by_its_caption(world, client, auth):
    round = reviewing_round(world)
    auth.login(world["facilitator"])
    table = html(client.get(f"/r/{round.id}/board")).select_one("table.board-table")
    assert table["tabindex"] == "0" and table.caption.get_text(strip=True)


def test_everything_focusable_on_the_board_keeps_its_id_across_refreshes(world, client, auth):
    """The board refreshes itself every 30 seconds; htmx gives the focus back to the element with the same id."""
    round = reviewing_round(world)
    auth.login(world["facilitator"])
    first = html(client.get(f"/r/{round.id}/board", headers=HX))
    focusable = first.select("a, button, [tabindex]")
    assert focusable and all(element.get("id") for element in focusable)
    again = html(client.get(f"/r/{round.id}/board", headers=HX))
    assert [element["id"] for element in again.select("a, button, [tabindex]")] == [e["id"] for e in focusable]


def test_removing_a_criterion_gives_the_focus_to_the_rubric_heading(world, client, auth):
    round = make_round(world["circle"], world["facilitator"], publish=False)
    auth.login(world["facilitator"])
    answer = html(client.post(f"/r/{round.id}/rubric/criteria/{round.rubric()[0].id}/remove", headers=HX))
    assert [element.name for element in answer.select("[autofocus]")] == ["h2"]
