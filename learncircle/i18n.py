"""Languages: which one a page speaks, the catalogues it speaks from, and gettext in every template.

The shipped languages are English (the source) and each catalogue in learncircle/translations/
(`<code>/LC_MESSAGES/messages.po`). A page speaks the signed-in person's chosen language, else the
best the browser asks for (`Accept-Language`, signed-out pages too), else DEFAULT_LANGUAGE; it is
chosen once per request. The `learncircle` command speaks the operator's (`LANG`) when shipped, else
DEFAULT_LANGUAGE. Compiled catalogues (`.mo`) are built by `make install` and `make messages`, and
at start when one is missing or older than its `.po` (catalogues.py).
"""
import os
from contextlib import contextmanager
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations
from flask import current_app, g, has_request_context, request
from flask_babel import Babel, refresh
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_context, pass_eval_context
from jinja2.ext import Extension
from jinja2.lexer import TOKEN_COMMA, TOKEN_DOT, TOKEN_LPAREN, TOKEN_NAME, TOKEN_PIPE, TOKEN_RPAREN, TOKEN_STRING, Token
from markupsafe import Markup, escape
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .catalogues import DOMAIN, TRANSLATIONS, catalogue_codes, compile_catalogues

SOURCE_LANGUAGE = "en"
_NO_TRANSLATIONS = NullTranslations()


@lru_cache(maxsize=None)
def _languages(directory):
    return (SOURCE_LANGUAGE, *[code for code in catalogue_codes(directory) if code != SOURCE_LANGUAGE])


def languages(app=None):
    """The codes of the languages LearnCircle speaks: English first, then each catalogue's."""
    return _languages((app or current_app).config["_TRANSLATIONS_DIR"])


@lru_cache(maxsize=None)
def language_name(code):
    """A language named in itself: "English", "Deutsch", "Español"."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


def language_choices(app=None):
    """(code, name in itself) for each shipped language, for a select."""
    return [(code, language_name(code)) for code in languages(app)]


def _operator_language(shipped):
    """The language of the person running the `learncircle` command, from LANGUAGE/LC_ALL/LC_MESSAGES/LANG."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        codes = [value.split(".")[0].split("@")[0].split("_")[0].lower()
                 for value in os.environ.get(name, "").split(":") if value]
        for code in codes:
            if code in shipped:
                return code
        if name != "LANGUAGE" and codes and codes[0] not in ("c", "posix"):
            return None  # set to a language LearnCircle does not speak: the instance's default
    return None


def choose_language():
    """The person's setting, else the browser's best match, else the instance default (as a babel Locale)."""
    return locale_of(_chosen_code())


def _chosen_code():
    shipped = languages()
    default = current_app.config["DEFAULT_LANGUAGE"]
    if not has_request_context():
        return _operator_language(shipped) or default  # the CLI, a background thread
    user = current_user
    if user and user.is_authenticated:
        chosen = user.language
        if chosen in shipped:
            return chosen
    return _best_match(request.headers.get("Accept-Language", ""), shipped) or default


@lru_cache(maxsize=512)
def _best_match(header, shipped):
    """The shipped language a browser's Accept-Language asks for most: parsed once per header seen."""
    return parse_accept_header(header, LanguageAccept).best_match(shipped) if header else None


@lru_cache(maxsize=None)
def locale_of(code):
    return Locale.parse(code)


def _choose_zone():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.timezone or None
    return None


# What this module keeps for a request lives on `g`, read through the object itself: each use of the
# `g` proxy costs a context-variable lookup, and Flask-Babel's own accessors make a dozen of them.

def page_language():
    """The language code of this page, for `<html lang>` and the formatters; chosen once per request."""
    try:
        state = g._get_current_object()
    except RuntimeError:  # no app context at all
        return SOURCE_LANGUAGE
    code = state.__dict__.get("_page_language")
    if code is None:
        code = state._page_language = _chosen_code()
    return code


@contextmanager
def speaking(code):
    """Speak code (a shipped language, else the instance default) inside the block, whoever the page is for:
    an email is said in its reader's language, not in that of the request or thread that makes it."""
    state = g._get_current_object()
    if code not in languages():
        code = current_app.config["DEFAULT_LANGUAGE"]
    saved = {name: state.__dict__.get(name) for name in ("_page_language", "_translations", "_local_times")}
    state._page_language, state._translations = code, _catalogue_in(code)
    state.__dict__.pop("_local_times", None)
    try:
        yield code
    finally:
        for name, value in saved.items():
            if value is None:
                state.__dict__.pop(name, None)
            else:
                setattr(state, name, value)


def refresh_language():
    """Forget this request's language, after the person changed theirs (the next message speaks the new one)."""
    refresh()
    for name in ("_page_language", "_translations", "_local_times"):
        g.pop(name, None)


def _translations():
    """This request's catalogue, looked up once per request (a thread page translates hundreds of strings).

    The same language and catalogue Flask-Babel gives (`get_locale`, `get_translations`), without its
    dozen context-local lookups per call, which a page would pay on every request.
    """
    try:
        state = g._get_current_object()
    except RuntimeError:  # no app context: the source language
        return _NO_TRANSLATIONS
    translations = state.__dict__.get("_translations")
    if translations is None:
        translations = state._translations = _catalogue_in(page_language())
    return translations


