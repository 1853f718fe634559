"""Mail as its reader reads it: rendered from templates/mail/<name>.txt and .html in their language and zone.

A mail is made when it is queued (the outbox keeps the finished text), in whatever request or thread queues
it, so the reader's language and zone are forced for the rendering (i18n.speaking, timefmt.reading_in).
"""
import json

from flask import current_app
from flask_babel.speaklater import LazyString

from .. import i18n, site, timefmt
from ..notices import kinds
from . import unsubscribe


def link(endpoint, **values):
    """An absolute link to endpoint, from a request or from a thread alike: the site's public address."""
    urls = current_app.url_map.bind("localhost", script_name="/")
    return site.absolute(urls.build(endpoint, values))


def rendered(name, *, language, zone="UTC", subject, **context):
    """(subject, text, html) of templates/mail/<name>.* in language and zone; subject is a lazy string."""
    with i18n.speaking(language) as code, timefmt.reading_in(zone, code):
        context.update(site_name=current_app.config["SITE_NAME"], language=code)
        subject = str(subject)
        # The templates alone, without the page's context processors: a mail knows nothing of the request
        # that queued it (whose signed-in person is its sender, not its reader).
        templates = current_app.jinja_env
        text = templates.get_template(f"mail/{name}.txt").render(subject=subject, **context)
        html = templates.get_template(f"mail/{name}.html").render(subject=subject, **context)
    return subject, text, html


def language_of(user):
    return user.language or current_app.config["DEFAULT_LANGUAGE"]


def for_member(user, name, *, subject, category=None, **context):
    """(subject, text, html, headers) of a mail to a member; with a category, the one-click unsubscribe from it."""
    headers = {}
    if category is not None:
        token = unsubscribe.make(user.id, category)
        context["unsubscribe_url"] = unsubscribe_url = link("mail.unsubscribe_page", unsubscribe_token=token)
        context["settings_url"] = link("mail.settings")
        headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    subject, text, html = rendered(name, language=language_of(user), zone=user.timezone, subject=subject,
                                   user=user, **context)
    return subject, text, html, headers


def notice_mail(user, message, url, category):
    """A notice (kinds.Message) as a mail to user, in their language: the notice is its subject."""
    params = json.loads(message.stored())
    return for_member(user, "notice", subject=LazyString(kinds.render, message.kind, params), category=category,
                      notice_url=site.absolute(url) if url else link("notices.notices"))
