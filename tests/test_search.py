"""Search: what a member finds, in one circle and in all theirs; ranking, marked words, paging; the index kept
in step with creates, edits, deletes, hiding and titles; nothing from a circle the searcher cannot read; input
that is no search answered plainly, never with an error page.

tests/test_postgres.py runs the behaviour tests here again on PostgreSQL (build_scene, and the functions named
there in SEARCH_TESTS).
"""
import importlib
from dataclasses import dataclass

import pytest
from hypothesis import given

from learncircle import db
from learncircle.circles.models import FACILITATOR, PRIVATE, PUBLIC, Circle, Membership
from learncircle.discussions.models import POSTS_PER_PAGE, Post, Thread
from learncircle.search import index, marks
from learncircle.search.query import LENGTH_MAX, WORDS_MAX, Query, Refused, parse
from tests.helpers import html
from tests.test_fuzz_forms import FUZZ, typed

HTMX = {"HX-Request": "true"}


@dataclass
class Found:
    href: str
    title: str
    title_marks: list
    snippet: str
    snippet_marks: list
    circle: str | None
    meta: str


def found(response):
    """The results a page shows, in order."""
    assert response.status_code == 200, response.status_code
    rows = []
    for item in html(response).select("#search-results ul.rows > li"):
        title, snippet, badge = item.select_one("a.title"), item.select_one("p:not(.meta)"), item.select_one(".badge")
        rows.append(Found(title["href"], title.get_text(), [m.get_text() for m in title.find_all("mark")],
                          snippet.get_text() if snippet else "",
                          [m.get_text() for m in snippet.find_all("mark")] if snippet else [],
                          badge.get_text() if badge else None, item.select_one("p.meta").get_text(" ", strip=True)))
    return rows


def search(client, words, circle=None, **args):
    url = f"/c/{circle.slug}/search" if circle else "/search"
    return client.get(url, query_string={"q": words, **args})


def hrefs(response):
    return [row.href for row in found(response)]


def permalink(post):
    return f"/p/{post.id}"


@pytest.fixture
def scene(app, make_user, make_circle, add_member):
    return build_scene(make_user, make_circle, add_member)


def build_scene(make_user, make_circle, add_member):
    """Ana belongs to "Rust Study" (public) with Ben and Olga. "borrow" is written in every circle: Rust Study,
    Otto's private "Secret Garden" (Ana is not in it), Olga's private "Left Behind" (Ana left it) and Otto's
    public "Elsewhere" (Ana never joined)."""
    people = {name: make_user(name, display_name=name.title()) for name in ("olga", "ana", "ben", "otto")}
    rust = make_circle(people["olga"], name="Rust Study", visibility=PUBLIC)
    secret = make_circle(people["otto"], name="Secret Garden", visibility=PRIVATE)
    left = make_circle(people["olga"], name="Left Behind", visibility=PRIVATE)
    elsewhere = make_circle(people["otto"], name="Elsewhere", visibility=PUBLIC)
    for name in ("ana", "ben"):
        add_member(rust, people[name])
    add_member(left, people["ana"])
    with db.database.connection_context():
        explained = Thread.start(circle=rust, author=people["olga"], title="Borrow checker explained",
                                 kind="discussion", body="Ownership and references, in short.")
        diary = Thread.start(circle=rust, author=people["ben"], title="My learning diary", kind="discussion",
                             body="Week one: cargo, crates and modules. " * 6)
        mention = diary.reply(author=people["ana"], body="Today I read about modules, traits, generics and "
                                                         "closures, and a little about the borrow rules too.")
        Thread.start(circle=secret, author=people["otto"], title="Garden secrets", kind="discussion",
                     body="The borrow checker of the secret garden.")
        Thread.start(circle=left, author=people["olga"], title="Left behind", kind="discussion",
                     body="The borrow checker, left behind.")
        Thread.start(circle=elsewhere, author=people["otto"], title="Elsewhere", kind="discussion",
                     body="The borrow checker, elsewhere.")
        Membership.of(people["ana"], left).leave()
    return {**people, "rust": rust, "secret": secret, "left": left, "elsewhere": elsewhere,
            "explained": explained, "explained_post": explained.posts[0], "diary": diary, "mention": mention}


