"""Markdown to safe HTML, done once when text is saved (reading never re-parses)."""
import nh3
from markdown_it import MarkdownIt

_markdown = (
    MarkdownIt("commonmark", {"linkify": True, "typographer": False, "html": False})
    .enable(["table", "strikethrough", "linkify"])
)

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


def render_markdown(source):
    """Render Markdown (CommonMark + tables, strikethrough, autolinks) to sanitised HTML."""
    return nh3.clean(
        _markdown.render(source or ""),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        link_rel="nofollow noopener ugc",
        url_schemes={"http", "https", "mailto"},
        set_tag_attribute_values={"img": {"loading": "lazy"}},
    )
