"""Every string a page shows is marked for translation: the pseudo-language test.

Every page and fragment the access matrix reaches (each route, as each role, as a whole page and as
htmx asks for it, a form sent whole and sent empty) is rendered in a pseudo-language whose catalogue,
built here from the strings marked in the source right now, translates each of them to ⟦itself⟧. Its
dates and numbers are Russian (Cyrillic), and the world's own content (names, titles, posts) is wrapped
in «…». Whatever Latin-letter word is left outside ⟦…⟧ and «…», in the text or in `title`,
`placeholder`, `aria-label`, `alt` and a button's `value`, was never marked: the failure lists each,
under the first page that showed it.
"""
import csv
import io
import json
import re
from collections import defaultdict

import shutil

import pytest
from bs4 import BeautifulSoup

from learncircle import create_app, db, text
from learncircle.audit import AuditEvent
from learncircle.moderation.models import LogEntry, Removed
from learncircle.accounts.models import User
from learncircle.circles.models import PUBLIC, Circle
from learncircle.discussions.models import Post, Thread
from learncircle.meetings.models import Meeting, Occurrence, Poll, Reflection
from learncircle.notices.models import Notice
from learncircle.reviews.models import (Criterion, CriterionResponse, Review, ReviewRound, RevisionPlan,
                                        SubmissionVersion)
from tests import test_access_matrix as matrix
from tests.i18n_helpers import CLOSE, OPEN, write_pseudo_catalogue

PSEUDO = "ru"  # its dates and numbers are Cyrillic, so no word of theirs looks like English
USER_OPEN, USER_CLOSE = "«", "»"
USERNAME_PREFIX = "zq"

# Words that are the same in every language: names, and the units and abbreviations of other standards.
ALLOWED = {"LearnCircle", "English", "Markdown", "CSV", "UTC", "GMT", "URL", "https", "http", "htmx"}

# The world's own words, wrapped in «…» so they are told apart from the interface's: (model, columns).
USER_TEXT = [
    (User, ("display_name", "pronouns", "bio")), (Circle, ("name", "purpose", "goals", "conduct")),
    (Thread, ("title",)), (Post, ("body", "hidden_reason")), (ReviewRound, ("title", "brief")),
    (Criterion, ("name", "description")), (CriterionResponse, ("comment",)),
    (Review, ("what_works", "could_be_better", "helpfulness_note", "flag_reason")),
    (SubmissionVersion, ("body",)), (RevisionPlan, ("body",)),
    (AuditEvent, ("actor_name", "subject", "reason")),
    (LogEntry, ("reason",)), (Removed, ("title", "body")),  # moderation: the log's reasons, what was deleted
    (Meeting, ("title", "agenda", "place", "cancel_reason")), (Occurrence, ("notes", "cancel_reason")),  # meetings/
    (Poll, ("title",)), (Reflection, ("went_well", "to_change")),
]
# Form fields whose values are people's words (the rest are choices, numbers, dates and addresses).
FREE_TEXT = {"title", "body", "name", "purpose", "goals", "conduct", "reason", "what_works", "could_be_better",
             "brief", "display_name", "bio", "pronouns", "new-criterion-name", "note", "notes", "went_well",
             "to_change", "agenda", "place"}


def wrap(value):
    return f"{USER_OPEN}{value}{USER_CLOSE}" if value else value


def wrap_lines(markdown):
    """Each line of Markdown wrapped on its own, after a list item's mark: a code of conduct's numbered points
    are also shown one by one (a flag's choices)."""
    return "\n".join(re.sub(r"^(\s*(?:\d+[.)]|[-*])\s+)?(.+)$", lambda m: (m.group(1) or "") + wrap(m.group(2)), line)
                     if line.strip() else line for line in markdown.split("\n"))


def mark_the_worlds_words():
    """Wrap every stored word people wrote in «…» (rendering Markdown again) and rename the accounts."""
    for model, columns in USER_TEXT:
        for row in model.select():
            changes = {}
            for column in columns:
                value = getattr(row, column)
                if value:
                    changes[column] = wrap_lines(value) if column == "conduct" else wrap(value)
                    html_column = f"{column}_html"
                    if html_column in model._meta.fields:
                        changes[html_column] = text.render_markdown(changes[column])
            if changes:
                model.update(changes).where(model.id == row.id).execute()
    for criterion in Criterion.select():
        levels = [wrap(level) for level in json.loads(criterion.levels or "[]")]
        Criterion.update(levels=json.dumps(levels)).where(Criterion.id == criterion.id).execute()
    for notice in Notice.select():
        params = {name: wrap(value) if isinstance(value, str) else value
                  for name, value in json.loads(notice.params).items()}
        Notice.update(params=json.dumps(params)).where(Notice.id == notice.id).execute()
    for user_id, username in list(User.select(User.id, User.username).tuples()):
        User.update(username=USERNAME_PREFIX + username).where(User.id == user_id).execute()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pseudo")
    write_pseudo_catalogue(folder / "translations", PSEUDO)
    template, live = folder / "template.sqlite3", folder / "live.sqlite3"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{live}", "SECRET_KEY": "pseudo",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "_TRANSLATIONS_DIR": str(folder / "translations")})
    db.upgrade()
    with db.database.connection_context():
        built = matrix.World(PUBLIC)
        mark_the_worlds_words()
        db.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    built.args["username"] = USERNAME_PREFIX + built.args["username"]
    shutil.copy(live, template)
    built.app, built.template, built.live, built.visibility = app, template, live, PUBLIC
    return built


