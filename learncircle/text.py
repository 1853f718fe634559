"""Markdown to safe HTML, done once when text is saved (reading never re-parses)."""
import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml


def _parser():
    """Build a CommonMark parser with tables, strikethrough and autolinks, raw HTML off."""
    return (MarkdownIt("commonmark", {"linkify": True, "typographer": False, "html": False})
            .enable(["table", "strikethrough", "linkify"]))


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


_markdown = _parser()
# The same Markdown, but a picture from elsewhere would tell its host who opened the page and when.
_markdown_without_remote_images = _parser()
_markdown_without_remote_images.add_render_rule("image", _image_as_link)

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


def render_markdown(source, remote_images=True):
    """Render Markdown (CommonMark + tables, strikethrough, autolinks) to sanitised HTML.

    With remote_images=False only images from this site stay images; any other becomes a link
    reading "image: <alt text>" (use it where reading must not be observable by the writer).
    """
    parser = _markdown if remote_images else _markdown_without_remote_images
    return nh3.clean(
        parser.render(source or ""),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        link_rel="nofollow noopener ugc",
        url_schemes={"http", "https", "mailto"},
        set_tag_attribute_values={"img": {"loading": "lazy"}},
    )
