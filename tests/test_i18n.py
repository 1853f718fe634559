"""Languages: which one a page speaks, its catalogues, dates and times in it, and notices said in the reader's.

The app here reads small catalogues written by the tests (German and Spanish with a few strings), so
what is tested is the machinery, whatever the shipped catalogues hold today.
"""
import datetime as dt
import json
import os
import time
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from flask import render_template_string
from hypothesis import example, given
from hypothesis import strategies as st
from markupsafe import escape

from learncircle import catalogues, create_app, db, i18n, timefmt
from learncircle.accounts.models import User
from learncircle.notices import kinds
from learncircle.notices.models import Notice
from tests.helpers import html

PO_HEADER = '''msgid ""
msgstr ""
"Language: {code}\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"Content-Type: text/plain; charset=utf-8\\n"
'''
GERMAN = {
    "Log out": "Abmelden",
    "Notices": "Mitteilungen",
    "Your profile is saved.": "Dein Profil ist gespeichert.",
    "just now": "gerade eben",
    "Hello <b>%(name)s</b>": "Hallo <b>%(name)s</b>",
    "You have a new review to do in “%(round)s”.": "Du hast in „%(round)s“ ein neues Review zu schreiben.",
    ("Reminder: you have %(num)d review to finish in “%(round)s”.",
     "Reminder: you have %(num)d reviews to finish in “%(round)s”."):
        ("Erinnerung: In „%(round)s“ ist noch %(num)d Review offen.",
         "Erinnerung: In „%(round)s“ sind noch %(num)d Reviews offen."),
}
SPANISH = {"Log out": "Cerrar sesión", "Notices": "Avisos"}


def write_po(directory, code, messages):
    folder = directory / code / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    entries = [PO_HEADER.format(code=code)]
    for msgid, msgstr in messages.items():
        if isinstance(msgid, tuple):
            entries.append(f"msgid {json.dumps(msgid[0], ensure_ascii=False)}\n"
                           f"msgid_plural {json.dumps(msgid[1], ensure_ascii=False)}\n"
                           + "".join(f"msgstr[{n}] {json.dumps(form, ensure_ascii=False)}\n"
                                     for n, form in enumerate(msgstr)))
        else:
            entries.append(f"msgid {json.dumps(msgid, ensure_ascii=False)}\n"
                           f"msgstr {json.dumps(msgstr, ensure_ascii=False)}\n")
    (folder / "messages.po").write_text("\n".join(entries), encoding="utf-8")
    return folder / "messages.po"


@pytest.fixture
def translations(tmp_path):
    directory = tmp_path / "translations"
    write_po(directory, "de", GERMAN)
    write_po(directory, "es", SPANISH)
    return directory


@pytest.fixture
def settings():
    return {}


@pytest.fixture
def app(tmp_path, translations, settings):
    """The conftest app, reading the catalogues above."""
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
                      "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "_TRANSLATIONS_DIR": str(translations), **settings})
    db.upgrade()
    yield app
    db.close_all()


def lang_of(response):
    return html(response).html["lang"]


# ---- the shipped languages -------------------------------------------------------------------------

def test_the_shipped_languages_are_english_and_each_catalogue_named_in_itself(app):
    shipped = create_app({"TESTING": True, "DATABASE_URL": "sqlite:///:memory:", "SECRET_KEY": "x"})
    assert i18n.language_choices(shipped) == [("en", "English"), ("de", "Deutsch"), ("es", "Español")]
    assert i18n.languages(app) == ("en", "de", "es")


# ---- choosing the language -------------------------------------------------------------------------

@pytest.mark.parametrize("asked, expected", [
    ("de-DE,de;q=0.9,en;q=0.5", "de"),
    ("es-MX", "es"),  # a region of a language LearnCircle speaks
    ("fr-FR,fr;q=0.9,es;q=0.4", "es"),  # the best LearnCircle has
    ("fr", "en"),
    (None, "en"),
])
def test_signed_out_pages_follow_the_browser(client, make_user, asked, expected):
    make_user()  # past the first-run setup
    headers = {"Accept-Language": asked} if asked else {}
    page = client.get("/login", headers=headers)
    assert lang_of(page) == expected
    if expected == "de":
        assert "Mitteilungen" not in page.get_data(as_text=True)  # signed out: no notices link
    error = client.get("/no-such-page", headers=headers)
    assert error.status_code == 404 and lang_of(error) == expected