def _catalogue_in(code):
    """A language's catalogue, read once per app (each app may read its own folder: tests)."""
    catalogues = current_app.extensions["learncircle.catalogues"]
    translations = catalogues.get(code)
    if translations is None:
        if code == SOURCE_LANGUAGE:
            translations = _NO_TRANSLATIONS
        else:
            translations = Translations.load(current_app.config["_TRANSLATIONS_DIR"], [locale_of(code)], DOMAIN)
        catalogues[code] = translations
    return translations


def gettext(message, /, **variables):
    """Flask-Babel's gettext, quicker: for Python called once per row of a long page (a filter)."""
    text = _translations().ugettext(message)
    return text % variables if variables else text


def ngettext(singular, plural, number, /, **variables):
    """Flask-Babel's ngettext, quicker (see gettext); %(num)d is the number."""
    variables.setdefault("num", number)
    return _translations().ungettext(singular, plural, number) % variables


def pgettext(context, message, /, **variables):
    """Flask-Babel's pgettext, quicker (see gettext)."""
    text = _translations().upgettext(context, message)
    return text % variables if variables else text


def format_number(number):
    """A whole number as this page's language writes it: 50,000, 50.000, 50 000."""
    return _number_in(page_language(), number)


@lru_cache(maxsize=256)
def _number_in(code, number):
    if code == SOURCE_LANGUAGE:
        return f"{number:,}"  # as CLDR's English writes it, without loading CLDR's data into an English server
    from babel.numbers import format_decimal
    return format_decimal(number, locale=locale_of(code))


def lazy_number(number):
    """format_number when the text is used: for a limit in a message built at import time."""
    return LazyString(format_number, number)


# Python code uses these, not Flask-Babel's own: each of Flask-Babel's calls finds the app, the
# request's state and the catalogue again through half a dozen context-local proxies (about 25 µs, a
# tenth of a thread page's own time over the few a page needs); these ask the request once.
def lazy_gettext(message, /, **variables):
    """gettext when the text is used, for what is built at import time (form labels, constants)."""
    return LazyString(gettext, message, **variables)


def lazy_ngettext(singular, plural, number, /, **variables):
    return LazyString(ngettext, singular, plural, number, **variables)


def lazy_pgettext(context, message, /, **variables):
    return LazyString(pgettext, context, message, **variables)


# gettext in templates, as Jinja's new-style gettext does it (placeholders by name, the values escaped
# where the template autoescapes, a literal % written %%), but with the catalogue kept on the template's
# evaluation context: Jinja's own goes through three calls and a context-local lookup for every string,
# which a thread page of two hundred strings would feel.

def _catalogue(eval_ctx):
    try:
        return eval_ctx._lc_translations
    except AttributeError:
        translations = eval_ctx._lc_translations = _translations()
        return translations


def _finish(eval_ctx, text, variables):
    """The translated text with its values put in, escaped where the template autoescapes.

    As Markup's own % does, but escaping each value once here rather than through a wrapper per value
    (a third of the cost); numbers stay numbers, for %(num)d.
    """
    if not eval_ctx.autoescape:
        return text % variables if variables or "%" in text else text
    if variables:
        return Markup(text % {name: value if isinstance(value, (int, float)) else escape(value)
                              for name, value in variables.items()})
    return Markup(text % {} if "%" in text else text)


@pass_eval_context
def _gettext(eval_ctx, message, /, **variables):
    if not variables:
        return _said(_catalogue(eval_ctx), message, eval_ctx.autoescape)
    return _finish(eval_ctx, _catalogue(eval_ctx).ugettext(message), variables)


def _said(catalogue, message, autoescape):
    """A string without values, translated and made Markup once per catalogue (a catalogue is one language's)."""
    try:
        said = catalogue._lc_said
    except AttributeError:
        said = catalogue._lc_said = {}
    key = (message, autoescape)
    text = said.get(key)
    if text is None:
        text = catalogue.ugettext(message)
        if autoescape:
            text = Markup(text)
        text = said[key] = text % {} if "%" in text else text
    return text


@pass_context
def _gettext_filter(context, message, /, **variables):
    eval_ctx = context.eval_ctx
    if not variables:
        return _said(_catalogue(eval_ctx), message, eval_ctx.autoescape)
    return _finish(eval_ctx, _catalogue(eval_ctx).ugettext(message), variables)


@pass_context
def _ngettext_filter(context, singular, plural, number, /, **variables):
    return _ngettext(context.eval_ctx, singular, plural, number, **variables)


@pass_context
def _pgettext_filter(context, message_context, message, /, **variables):
    return _pgettext(context.eval_ctx, message_context, message, **variables)


# The filter each translating call becomes (see QuickGettext).
_AS_FILTERS = {"_": "_lc_gettext", "gettext": "_lc_gettext", "ngettext": "_lc_ngettext", "pgettext": "_lc_pgettext"}