# ---- ranking and marks ----------------------------------------------------------------------------

def test_a_thread_titled_with_the_word_ranks_above_a_post_that_mentions_it(client, auth, scene):
    auth.login(scene["ana"])
    rows = found(search(client, "borrow"))
    assert [row.href for row in rows] == [permalink(scene["explained_post"]), permalink(scene["mention"])]
    assert rows[0].title_marks == ["Borrow"] and rows[0].circle == "Rust Study"
    assert rows[1].title == "My learning diary" and rows[1].snippet_marks == ["borrow"]
    assert "started by Olga" in rows[0].meta and "reply by Ana" in rows[1].meta


def test_a_post_with_all_the_words_close_together_ranks_first_and_equal_ones_newest_first(client, auth, scene):
    with db.database.connection_context():
        thread = Thread.start(circle=scene["rust"], author=scene["ben"], title="Notes", kind="discussion",
                              body="Lifetimes explained.")
        once = thread.reply(author=scene["ana"], body="A long aside about many things: " + "words " * 60
                            + "and lifetimes.")
        twin_old = thread.reply(author=scene["ana"], body="Lifetimes and more lifetimes.")
        twin_new = thread.reply(author=scene["ben"], body="Lifetimes and more lifetimes.")
    auth.login(scene["ana"])
    assert hrefs(search(client, "lifetimes", scene["rust"])) == [
        permalink(twin_new), permalink(twin_old), permalink(thread.posts[0]), permalink(once)]


def test_words_are_found_whatever_their_case_and_diacritics_and_the_last_one_as_a_beginning(client, auth, scene):
    with db.database.connection_context():
        thread = Thread.start(circle=scene["rust"], author=scene["ana"], title="Die Lösung für Lifetimes",
                              kind="question", body="Eine **Lösung**: CAFÉ, niño, Straße.")
    auth.login(scene["ben"])
    for words in ("lösung", "losung", "LÖSUNG", "Losung"):
        rows = found(search(client, words))
        assert [row.href for row in rows] == [permalink(thread.posts[0])], words
        assert rows[0].title_marks == ["Lösung"] and rows[0].snippet_marks == ["Lösung"]
    assert found(search(client, "cafe nino"))[0].snippet_marks == ["CAFÉ", "niño"]
    assert found(search(client, "lifetim"))[0].title_marks == ["Lifetimes"]  # the last word: a beginning
    assert hrefs(search(client, "lif")) == [permalink(thread.posts[0])]
    assert found(search(client, "li")) == found(search(client, "li", scene["rust"])) == []  # but not 2 letters
    assert found(search(client, "lifetim solution")) == []  # only the last word
    assert found(search(client, "lifetim")) and found(search(client, "lifetimes die"))


def test_quoted_words_are_found_side_by_side_in_that_order(client, auth, scene):
    auth.login(scene["ana"])
    assert hrefs(search(client, '"borrow checker"')) == [permalink(scene["explained_post"])]
    assert hrefs(search(client, '"checker borrow"')) == []
    assert hrefs(search(client, '"the borrow rules"')) == [permalink(scene["mention"])]
    assert hrefs(search(client, '"the borrow rules')) == [permalink(scene["mention"])]  # a quote left open