@pytest.mark.parametrize("settings", [{"DEFAULT_LANGUAGE": "es"}])
def test_without_a_browser_preference_the_instance_default_speaks(client, make_user, settings):
    make_user()
    assert lang_of(client.get("/login")) == "es"
    assert lang_of(client.get("/login", headers={"Accept-Language": "fr"})) == "es"
    assert lang_of(client.get("/login", headers={"Accept-Language": "de"})) == "de"


def test_an_unknown_default_language_stops_the_start(tmp_path, translations):
    with pytest.raises(ValueError, match="DEFAULT_LANGUAGE must be one of en, de, es, not 'fr'"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "x",
                    "_TRANSLATIONS_DIR": str(translations), "DEFAULT_LANGUAGE": "fr"})


def test_the_profile_setting_beats_the_browser_and_empty_follows_it(client, auth, make_user):
    person = auth.login(make_user())
    german = {"Accept-Language": "de"}
    page = client.get("/", headers=german)
    assert lang_of(page) == "de" and "Abmelden" in page.get_data(as_text=True)
    with db.database.connection_context():
        User.update(language="es").where(User.id == person.id).execute()
    page = client.get("/", headers=german)
    assert lang_of(page) == "es" and "Cerrar sesión" in page.get_data(as_text=True)
    with db.database.connection_context():
        User.update(language="fr").where(User.id == person.id).execute()  # a language no longer shipped
    assert lang_of(client.get("/", headers=german)) == "de"


def test_choosing_a_language_in_the_profile(client, auth, make_user):
    person = auth.login(make_user(display_name="Ana"))
    form = html(client.get("/settings/profile", headers={"Accept-Language": "de"}))
    select = form.select_one("select#language")
    options = [(option["value"], option.get_text(), option.get("lang")) for option in select.select("option")]
    assert options[1:] == [("en", "English", "en"), ("de", "Deutsch", "de"), ("es", "Español", "es")]
    assert options[0][0] == "" and "selected" in select.select("option")[0].attrs  # follows the browser
    assert form.find("label", attrs={"for": "language"}) is not None

    data = {"display_name": "Ana", "bio": "", "timezone": "UTC", "pronouns": "", "language": "de"}
    saved = client.post("/settings/profile", data=data, headers={"Accept-Language": "es"}, follow_redirects=True)
    assert lang_of(saved) == "de" and "Dein Profil ist gespeichert." in saved.get_data(as_text=True)
    with db.database.connection_context():
        assert User.get_by_id(person.id).language == "de"
    refused = client.post("/settings/profile", data={**data, "language": "fr"})
    assert refused.status_code == 422
    client.post("/settings/profile", data={**data, "language": ""})
    with db.database.connection_context():
        assert User.get_by_id(person.id).language == ""
    assert lang_of(client.get("/", headers={"Accept-Language": "es"})) == "es"


def test_the_language_is_chosen_once_per_request(client, auth, make_user, monkeypatch):
    auth.login(make_user())
    calls = []
    original = i18n._chosen_code
    monkeypatch.setattr(i18n, "_chosen_code", lambda: calls.append(1) or original())
    assert lang_of(client.get("/", headers={"Accept-Language": "de"})) == "de"
    assert len(calls) == 1


def test_flask_babel_agrees_with_the_page(app):
    """Flask-Babel's own get_locale (what its format_* functions use) says what the page says."""
    from flask_babel import get_locale
    with app.test_request_context("/", headers={"Accept-Language": "es, de;q=0.5"}):
        assert str(get_locale()) == i18n.page_language() == "es"
        assert i18n.gettext("Notices") == "Avisos"


@pytest.mark.parametrize("environment, expected", [
    ({"LANG": "de_DE.UTF-8"}, "de"), ({"LANG": "C.UTF-8"}, "es"), ({"LANG": "fr_FR.UTF-8"}, "es"),
    ({"LANGUAGE": "fr:es", "LANG": "fr_FR.UTF-8"}, "es"), ({"LC_ALL": "de_AT.UTF-8", "LANG": "es_ES"}, "de"),
    ({}, "es"),
])
def test_the_command_line_speaks_the_shells_language(app, monkeypatch, environment, expected):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    app.config["DEFAULT_LANGUAGE"] = "es"
    with app.app_context():
        assert str(i18n.choose_language()) == expected


# ---- gettext in templates and Python ---------------------------------------------------------------