# ---- finding what was not marked -------------------------------------------------------------------

GONE = "\x00"  # where a marked string was, while the ones around it are taken out
NESTED = re.compile(re.escape(OPEN) + "[^" + OPEN + CLOSE + "]*" + re.escape(CLOSE))
USERS = re.compile(USER_OPEN + "[^" + USER_OPEN + USER_CLOSE + "]*" + USER_CLOSE)
NOT_WORDS = [re.compile(pattern) for pattern in (
    r"https?://\S+", r"\S+@\S+\.\w+", r"@?" + USERNAME_PREFIX + r"[\w.-]+", r"/[\w/.-]+",  # addresses, names, paths
    r"\b(?:UTC|GMT)?[+−-]\d{1,2}(?::\d\d)?\b",  # zone offsets
    r"(?<=:\d\d )[A-Z]{2,5}\b",  # a zone abbreviation after a time ("… 07:34 CET")
)]
WORD = re.compile(r"[A-Za-z]{2,}")
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
SKIPPED = {"script", "style", "time", "textarea", "code", "pre"}
BLOCKS = {"title", "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "section",
          "header", "footer", "nav", "main", "article", "aside", "form", "fieldset", "legend", "label", "button",
          "table", "caption", "tr", "td", "th", "option", "summary", "details", "figcaption", "blockquote", "br",
          "select"}


def strip_marked(text):
    """The text with what is marked (⟦…⟧, innermost first: a marked string may hold another as a value),
    people's words («…») and addresses taken out."""
    previous = None
    while previous != text:
        previous, text = text, NESTED.sub(GONE, text)
    text = USERS.sub(USER_OPEN + USER_CLOSE, text)
    for pattern in NOT_WORDS:
        text = pattern.sub(" ", text)
    return text.replace(GONE, OPEN + "…" + CLOSE)


def has_words(text):
    return any(word not in ALLOWED for word in WORD.findall(text))


def unmarked(text):
    """The text, when English words remain in it once what is marked is taken out (else None)."""
    return " ".join(strip_marked(text).split()) if has_words(strip_marked(text)) else None


def unmarked_runs(text):
    """Each run of unmarked English in a page's whole text, with what is marked shown as ⟦⟧ around it."""
    left = strip_marked(text)
    runs = []
    for line in re.split(r"\n\s*\n|\n", left):
        line = " ".join(line.split())
        if has_words(line):
            runs.append(line)
    return runs


def problems_in(response):
    """Unmarked text in a response: (where, text) pairs. Redirects are never seen, so never read."""
    kind = response.mimetype
    if 300 <= response.status_code < 400:
        return []
    if kind not in ("text/html", "text/csv"):
        return []  # a download of another kind (your data's ZIP) is not text to read
    body = response.get_data(as_text=True)
    if kind == "text/csv":
        header = next(csv.reader(io.StringIO(body)), [])
        return [("CSV heading", cell) for cell in header if unmarked(cell)]
    if kind != "text/html" or not body.strip():
        return []
    soup = BeautifulSoup(body, "html.parser")
    found = []
    for element in soup.find_all(True):
        for attribute in ATTRIBUTES:
            if element.has_attr(attribute) and unmarked(element[attribute]):
                found.append((f"{element.name}[{attribute}]", unmarked(element[attribute])))
        if (element.name == "input" and element.get("type") in ("submit", "button", "reset")
                and element.has_attr("value") and unmarked(element["value"])):
            found.append(("input[value]", unmarked(element["value"])))
        if element.name == "meta" and element.get("name") == "description" and unmarked(element.get("content", "")):
            found.append(("meta description", unmarked(element["content"])))
    for element in soup.find_all(SKIPPED):
        element.decompose()
    for select in soup.find_all("select", attrs={"name": "timezone"}):
        select.decompose()  # the zone database's names
    # The whole text at once: a marked sentence may hold markup, so its ⟦ and ⟧ sit in different elements;
    # a sentence never spans blocks, so each block is a line of its own.
    for element in soup.find_all(BLOCKS):
        element.insert_before("\n")
        element.append("\n")
    found += [("text", run) for run in unmarked_runs(soup.get_text())]
    return found