def test_the_snippet_shows_the_text_around_the_words_as_the_reader_sees_it_escaped(client, auth, scene):
    long_text = ("Filler sentence number one. " * 20) + "Here **the needle** sits. <script>alert(1)</script> & " \
                + ("More filler afterwards. " * 20)
    with db.database.connection_context():
        post = scene["diary"].reply(author=scene["ben"], body=long_text)
    auth.login(scene["ana"])
    response = search(client, "needle")
    (row,) = found(response)
    assert row.href == permalink(post) and row.snippet_marks == ["needle"]
    assert row.snippet.startswith("… ") and row.snippet.endswith(" …") and "**" not in row.snippet
    assert "Here the needle sits. <script>alert(1)</script> &" in row.snippet  # as text, not markup
    snippet = html(response).select_one("#search-results ul.rows > li p:not(.meta)")
    assert [tag.name for tag in snippet.find_all(True)] == ["mark"]
    assert "<script>" not in response.get_data(as_text=True)
    assert len(row.snippet) <= marks.SNIPPET_CHARS + len("…  …")


def test_a_title_s_markup_characters_are_shown_as_text(client, auth, scene):
    with db.database.connection_context():
        thread = Thread.start(circle=scene["rust"], author=scene["ana"], title='<img src=x onerror="x"> & "quotes"',
                             kind="discussion", body="Tags in titles.")
    auth.login(scene["ana"])
    response = search(client, "quotes")
    (row,) = found(response)
    assert row.href == permalink(thread.posts[0]) and row.title == '<img src=x onerror="x"> & "quotes"'
    assert html(response).select_one("#search-results a.title img") is None


# ---- the index kept in step -----------------------------------------------------------------------

def test_an_edit_is_found_by_its_new_words_and_no_longer_by_its_old_ones(client, auth, scene):
    auth.login(scene["ana"])
    assert hrefs(search(client, "closures")) == [permalink(scene["mention"])]
    with db.database.connection_context():
        Post.get_by_id(scene["mention"].id).edit("Rewritten: iterators and adapters.")
    assert hrefs(search(client, "closures")) == []
    assert hrefs(search(client, "iterators")) == [permalink(scene["mention"])]


def test_deleted_and_hidden_posts_are_found_by_nobody_and_shown_again_ones_are(client, auth, scene):
    with db.database.connection_context():
        hidden = scene["diary"].reply(author=scene["ben"], body="Unkind words about sprockets.")
        deleted = scene["diary"].reply(author=scene["ben"], body="Sprockets, posted by mistake.")
        Post.with_thread(hidden.id).hide(scene["olga"], "Unkind.")
        Post.with_thread(deleted.id).soft_delete()
    for person in ("ben", "olga", "ana"):  # the author and the facilitator who hid it too
        auth.login(scene[person])
        assert hrefs(search(client, "sprockets")) == hrefs(search(client, "sprockets", scene["rust"])) == []
    with db.database.connection_context():
        Post.with_thread(hidden.id).unhide()
    assert hrefs(search(client, "sprockets")) == [permalink(hidden)]


def test_a_new_title_is_found_and_the_old_one_is_not(client, auth, scene):
    with db.database.connection_context():
        Thread.update(title="Ownership in pictures").where(Thread.id == scene["explained"].id).execute()
    auth.login(scene["ana"])
    assert hrefs(search(client, "explained")) == []
    assert found(search(client, "pictures"))[0].title_marks == ["pictures"]
    assert hrefs(search(client, "pictures")) == [permalink(scene["explained_post"])]  # the opening post only


def test_posts_that_go_with_their_thread_or_circle_leave_the_index(app, scene):
    with db.database.connection_context():
        before = db.database.execute_sql("SELECT count(*) FROM post_search").fetchone()[0]
        Thread.delete().where(Thread.id == scene["diary"].id).execute()
        Circle.delete().where(Circle.id == scene["secret"].id).execute()
        after = db.database.execute_sql("SELECT count(*) FROM post_search").fetchone()[0]
        shown = Post.select().where(Post.deleted_at.is_null() & Post.hidden_at.is_null()).count()
    assert before - after == 3 and after == shown


# ---- who finds what -------------------------------------------------------------------------------