def test_templates_translate_with_named_values_escaped(app):
    source = ('{{ _("Hello <b>%(name)s</b>", name=who) }}|{{ _("Log out") }}|{{ _("100%% sure") }}|'
              '{% trans count=n %}{{ count }} reply{% pluralize %}{{ count }} replies{% endtrans %}|'
              '{{ ngettext("Reminder: you have %(num)d review to finish in “%(round)s”.", '
              '"Reminder: you have %(num)d reviews to finish in “%(round)s”.", n, round=who) }}')
    with app.test_request_context(headers={"Accept-Language": "de"}):
        shown = render_template_string(source, who="<Ada>", n=3)
    assert shown == ("Hallo <b>&lt;Ada&gt;</b>|Abmelden|100% sure|3 replies|"
                     "Erinnerung: In „&lt;Ada&gt;“ sind noch 3 Reviews offen.")
    with app.test_request_context():
        assert render_template_string(source, who="Ada", n=1).startswith("Hello <b>Ada</b>|Log out|100% sure|1 reply|")


def test_python_gettext_follows_the_request(app):
    from flask_babel import gettext
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert gettext("Hello <b>%(name)s</b>", name="Ada") == "Hallo <b>Ada</b>"
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert gettext("Notices") == "Avisos"


# ---- compiled catalogues -----------------------------------------------------------------------------

def test_catalogues_are_compiled_at_start_when_missing_or_stale(tmp_path, translations):
    mo = translations / "de" / "LC_MESSAGES" / "messages.mo"
    assert not mo.exists()
    assert catalogues.compile_catalogues(translations) == ["de", "es"]
    assert mo.exists() and catalogues.compile_catalogues(translations) == []  # up to date: nothing to do
    po = write_po(translations, "de", {**GERMAN, "Log out": "Abmelden!"})
    later = mo.stat().st_mtime + 5
    os.utime(po, (later, later))
    assert catalogues.compile_catalogues(translations) == ["de"]
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "x",
                      "_TRANSLATIONS_DIR": str(translations)})
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert render_template_string('{{ _("Log out") }}') == "Abmelden!"


def test_a_catalogue_that_cannot_be_compiled_is_reported(translations, monkeypatch):
    said = []

    def refuse(*args, **kwargs):
        raise PermissionError("read-only")
    monkeypatch.setattr(catalogues.tempfile, "mkstemp", refuse)
    assert catalogues.compile_catalogues(translations, notice=said.append) == []
    assert len(said) == 2 and "make translations" in said[0]


# ---- dates and times -----------------------------------------------------------------------------------

BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 12, 4, 6, 34)  # naive UTC, as stored


@pytest.mark.parametrize("language, exact, in_five_days, three_hours_ago, far", [
    ("en", "Wed 09 Dec 2026, 07:34 CET", "in 5 days", "3 hours ago", "04 Mar 2027"),
    ("de", "Mi., 9. Dez. 2026, 07:34 CET", "in 5 Tagen", "vor 3 Stunden", "4. März 2027"),
    ("es", "mié, 9 dic 2026, 7:34 CET", "dentro de 5 días", "hace 3 horas", "4 mar 2027"),
])
def test_times_in_the_readers_language_and_zone(language, exact, in_five_days, three_hours_ago, far):
    times = timefmt.LocalTimes(BERLIN, NOW, language)
    moment = dt.datetime(2026, 12, 9, 6, 34)
    assert times.exact(moment) == exact
    assert str(times.tag(moment)) == f'<time datetime="2026-12-09T06:34:00Z" title="{exact}">{in_five_days}</time>'
    assert f">{three_hours_ago}<" in times.tag(dt.datetime(2026, 12, 4, 3, 30))
    assert f">{far}<" in times.tag(dt.datetime(2027, 3, 4, 3, 30))
    assert f">{exact}<" in times.tag(moment, relative=False)


def test_the_page_shows_times_in_the_viewers_language_and_zone(client, auth, make_user, frozen_clock):
    person = auth.login(make_user(timezone="Europe/Berlin"))
    moment = dt.datetime(2026, 12, 9, 6, 34)
    for asked, expected in (("de", "Mi., 9. Dez. 2026, 07:34 CET"), ("en", "Wed 09 Dec 2026, 07:34 CET")):
        with client.application.test_request_context(headers={"Accept-Language": asked}):
            from flask_login import login_user
            login_user(person)
            assert render_template_string("{{ m|localtime }}", m=moment) == expected
            assert render_template_string("{{ m|datetime_local }}", m=moment) == "2026-12-09T07:34"  # stays ISO
    with db.database.connection_context():
        Notice.send([person], kinds.review_assigned(round="Essays"), "/")
    page = html(client.get("/notices", headers={"Accept-Language": "de"}))
    assert page.select_one("#notice-list time").get_text() == "gerade eben"


