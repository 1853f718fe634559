"""Every shipped catalogue is complete and up to date: each string marked in the code is in messages.pot,
and every language translates every one of them, none fuzzy, placeholders and plural forms intact.

When one fails: run `make messages`, translate what it lists (docs/translating.md), run it again.
"""
import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from tests.i18n_helpers import ROOT, TRANSLATIONS, extracted

PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def catalogue_codes():
    return sorted(path.parent.parent.name for path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def read(path, code=None):
    with open(path, "rb") as source:
        return read_po(source, locale=code)


def ids(catalogue):
    return {(message.context, message.id if isinstance(message.id, str) else tuple(message.id))
            for message in catalogue if message.id}


def placeholders(text):
    """The named placeholders of a %-format string (a literal %% is none)."""
    return {name for name in PLACEHOLDER.findall(text) if name}


def describe(message):
    first = message.id if isinstance(message.id, str) else message.id[0]
    where = f" ({message.locations[0][0]}:{message.locations[0][1]})" if message.locations else ""
    return f"{first[:90]!r}{where}"


def test_languages_are_shipped():
    assert {"de", "es"} <= set(catalogue_codes())


def test_every_marked_string_is_in_the_template():
    """`make messages` was run since the last string was marked or changed."""
    template = read(TRANSLATIONS / "messages.pot")
    missing = sorted(ids(extracted()) - ids(template), key=str)
    stale = sorted(ids(template) - ids(extracted()), key=str)
    assert not missing and not stale, (
        f"messages.pot is out of date: run `make messages`.\n  {len(missing)} marked strings missing from it, e.g. "
        f"{[m[1] for m in missing[:8]]}\n  {len(stale)} no longer in the code, e.g. {[m[1] for m in stale[:8]]}")


def test_marked_strings_can_be_extracted():
    """A marked f-string, or a marked string built by concatenation, cannot be translated: Babel skips it."""
    script = ("import sys; sys.path.insert(0, %r); from tests.i18n_helpers import extracted; extracted()"
              % str(ROOT))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    warnings = [line for line in result.stderr.splitlines() if "warning" in line.lower()]
    assert not warnings, "strings marked so that they cannot be translated:\n" + "\n".join(warnings)


@pytest.mark.parametrize("code", catalogue_codes())
def test_the_catalogue_is_complete(code):
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    catalogue = read(path, code)
    template = read(TRANSLATIONS / "messages.pot")
    problems = []
    missing = ids(template) - ids(catalogue)
    if missing:
        problems.append(f"{len(missing)} strings of messages.pot are not in it (run `make messages`)")
    untranslated, fuzzy = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy:
            fuzzy.append(describe(message))
        elif not all(strings):
            untranslated.append(describe(message))
    if untranslated:
        problems.append(f"{len(untranslated)} untranslated, e.g. " + "; ".join(untranslated[:10]))
    if fuzzy:
        problems.append(f"{len(fuzzy)} fuzzy (check each and clear its flag), e.g. " + "; ".join(fuzzy[:10]))
    assert not problems, f"{path.relative_to(ROOT)}: " + "\n  ".join(problems)


@pytest.mark.parametrize("code", catalogue_codes())
def test_translations_keep_their_placeholders_and_plural_forms(code):
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    catalogue = read(path, code)
    problems = []
    # Babel's own checkers: python-format placeholders compatible, and as many plural forms as the language has.
    for message, errors in catalogue.check():
        problems += [f"{describe(message)}: {error}" for error in errors]
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, str):
            wanted, strings = placeholders(message.id), [message.string]
        else:
            wanted, strings = placeholders(message.id[0]) | placeholders(message.id[1]), list(message.string)
        for string in strings:
            if not string:
                continue
            got = placeholders(string)
            # A plural form may leave out the number ("one review" in place of "1 review"), nothing else.
            allowed_missing = {"num", "count"} if not isinstance(message.id, str) else set()
            if got - wanted or (wanted - got) - allowed_missing:
                problems.append(f"{describe(message)}: placeholders {sorted(got)} in {string[:60]!r}, "
                                f"the original has {sorted(wanted)}")
    header = catalogue.plural_forms
    assert header, f"{path}: no Plural-Forms header"
    assert not problems, f"{path.relative_to(ROOT)}:\n  " + "\n  ".join(problems)


# ---- the shipped catalogues in use -------------------------------------------------------------------

SHIPPED = {
    # language: (log out, the reply button, "3 replies" in the thread list, how Monday 2 March 2026 at 10:00
    # in Berlin is written)
    "de": ("Abmelden", "Antwort senden", "3 Antworten", "Mo., 2. März 2026, 10:00 CET"),
    "es": ("Cerrar sesión", "Publicar respuesta", "3 respuestas", "lun, 2 mar 2026, 10:00 CET"),
}


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_a_browser_asking_for_a_shipped_language_reads_the_pages_in_it(code, client, auth, make_user, make_circle,
                                                                       frozen_clock):
    """What a learner sees with the shipped catalogues: the layout, a form, plural forms and dates in it."""
    from learncircle.discussions.models import DISCUSSION, Thread
    from tests.helpers import html

    log_out, reply, replies, written = SHIPPED[code]
    owner = make_user(timezone="Europe/Berlin")
    circle = make_circle(owner)
    thread = Thread.start(circle=circle, author=owner, title="Chapter one", kind=DISCUSSION, body="Hello")
    for number in range(3):
        thread.reply(author=owner, body=f"Reply {number}")
    auth.login(owner)
    asks = {"Accept-Language": f"{code};q=0.9, en;q=0.5"}

    page = html(client.get(f"/t/{thread.id}", headers=asks))
    assert page.html["lang"] == code
    assert page.find("button", string=log_out) and page.find("button", string=reply)
    assert page.find("article").find("time")["title"] == written
    listing = html(client.get(f"/c/{circle.slug}", headers=asks)).get_text(" ")
    assert replies in listing