# ---- visiting every page ----------------------------------------------------------------------------

def form_for(world, endpoint):
    form = {}
    for key, value in matrix.FORMS.get(endpoint, {}).items():
        key, value = key.format(**world.args), str(value).format(**world.args)
        form[key] = wrap(value) if key in FREE_TEXT or key.startswith("comment-") or key.endswith("-note") else value
    return form


def visits(world):
    """(label, response) for every page and fragment the access matrix reaches, as every role."""
    cases = [(endpoint, method, False) for endpoint, method in sorted(matrix.POLICIES)]
    cases += [(endpoint, method, True) for endpoint, method in sorted(matrix.LIVE_ROUND)]
    headers = {"Accept-Language": PSEUDO}
    htmx = {**headers, "HX-Request": "true", "HX-Current-URL": "http://localhost/"}
    for endpoint, method, live in cases:
        if endpoint in ("static", "vendor.static"):
            continue
        url = matrix.url_of(world, endpoint, live=live)
        for role in matrix.ROLES:
            ways = [("page", headers, None, True), ("htmx", htmx, None, False)]
            if method == "POST":
                ways.append(("sent empty", headers, {}, False))
            for way, sent_headers, form, follow in ways:
                matrix.restore(world)
                client = world.app.test_client()
                if role != "anonymous":
                    with client.session_transaction() as session:
                        session["_user_id"] = world.ids[role]
                data = form_for(world, endpoint) if form is None else form
                response = client.open(url, method=method, headers=sent_headers,
                                       data=data if method == "POST" else None, follow_redirects=follow)
                yield f"{method} {url} as {role} ({way}, {response.status_code})", response


def test_every_string_a_page_shows_is_marked_for_translation(world):
    first_seen, pages_of = {}, defaultdict(set)
    visited = 0
    for label, response in visits(world):
        visited += 1
        assert response.status_code < 500, f"{label}: server error"
        for where, shown in problems_in(response):
            key = (where, shown)
            first_seen.setdefault(key, label)
            pages_of[key].add(label)
    assert visited > 500, "the pages of the access matrix were not visited"
    by_page = defaultdict(list)
    for key, label in first_seen.items():
        by_page[label].append(key)
    report = []
    for label in sorted(by_page):
        report.append(f"\n{label}:")
        for where, shown in sorted(by_page[label]):
            others = len(pages_of[(where, shown)]) - 1
            also = f"   (and {others} more)" if others else ""
            report.append(f"    {where}: {shown[:160]!r}{also}")
    assert not first_seen, (f"{len(first_seen)} strings shown but not marked for translation, on {len(by_page)} "
                            f"pages (each under the first page that showed it; ⟦…⟧ is marked, «…» people's words):"
                            + "\n".join(report))


def test_the_checker_tells_marked_from_unmarked():
    assert unmarked("⟦Reply⟧") is None
    assert unmarked("⟦Due ⟦tomorrow⟧ for «Essays»⟧.") is None
    assert unmarked("«Matrix Circle» · ⟦3 members⟧") is None
    assert unmarked("Reply") == "Reply"
    assert unmarked("⟦Saved⟧ zqmember https://example.org/x, ср, 9 дек. 2026 г., 07:34 CET") is None
    assert unmarked("⟦Saved⟧ just now") == "⟦…⟧ just now"
    assert unmarked("⟦⟦3 members⟧ in «Matrix»⟧ · Joined") == "⟦…⟧ · Joined"
    assert unmarked_runs("⟦Median: \n3⟧\n⟦Submitted⟧\nRedirecting\n") == ["Redirecting"]


def test_the_checker_reads_text_and_attributes(app):
    page = ('<!doctype html><html lang="ru"><head><title>⟦Notices⟧ · LearnCircle</title>'
            '<meta name="description" content="A learning community"></head><body>'
            '<p>⟦Due <strong>⟦tomorrow⟧</strong>⟧ <time datetime="x">3 hours ago</time></p>'
            '<button title="⟦Edit⟧" aria-label="Edit post">✎</button><input type="submit" value="Send">'
            '<img alt="⟦A picture⟧" src="/x.png"><p>Skip to content</p><pre>print("hello")</pre></body></html>')
    with app.test_request_context():
        response = app.response_class(page, mimetype="text/html")
        assert sorted(problems_in(response)) == [
            ("button[aria-label]", "Edit post"), ("input[value]", "Send"),
            ("meta description", "A learning community"), ("text", "Skip to content")]
        redirect = app.response_class("Redirecting...", status=303, mimetype="text/html")
        assert problems_in(redirect) == []