LANGUAGES = st.sampled_from(["en", "de", "es", "fr", "ja", "ar", "hi", "fa", "zh", "ru", "pt", "sr"])
MOMENTS = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30))


@given(language=LANGUAGES, moment=MOMENTS)
@example(language="de", moment=dt.datetime(2026, 12, 9, 6, 34))
def test_the_quick_formats_write_what_babel_writes(language, moment):
    formats = timefmt.formats(language)
    pattern = (timefmt.Formats.PATTERNS.get(language) or timefmt._patterns(formats.locale))[0]
    local = moment.replace(tzinfo=dt.timezone.utc)
    assert formats.exact(local) == f"{escape(format_datetime(local, pattern, locale=formats.locale))} UTC"


@given(language=st.sampled_from(["en", "de", "es"]),
       moment=st.datetimes(min_value=dt.datetime.min, max_value=dt.datetime.max),
       now=st.datetimes(min_value=dt.datetime.min, max_value=dt.datetime.max),
       zone=st.sampled_from(["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu", "UTC"]))
@example(language="de", moment=dt.datetime.max, now=dt.datetime.min, zone="Pacific/Kiritimati")
def test_every_moment_shows_in_every_language(language, moment, now, zone):
    times = timefmt.LocalTimes(ZoneInfo(zone), now, language)
    assert str(times.local(moment).year) in times.exact(moment)
    assert times.tag(moment).startswith("<time ") and times.tag(moment, relative=False).startswith("<time ")


def test_formats_are_made_once_per_language():
    assert timefmt.formats("de") is timefmt.formats("de")
    times = timefmt.LocalTimes(BERLIN, NOW, "de")
    times.tag(dt.datetime(2026, 12, 4, 3, 30))
    started = time.perf_counter()
    for minute in range(1000):
        times.tag(NOW - dt.timedelta(minutes=minute))
    assert time.perf_counter() - started < 0.5  # about 6 µs each here; Babel's own formatting is ten times that


# ---- notices in the reader's language ----------------------------------------------------------------

def test_a_notice_is_said_in_each_readers_language(client, auth, make_user):
    ana, ben = make_user(), make_user()
    with db.database.connection_context():
        User.update(language="de").where(User.id == ana.id).execute()
        Notice.send([ana, ben], kinds.review_reminder(round="Essays <1>", count=2), "/r/1")
        Notice.send([ana], kinds.as_written("An old notice, kept as written."), "/r/1")
        stored = Notice.get(Notice.user == ben.id)
        assert (stored.kind, json.loads(stored.params)) == ("review_reminder", {"round": "Essays <1>", "count": 2})
    auth.login(ana)
    page = html(client.get("/notices"))
    texts = [link.get_text() for link in page.select("#notice-list a")]
    assert texts == ["An old notice, kept as written.", "Erinnerung: In „Essays <1>“ sind noch 2 Reviews offen."]
    auth.login(ben)
    texts = [link.get_text() for link in html(client.get("/notices")).select("#notice-list a")]
    assert texts == ["Reminder: you have 2 reviews to finish in “Essays <1>”."]


def test_a_notice_must_be_a_kind_with_its_parameters(app):
    with pytest.raises(TypeError, match="kinds"):
        Notice.send([1], "Hello")
    with pytest.raises(TypeError):
        kinds.review_assigned(title="Essays")  # the wrong parameters fail at the sender
    assert kinds.render("no_such_kind", {}) == "A notice from one of your circles."
    assert kinds.render("review_assigned", {"title": "Essays"}) == "A notice from one of your circles."
    assert kinds.render(kinds.TEXT, {"text": "As written"}) == "As written"