def test_all_my_circles_means_the_circles_one_belongs_to(client, auth, scene, add_member):
    auth.login(scene["ana"])
    rows = found(search(client, "checker"))
    assert [row.circle for row in rows] == ["Rust Study"]  # not Secret Garden, Left Behind, nor Elsewhere
    add_member(scene["elsewhere"], scene["ana"])
    assert sorted(row.circle for row in found(search(client, "checker"))) == ["Elsewhere", "Rust Study"]


def test_a_circle_s_search_shows_its_own_posts_to_whoever_may_read_it(client, auth, scene):
    auth.login(scene["otto"])  # no member of Rust Study, which is public
    rows = found(search(client, "checker", scene["rust"]))
    assert [row.href for row in rows] == [permalink(scene["explained_post"])] and rows[0].circle is None
    auth.login(scene["ana"])
    assert [row.title for row in found(search(client, "checker", scene["elsewhere"]))] == ["Elsewhere"]
    assert [row.title for row in found(search(client, "garden", scene["rust"]))] == []


def test_a_private_circle_one_is_not_in_or_has_left_answers_not_found(client, auth, scene):
    auth.login(scene["ana"])
    for circle in (scene["secret"], scene["left"]):
        response = search(client, "borrow", circle)
        assert response.status_code == 404 and "borrow checker" not in response.get_data(as_text=True)
    auth.login(scene["olga"])
    assert [row.title for row in found(search(client, "borrow", scene["left"]))] == ["Left behind"]


def test_searching_needs_a_sign_in(client, scene):
    for response in (search(client, "borrow"), search(client, "borrow", scene["rust"])):
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert search(client, "borrow", scene["secret"]).status_code == 404


def test_in_most_circles_the_others_are_left_out(client, auth, scene, make_circle, add_member):
    """Over index.FEW_CIRCLES circles, the search names the circles one is not in: still none of theirs."""
    circles = [make_circle(scene["olga"], name=f"Circle {number}", visibility=PRIVATE)
               for number in range(index.FEW_CIRCLES + 2)]
    with db.database.connection_context():
        for number, circle in enumerate(circles):
            Thread.start(circle=circle, author=scene["olga"], title=f"Sprocket {number}", kind="discussion",
                         body="Sprockets here.")
    for circle in circles[:-1]:
        add_member(circle, scene["ana"])
    auth.login(scene["ana"])
    titles = sorted(row.title for row in found(search(client, "sprocket")))
    assert titles == [f"Sprocket {number}" for number in range(len(circles) - 1)]
    assert sorted(row.circle for row in found(search(client, "checker"))) == ["Rust Study"]


def test_results_link_to_the_post_on_its_page(client, auth, scene):
    with db.database.connection_context():
        thread = Thread.start(circle=scene["rust"], author=scene["ben"], title="Long", kind="discussion",
                              body="Opening.")
        last = None
        for number in range(POSTS_PER_PAGE + 2):
            last = thread.reply(author=scene["ana"], body=f"Reply {number}"
                                + (" about zebras" if number == POSTS_PER_PAGE + 1 else ""))
    auth.login(scene["ana"])
    (row,) = found(search(client, "zebras"))
    redirect = client.get(row.href)
    assert row.href == permalink(last) and redirect.status_code == 302
    assert redirect.headers["Location"].endswith(f"/t/{thread.id}?page=2#post-{last.id}")


# ---- paging, the page, htmx -----------------------------------------------------------------------

def test_results_come_twenty_to_a_page(client, auth, scene):
    with db.database.connection_context():
        posts = [scene["diary"].reply(author=scene["ben"], body=f"Gizmo number {number}.") for number in range(25)]
    auth.login(scene["ana"])
    first = search(client, "gizmo")
    assert hrefs(first) == [permalink(post) for post in reversed(posts[5:])]  # equal scores: newest first
    next_link = html(first).select_one("#search-results nav.pager a[rel=next]")
    assert next_link["href"] in ("/search?q=gizmo&page=2", "/search?page=2&q=gizmo")
    assert next_link["hx-target"] == "#search-results"
    second = client.get(next_link["href"])
    assert hrefs(second) == [permalink(post) for post in reversed(posts[:5])]
    assert html(second).select_one("nav.pager a[rel=prev]") and not html(second).select_one("nav.pager a[rel=next]")
    third = search(client, "gizmo", page=3)
    assert found(third) == [] and "No more results" in html(third).select_one("#search-results").get_text()
    for page in ("0", "x", "-1"):
        assert search(client, "gizmo", page=page).status_code == 404