class QuickGettext(Extension):
    """Compiles `_("Hello %(name)s", name=n)` as `"Hello %(name)s"|_lc_gettext(name=n)` (and ngettext, pgettext).

    A template's call of a global goes through Jinja's Context.call, three times the cost of the rest of
    translating a string; a filter is called directly. With a context (pass_context), a filter is never
    evaluated once at compile time, which would fix the first request's language into the template.
    Only a call whose first argument is a literal string is changed; extraction reads the source, so
    translators see `_("…")` as written.
    """

    def filter_stream(self, stream):
        tokens = list(stream)
        index = 0
        while index < len(tokens):
            token = tokens[index]
            rest = _call_with_a_string(tokens, index)
            if rest is None:
                yield token
                index += 1
                continue
            string, end = tokens[index + 2], rest
            yield Token(string.lineno, TOKEN_STRING, string.value)
            yield Token(string.lineno, TOKEN_PIPE, "|")
            yield Token(string.lineno, TOKEN_NAME, _AS_FILTERS[token.value])
            if tokens[index + 3].type == TOKEN_COMMA:  # the other arguments, and the closing parenthesis
                yield Token(string.lineno, TOKEN_LPAREN, "(")
                yield from tokens[index + 4:end + 1]
            index = end + 1


def _call_with_a_string(tokens, index):
    """The index of the closing parenthesis when tokens[index] starts `_("…"…)`, `ngettext("…"…)`…; else None."""
    if (tokens[index].type != TOKEN_NAME or tokens[index].value not in _AS_FILTERS or index + 3 >= len(tokens)
            or tokens[index + 1].type != TOKEN_LPAREN or tokens[index + 2].type != TOKEN_STRING
            or tokens[index + 3].type not in (TOKEN_RPAREN, TOKEN_COMMA)
            or (index and tokens[index - 1].type == TOKEN_DOT)):
        return None
    depth = 1
    for end in range(index + 3, len(tokens)):
        kind = tokens[end].type
        if kind == TOKEN_LPAREN:
            depth += 1
        elif kind == TOKEN_RPAREN:
            depth -= 1
            if depth == 0:
                return end
    return None


@pass_eval_context
def _ngettext(eval_ctx, singular, plural, number, /, **variables):
    variables.setdefault("num", number)
    return _finish(eval_ctx, _catalogue(eval_ctx).ungettext(singular, plural, number), variables)


@pass_eval_context
def _pgettext(eval_ctx, context, message, /, **variables):
    return _finish(eval_ctx, _catalogue(eval_ctx).upgettext(context, message), variables)


@pass_eval_context
def _npgettext(eval_ctx, context, singular, plural, number, /, **variables):
    variables.setdefault("num", number)
    return _finish(eval_ctx, _catalogue(eval_ctx).unpgettext(context, singular, plural, number), variables)


class _WTFormsMessages:
    """WTForms' own messages ("This field is required.") in the page's language, each catalogue read once.

    Flask-WTF reads WTForms' catalogue from disk again in every request that uses it (half a millisecond);
    it takes the one a request carries as `request.wtforms_translations`, which is this.
    """

    @staticmethod
    def ugettext(message):
        return _wtforms_catalogue(page_language()).ugettext(message)

    @staticmethod
    def ungettext(singular, plural, number):
        return _wtforms_catalogue(page_language()).ungettext(singular, plural, number)


@lru_cache(maxsize=None)
def _wtforms_catalogue(code):
    from wtforms.i18n import messages_path
    return Translations.load(messages_path(), [locale_of(code)], domain="wtforms")


_WTFORMS_MESSAGES = _WTFormsMessages()


def init_app(app):
    directory = str(app.config.get("_TRANSLATIONS_DIR") or TRANSLATIONS)
    app.config.update(_TRANSLATIONS_DIR=directory, BABEL_TRANSLATION_DIRECTORIES=directory,
                      BABEL_DEFAULT_LOCALE=SOURCE_LANGUAGE)
    compile_catalogues(directory, notice=app.logger.warning)
    shipped = languages(app)
    if app.config["DEFAULT_LANGUAGE"] not in shipped:
        raise ValueError(f"DEFAULT_LANGUAGE must be one of {', '.join(shipped)}, "
                         f"not {app.config['DEFAULT_LANGUAGE']!r}")
    # One Babel per app: its catalogues are cached by language, and each app may read its own folder.
    Babel(app, locale_selector=choose_language, timezone_selector=_choose_zone)
    app.extensions["learncircle.catalogues"] = {}
    # Flask-Babel installed Jinja's i18n extension, new-style ({% trans %} compiles to calls with named
    # values); the callables themselves are the quicker ones above, `_` included.
    app.jinja_env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext,
                                 npgettext=_npgettext)
    app.jinja_env.filters.update(_lc_gettext=_gettext_filter, _lc_ngettext=_ngettext_filter,
                                 _lc_pgettext=_pgettext_filter)
    app.jinja_env.add_extension(QuickGettext)

    @app.before_request
    def _wtforms_messages():
        request.wtforms_translations = _WTFORMS_MESSAGES

    # {% trans %} blocks: whitespace and line breaks inside collapse, so a msgid is one clean line.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(page_language=page_language, language_name=language_name)