OLD_TEXTS = [
    ("A review of your work in “Essay one” arrived.", "review_arrived", {"round": "Essay one", "readable_now": True}),
    ("A review of your work in “Essay one” arrived. You can read it once reviewing closes.", "review_arrived",
     {"round": "Essay one", "readable_now": False}),
    ("The author rated your review in “Essay one”: 4 out of 5 helpful.", "review_rated",
     {"round": "Essay one", "score": 4}),
    ("A review in “Essay one” was flagged as unkind or unhelpful.", "review_flagged", {"round": "Essay one"}),
    ("Reminder: “Essay “one”” is waiting for your submission.", "submission_reminder", {"round": "Essay “one”"}),
    ("Reminder: you have 1 review to finish in “Essay one”.", "review_reminder", {"round": "Essay one", "count": 1}),
    ("Reminder: you have 3 reviews to finish in “Essay one”.", "review_reminder", {"round": "Essay one", "count": 3}),
    ("Reviewing has started in “Essay one”: you have 2 reviews to do.", "reviewing_started",
     {"round": "Essay one", "count": 2}),
    ("A late submission in “Essay one” was given to you to review.", "late_submission_assigned",
     {"round": "Essay one"}),
    ("You have a new review to do in “Essay one”.", "review_assigned", {"round": "Essay one"}),
    ("A facilitator hid your post in “Week 1”: Off topic: see “rules”.", "post_hidden",
     {"thread": "Week 1", "reason": "Off topic: see “rules”."}),
    ("Reviewing has started.", kinds.TEXT, {"text": "Reviewing has started."}),
]


def test_the_migration_reads_old_notices_into_kinds(app, make_user):
    """Rows stored as English text before kinds: the known texts become kinds, said again exactly."""
    db.close_all()
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    os.remove(path)
    with db.database.connection_context():
        db.migrator().up("0007_privacy")
        db.database.execute_sql(
            "INSERT INTO user (username, email, display_name, pronouns, bio, bio_html, timezone, password_hash, "
            "session_token, is_admin, created_at) VALUES ('ana', 'ana@example.org', 'Ana', '', '', '', 'UTC', 'x', "
            "'', 0, '2026-01-01 00:00:00')")
        for text, _, _ in OLD_TEXTS:
            db.database.execute_sql("INSERT INTO notice (user_id, text, url, created_at) "
                                    "VALUES (1, ?, '/r/1', '2026-01-01 00:00:00')", (text,))
    assert db.upgrade()[0] == "0008_languages"  # and any later ones
    with db.database.connection_context():
        notices = list(Notice.select().order_by(Notice.id))
        assert User.get().language == ""
    assert [(n.kind, json.loads(n.params)) for n in notices] == [(kind, params) for _, kind, params in OLD_TEXTS]
    assert [n.text for n in notices] == [text for text, _, _ in OLD_TEXTS]


def test_wtforms_own_messages_speak_the_page_language_and_are_read_once(client, auth, make_user):
    auth.login(make_user(display_name="Ana"))
    i18n._wtforms_catalogue.cache_clear()
    data = {"display_name": "Ana", "bio": "", "timezone": "UTC", "pronouns": "", "language": "fr"}
    for _ in range(2):
        refused = client.post("/settings/profile", data=data, headers={"Accept-Language": "de"})
        assert refused.status_code == 422
        assert html(refused).select_one("#language-error").get_text(strip=True) == "Keine gültige Auswahl."
    assert i18n._wtforms_catalogue.cache_info().misses == 1


# ---- the script ----------------------------------------------------------------------------------------

def test_the_script_says_nothing_in_english_of_its_own(client, make_user):
    """app.js reads what it says from #notices, where the page put it in its language."""
    from pathlib import Path
    import re
    script = (Path(__file__).resolve().parent.parent / "static" / "app.js").read_text(encoding="utf-8")
    code = re.sub(r"//[^\n]*", "", script)
    sentences = [text for text in re.findall(r'"([^"\\]*)"|\'([^\'\\]*)\'', code) for text in text
                 if re.search(r"[A-Za-z]+(?: [A-Za-z]+){2}", text)]  # three words in a row: a sentence
    assert not sentences, f"app.js shows English of its own: {sentences}"
    make_user()
    box = html(client.get("/login", headers={"Accept-Language": "de"})).select_one("#notices")
    assert box["data-offline"] == "Could not reach the server. Check your connection; your text is still here."


# ---- the quick gettext says what Jinja's own new-style gettext says -------------------------------------