def test_the_search_page_is_a_get_form_that_htmx_enhances(client, auth, scene):
    auth.login(scene["ana"])
    page = html(search(client, ""))
    form = page.select_one("form[role=search]")
    assert form["method"] == "get" and form["action"] == "/search" and form["hx-get"] == "/search"
    assert form["hx-target"] == "#search-results" and form["hx-push-url"] == "true"
    assert page.select_one("label[for=search-q]") and page.select_one("#search-q")["value"] == ""
    assert page.select_one("#search-results").get_text(strip=True) == ""  # nothing searched, nothing said
    part = client.get("/search?q=borrow", headers=HTMX)
    assert part.status_code == 200 and "HX-Request" in part.headers["Vary"]
    body = part.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="search-results"') and "<html" not in body
    assert html(part).select_one("h2")["autofocus"] is not None and len(found(part)) == 2


def test_a_search_box_sits_on_the_circle_page_and_my_circles_but_not_on_a_thread(client, auth, scene):
    auth.login(scene["ana"])
    circle_box = html(client.get(f"/c/{scene['rust'].slug}")).select_one("form[role=search]")
    assert circle_box["action"] == f"/c/{scene['rust'].slug}/search" and circle_box["method"] == "get"
    assert html(client.get("/")).select_one("form[role=search]")["action"] == "/search"
    assert html(client.get(f"/t/{scene['diary'].id}")).select_one("form[role=search]") is None
    page = html(search(client, "borrow", scene["rust"]))
    assert page.select_one("h1").get_text() == "Search this circle"
    assert page.select_one("#search-q")["value"] == "borrow"


# ---- input that is no search ----------------------------------------------------------------------

