"""Markdown to safe HTML, done once when text is saved (reading never re-parses)."""
import re
from functools import lru_cache
from html import unescape

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markupsafe import Markup, escape

from .i18n import gettext as _  # called per post: the quick one


def is_same_site(src):
    """Tell whether an address is a path on this site ("/…"), not another host ("//host/…" or a full URL)."""
    return src.startswith("/") and not src.startswith(("//", "/\\"))


def _image_as_link(self, tokens, idx, options, env):
    """Render an image from another site as a link to it, so opening the page fetches nothing from there."""
    token = tokens[idx]
    src = token.attrGet("src") or ""
    if is_same_site(src):
        return self.image(tokens, idx, options, env)
    label = "image: " + escapeHtml(self.renderInlineAsText(token.children, options, env).strip() or src)
    if _inside_link(tokens, idx):
        return label  # links cannot nest: the surrounding link already leads somewhere
    title = token.attrGet("title") or src
    return f'<a href="{escapeHtml(src)}" title="{escapeHtml(title)}">{label}</a>'


def _inside_link(tokens, idx):
    """Tell whether the inline token at idx sits between a link's opening and closing tokens."""
    depth = 0
    for token in tokens[:idx]:
        depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
    return depth > 0


# CommonMark with tables, strikethrough and autolinks, raw HTML off. A picture from another site
# would tell its host who opened the page and when, so every such picture is rendered as a link:
# posts, bios, goals, codes of conduct, briefs and submissions alike.
_markdown = (MarkdownIt("commonmark", {"linkify": True, "typographer": False, "html": False})
             .enable(["table", "strikethrough", "linkify"]))
_markdown.add_render_rule("image", _image_as_link)

_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}
# No style attributes: the Content-Security-Policy would block them anyway.
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
# The one class a stored post may carry: an @mention's link (see link_mentions below).
_CLASSES = {"a": {"mention"}}
_LINK_REL = "nofollow noopener ugc"
_URL_SCHEMES = {"http", "https", "mailto"}


def _only_local_images(tag, attribute, value):
    """Second line of defence behind the image rule: an image keeps only an address on this site."""
    if tag == "img" and attribute == "src" and not is_same_site(value):
        return None
    return value


def render_markdown(source, mentionable=None):
    """Render Markdown (CommonMark + tables, strikethrough, autolinks) to sanitised HTML.

    Only images from this site stay images; any other becomes a link reading "image: <alt text>".
    With `mentionable`, @names become links to profiles: see link_mentions.
    """
    env = {}
    tokens = _markdown.parse(source or "", env)
    if mentionable is not None:
        link_mentions(tokens, mentionable)
    return nh3.clean(
        _markdown.renderer.render(tokens, _markdown.options, env),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=_only_local_images,
        link_rel=_LINK_REL,
        url_schemes=_URL_SCHEMES,
        allowed_classes=_CLASSES,
        set_tag_attribute_values={"img": {"loading": "lazy"}},
    )


def links_and_images(source):
    """(links, images) that Markdown source holds, as it will render: written-out addresses count as links,
    @mentions (linked later) do not; an image is an image wherever it comes from (new members' limits)."""
    links = images = 0
    for token in _markdown.parse(source or ""):
        for child in token.children or ():
            if child.type == "link_open":
                links += 1
            elif child.type == "image":
                images += 1
    return links, images


# "@name" in running text: not after a letter, digit or one of the name's own characters (so not in
# "ana@example.org"), and not followed by "@" (an address: "@ana@example.org"). A name is all the
# characters a username may have that follow, 3 to 30 of them (accounts.models.USERNAME_PATTERN),
# taken whole ("@ana-maria" never mentions "ana"); a sentence's full stop after it is tried off too.
_MENTION = re.compile(r"(?<![\w@.\-/])@([A-Za-z0-9_.\-]++)(?![\w@])")
_NAME_LENGTHS = range(3, 31)


def _mention_names(match):
    """The names an @word may stand for, the likelier first: "ana." may be "ana." or "ana"."""
    name = match.group(1).lower()
    bare = name.rstrip(".")
    return [candidate for candidate in dict.fromkeys((name, bare)) if len(candidate) in _NAME_LENGTHS]