SAME_AS_JINJA = [
    '{{ _("Log out") }}', '{{ gettext("Notices") }}', '{{ _("100%% sure") }}', '{{ _("Log out") ~ "<" }}',
    '{{ _("Log out")|upper }}', '{% set label = _("Notices") %}[{{ label }}]', '{{ _("just now") if yes }}',
    '{{ _("Hello <b>%(name)s</b>", name=who) }}', '{{ _("Hello <b>%(name)s</b>", name=who ~ "&") }}',
    '{{ _("Hello <b>%(name)s</b>", name=pick(who, (1, 2))) }}', '{{ _("%(n)d%% done", n=3) }}',
    '{{ ngettext("Reminder: you have %(num)d review to finish in “%(round)s”.", '
    '"Reminder: you have %(num)d reviews to finish in “%(round)s”.", n, round=who) }}',
    '{{ ngettext("%(num)d reply", "%(num)d replies", 1) }}', '{{ pgettext("verb", "Log out") }}',
    '{% trans count=n, who=who %}{{ count }} reply by {{ who }}{% pluralize %}{{ count }} replies by {{ who }}'
    '{% endtrans %}',
    '{% macro button(label=_("Log out")) %}<b>{{ label }}</b>{% endmacro %}{{ button() }}',
    '{{ [_("Log out"), _("Notices")]|join(", ") }}', '{{ _(words) }}', '{{ _("Notices" if yes else "Log out") }}',
]


@pytest.mark.parametrize("source", SAME_AS_JINJA)
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_quick_gettext_says_what_jinjas_own_says(app, source, autoescape):
    import jinja2
    from flask_babel import get_translations
    stock = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
    stock.policies["ext.i18n.trimmed"] = True
    values = {"who": "<Ada & Bo>", "n": 3, "yes": True, "words": "Notices", "pick": lambda a, b: a + str(len(b))}
    with app.test_request_context(headers={"Accept-Language": "de"}):
        catalogue = get_translations()
        stock.install_gettext_callables(gettext=catalogue.ugettext, ngettext=catalogue.ungettext,
                                        pgettext=catalogue.upgettext, npgettext=catalogue.unpgettext, newstyle=True)
        ours = app.jinja_env.overlay(autoescape=autoescape).from_string(source).render(**values)
        assert ours == stock.from_string(source).render(**values)


def test_translating_calls_with_a_literal_string_become_filters(app):
    code = app.jinja_env.compile('{{ _("Log out") }}{{ ngettext("a", "b", n, x=1) }}{{ _(words) }}', raw=True)
    assert "'Log out'" in code and "context.call" in code  # _(words) stays a call: its text is not known
    assert code.count("context.call") == 1 and "_lc_ngettext" in code and "_lc_gettext" in code


@pytest.mark.parametrize("unit, size", [("minute", 60), ("hour", 3600), ("day", 86400)])
@pytest.mark.parametrize("future", [True, False])
def test_english_says_what_cldr_says_without_loading_it(unit, size, future):
    from babel.dates import format_timedelta
    english = timefmt.formats("en")
    for amount in range(1, 60):
        delta = dt.timedelta(seconds=amount * size * (1 if future else -1))
        assert english.relative(amount, unit, future) == format_timedelta(
            delta, granularity=unit, threshold=1000, add_direction=True, format="long", locale="en")
    names = timefmt._names(english.locale)
    assert {name: names[name] for name in timefmt._ENGLISH_NAMES} == timefmt._ENGLISH_NAMES


def test_python_code_translates_through_the_quick_gettext():
    """Flask-Babel's own gettext and lazy_gettext look the request's catalogue up again at every call (25 µs);
    learncircle.i18n's say the same from the catalogue the request chose once."""
    import pathlib
    import re
    package = pathlib.Path(i18n.__file__).parent
    slow = re.compile(r"^from flask_babel import .*\b(gettext|ngettext|pgettext|lazy_\w+|format_number)\b", re.M)
    offenders = [str(path.relative_to(package)) for path in package.rglob("*.py")
                 if path.name != "i18n.py" and slow.search(path.read_text(encoding="utf-8"))]
    assert not offenders, offenders


def test_a_value_may_have_any_name(app):
    """Placeholders are the translator's words: one named like gettext's own arguments still works."""
    from flask import render_template_string
    with app.test_request_context("/"):
        assert i18n.gettext("%(message)s, %(context)s", message="a", context="b") == "a, b"
        assert i18n.ngettext("%(singular)s", "%(plural)s", 2, singular="x", plural="y") == "y"
        assert str(i18n.lazy_gettext("%(message)s", message="m")) == "m"
        assert render_template_string('{{ _("%(message)s!", message="hi") }}') == "hi!"