NASTY = ['"', '""', '"""', '"borrow', 'borrow"', "'", "''", "borrow' OR 1=1 --", "NEAR(borrow checker)",
         "NEAR(borrow checker, 2)", "borrow NEAR checker", "borrow*", "*borrow", "*", "**", "^borrow", "^",
         "title:borrow", "body:borrow", "circle:c1", ":", "{title body}: borrow", "{", "}", "(borrow", "borrow)",
         "(", ")", "()", "(borrow OR checker)", "AND", "OR", "NOT", "borrow AND", "OR borrow", "NOT borrow",
         "-borrow", "borrow -checker", "+borrow", "borrow & checker", "borrow | checker", "!borrow", "<->",
         "borrow <-> checker", "borrow:*", "borrow:A", "\\", "\\\"", "%", "_", "%_", "\x00", "borrow\x00checker",
         "\t\n", "🦀", "🦀 borrow", "Ω≈ç√", "ǅ", "e\u0301", "\u200b", "\u202e", "a" * LENGTH_MAX,
         "borrow " * (LENGTH_MAX // 7), "<script>alert(1)</script>", "&amp;", "c1", "c999999999999999999999"]


@pytest.mark.parametrize("words", NASTY)
def test_syntax_characters_and_odd_input_get_an_answer_never_an_error(client, auth, scene, words):
    auth.login(scene["ana"])
    for response in (search(client, words), search(client, words, scene["rust"]),
                     client.get("/search", query_string={"q": words}, headers=HTMX)):
        assert response.status_code == 200, (words, response.status_code)
        section = html(response).select_one("#search-results")
        assert section is not None and "<script>" not in response.get_data(as_text=True)
        assert all(row.circle in (None, "Rust Study") for row in found(response))


@FUZZ
@given(words=typed)
def test_any_text_at_all_gets_a_page_never_an_error(client, auth, scene, words):
    auth.login(scene["ana"])
    for response in (search(client, words), search(client, words, scene["rust"])):
        assert response.status_code == 200 and html(response).select_one("#search-results") is not None


def test_the_circle_token_is_never_a_word_one_can_find(client, auth, scene):
    auth.login(scene["ana"])
    assert hrefs(search(client, f"c{scene['rust'].id}")) == []
    assert hrefs(search(client, f"circle:c{scene['secret'].id} borrow")) == []


def test_an_overlong_search_or_one_of_too_many_words_is_refused_with_the_reason(client, auth, scene):
    auth.login(scene["ana"])
    response = search(client, "borrow " + "x" * LENGTH_MAX)
    page = html(response)
    assert response.status_code == 200 and found(response) == []
    assert page.select_one("#search-results [role=alert]").get_text() == "Keep the search to 200 characters or fewer."
    assert len(page.select_one("#search-q")["value"]) == LENGTH_MAX
    response = search(client, " ".join(f"word{number}" for number in range(WORDS_MAX + 1)))
    assert html(response).select_one("[role=alert]").get_text() == "Search for 12 words or fewer at a time."
    response = search(client, '"*" ()', scene["rust"])
    assert "Type a word or a number" in html(response).select_one("[role=alert]").get_text()
    assert "Nothing found" in html(search(client, "zzzzzz")).select_one("#search-results").get_text()


# ---- the query, the index and its upkeep ----------------------------------------------------------

def test_what_was_typed_becomes_quoted_words_and_never_syntax():
    query = parse(' Borrow "the checker" NEAR(x) ^a* Lösung ')
    assert query.groups == (("Borrow",), ("the", "checker"), ("NEAR",), ("x",), ("a",), ("Lösung",))
    assert query.prefix and query.prefix_word == "losung"
    assert query.fts5() == '"Borrow" "the checker" "NEAR" "x" "a" "Lösung"*'
    assert query.tsquery() == "'Borrow' & ('the' <-> 'checker') & 'NEAR' & 'x' & 'a' & 'Lösung':*"
    assert parse('"closed phrase"').prefix is False and parse("ab").prefix is False
    assert parse('open "quote') == Query((("open",), ("quote",)), True)
    assert parse("rust rust Rust").groups == (("rust",), ("Rust",))
    assert parse("") is None and parse("   ") is None and parse(None) is None
    for text, reason in (("x" * (LENGTH_MAX + 1), Refused.TOO_LONG), ('" * ( ) :', Refused.NO_WORDS),
                         (" ".join("w" * (n + 1) for n in range(WORDS_MAX + 1)), Refused.TOO_MANY_WORDS)):
        with pytest.raises(Refused) as refused:
            parse(text)
        assert refused.value.reason == reason


def test_marks_fold_words_as_the_index_does_and_keep_the_text_as_written():
    query = parse("losung uber istanbul lifetim")
    assert marks.title_pieces("Die Lösung: ÜBER-Straße", query) == [
        ("Die ", False), ("Lösung", True), (": ", False), ("ÜBER", True), ("-Straße", False)]
    # A letter whose lower case is longer, an accent typed on its own: read word by word, marked the same.
    assert marks.title_pieces("İstanbul, Lo\u0308sung", query) == [
        ("İstanbul", True), (", ", False), ("Lo\u0308sung", True)]
    assert marks.title_pieces("lifetime lifetimes alifetimes", query) == [
        ("lifetime", True), (" ", False), ("lifetimes", True), (" alifetimes", False)]
    far = "<p>" + "x " * 200 + "Lösung" + " y" * 200 + "</p>"
    pieces = marks.snippet_pieces(far, query)
    assert pieces[0] == ("… ", False) and pieces[-1] == (" …", False) and ("Lösung", True) in pieces
    assert marks.snippet_pieces("<p>Nothing <em>here</em> at&nbsp;all.</p>", query) == [("Nothing here at all.", False)]
    assert marks.snippet_pieces("", query) == []


def test_the_migration_fills_the_index_with_the_posts_there_are(app, scene):
    migration = importlib.import_module("learncircle.migrations.0011_search")
    with db.database.connection_context():
        shown = {post.id for post in Post.select().where(Post.deleted_at.is_null() & Post.hidden_at.is_null())}
        Post.with_thread(scene["mention"].id).soft_delete()
        with db.atomic():
            migration.down(None, db.database.obj)
            migration.up(None, db.database.obj)
        indexed = {row for (row,) in db.database.execute_sql("SELECT rowid FROM post_search")}
        title = db.database.execute_sql("SELECT title FROM post_search WHERE rowid = ?",
                                        (scene["explained_post"].id,)).fetchone()
    assert indexed == shown - {scene["mention"].id} and title == ("Borrow checker explained",)


def test_the_index_s_triggers_survive_a_later_migration_that_copies_the_post_table(client, auth, app, scene):
    """SQLite changes a column by copying the table (db._SqliteMigrator keeps the copy's triggers)."""
    import peewee

    def triggers():
        return {name for (name,) in db.database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}

    with db.database.connection_context():
        made = triggers()
        runner = db.migrator()
        with runner.migrator.migration_context():
            runner.migrator.migrate(runner.migrator.add_column("post", "later_count", peewee.IntegerField(default=0)))
        assert triggers() == made >= {"post_search_insert", "post_search_update", "post_search_delete",
                                      "post_search_thread"}
        Post.get_by_id(scene["mention"].id).edit("Now about gearboxes.")
    auth.login(scene["ana"])
    assert hrefs(search(client, "gearboxes")) == [permalink(scene["mention"])]


def test_a_search_reads_the_index_and_then_only_its_page_s_rows(app, scene, monkeypatch):
    """EXPLAIN QUERY PLAN: the full-text index answers the match; post, thread, circle and author are read by
    their keys, for the page's rows only; no table is read whole."""
    database, seen = db.database.obj, []
    real = database.execute_sql
    monkeypatch.setattr(database, "execute_sql", lambda sql, params=None, *args, **kwargs: (
        seen.append((sql, params)), real(sql, params, *args, **kwargs))[1])
    with db.database.connection_context():
        results = index.find(parse("borrow"), [scene["rust"].id, scene["left"].id])
        (sql, params), = [(sql, params) for sql, params in seen if "post_search" in sql]
        steps = [row[-1] for row in real("EXPLAIN QUERY PLAN " + sql, params).fetchall()]
    assert len(results.items) == 3  # the domain searches the circles it is given: a view gives the readable ones
    assert any(step.startswith("SCAN post_search VIRTUAL TABLE INDEX") for step in steps), steps
    # "hit": the page's rows, at most PER_PAGE + 1, ranked from the index's newest CANDIDATES matches.
    assert not [step for step in steps if step.startswith("SCAN") and "post_search" not in step
                and "subquery" not in step and step != "SCAN hit"], steps
    for table in ("p", "t", "c", "u"):
        assert any(step.startswith(f"SEARCH {table} USING INTEGER PRIMARY KEY") for step in steps), steps


def test_facilitators_and_the_admin_search_as_what_they_are(client, auth, scene, make_user, add_member):
    facilitator = make_user("fred")
    add_member(scene["rust"], facilitator, FACILITATOR)
    admin = make_user("root", is_admin=True)
    auth.login(facilitator)
    assert [row.circle for row in found(search(client, "checker"))] == ["Rust Study"]
    auth.login(admin)  # sees every circle's page, so every circle's search; "all my circles" covers none
    assert found(search(client, "checker")) == []
    assert [row.title for row in found(search(client, "checker", scene["secret"]))] == ["Garden secrets"]