def link_mentions(tokens, mentionable):
    """Turn the @names in parsed Markdown into links to their profiles, in place.

    Names in code, in links and inside an e-mail address are not mentions. `mentionable` is called once
    with the names found (lower-case, in order of appearance, each once) and the set of those found only
    inside block quotes (a quoted post's mentions); it returns {name: username} for the names to link,
    and every other @name stays text exactly as written. The link reads "@name" as typed.
    """
    found, outside_quotes, places = {}, set(), []
    quote_depth = 0
    for token in tokens:
        if token.type in ("blockquote_open", "blockquote_close"):
            quote_depth += 1 if token.type == "blockquote_open" else -1
        if token.type != "inline" or not token.children:
            continue
        link_depth = 0
        for index, child in enumerate(token.children):
            link_depth += {"link_open": 1, "link_close": -1}.get(child.type, 0)
            if child.type != "text" or link_depth or "@" not in child.content:
                continue
            matches = list(_MENTION.finditer(child.content))
            for match in matches:
                for name in _mention_names(match):
                    found.setdefault(name, None)
                    if not quote_depth:
                        outside_quotes.add(name)
            if matches:
                places.append((token, index, matches))
    if not found:
        return
    linked = mentionable(list(found), set(found) - outside_quotes) or {}
    if not linked:
        return
    for token, index, matches in reversed(places):  # from the end, so earlier indexes stay right
        token.children[index:index + 1] = _split_at_mentions(token.children[index], matches, linked)


def _split_at_mentions(text, matches, linked):
    """A text token as text and mention links: what `linked` names becomes a link, the rest stays text."""
    pieces, written, content = [], 0, text.content
    for match in matches:
        name = next((name for name in _mention_names(match) if name in linked), None)
        if name is None:
            continue
        start = match.start()
        end = start + 1 + len(name)  # a full stop tried off stays text after the link
        if start > written:
            pieces.append(_text_token(content[written:start], text))
        opening = Token("link_open", "a", 1)
        opening.attrs = {"href": f"/u/{linked[name]}", "class": "mention"}
        pieces += [opening, _text_token(content[start:end], text), Token("link_close", "a", -1)]
        written = end
    if written < len(content):
        pieces.append(_text_token(content[written:], text))
    return pieces or [text]


def _text_token(content, like):
    token = Token("text", "", 0)
    token.content, token.level = content, like.level
    return token


def rewrite_links(html, rewrite):
    """Stored HTML with every link's address replaced by rewrite(address) (None drops the address).

    For addresses that depend on the reader (a signed "leaving LearnCircle" link), so they cannot be
    stored. The HTML is sanitised again with the same rules on the way, which costs far less than
    parsing the Markdown. What rewrite returns is not checked again: it must be an address it trusts.
    """
    def change(tag, attribute, value):
        if tag == "a" and attribute == "href":
            return rewrite(value)
        return _only_local_images(tag, attribute, value)

    return nh3.clean(html or "", tags=_TAGS, attributes=_ATTRIBUTES, attribute_filter=change,
                     link_rel=_LINK_REL, url_schemes=_URL_SCHEMES, allowed_classes=_CLASSES,
                     set_tag_attribute_values={"img": {"loading": "lazy"}})


def shown_html(html):
    """Stored HTML as a page shows it: marked safe, with its code blocks and tables able to take the focus.

    Both scroll sideways inside their own box when wider than the screen (app.css), and a box that scrolls
    must be reachable by keyboard to be scrolled without a mouse. A code block is named "Code" in the
    reader's language, so the name is added here, not stored; a table announces itself.
    """
    html = html or ""
    if "<pre>" in html:
        html = html.replace("<pre>", _focusable_pre(_("Code")))
    if "<table>" in html:
        html = html.replace("<table>", '<table tabindex="0">')
    return Markup(html)


def excerpt(html, length=200):
    """Stored HTML as a short line of plain text (a post quoted elsewhere): tags dropped, whitespace
    made single spaces, cut at a word before `length` characters with "…". Escaped again where shown."""
    plain = " ".join(unescape(nh3.clean(html or "", tags=set())).split())
    if len(plain) <= length:
        return plain
    cut = plain[:length].rsplit(" ", 1)[0] if " " in plain[:length] else plain[:length]
    return cut.rstrip(" ,.;:") + "…"


@lru_cache(maxsize=16)
def _focusable_pre(name):
    return f'<pre tabindex="0" role="group" aria-label="{escape(name)}">'


def init_app(app):
    app.jinja_env.filters["shown_html"] = shown_html
    app.jinja_env.filters["excerpt"] = excerpt
