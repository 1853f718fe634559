"""The numbered points of a circle's code of conduct, which a flag can cite: its first ordered list, read from
the Markdown the owner wrote (a code without one is cited as a whole)."""
from functools import lru_cache

from markdown_it import MarkdownIt

_parser = MarkdownIt("commonmark")
POINT_MAX = 160  # characters of a point shown in a choice; the rest is cut with an ellipsis


def points(conduct):
    """[(number, plain text)] of the first ordered list in conduct (Markdown), numbered as it shows them."""
    return list(_points(conduct or ""))


@lru_cache(maxsize=64)
def _points(conduct):
    tokens = _parser.parse(conduct)
    found, number, depth = [], None, None
    for token in tokens:
        if number is None:
            if token.type == "ordered_list_open":
                number, depth = int(token.attrs.get("start", 1) or 1), token.level + 1
            continue
        if token.type == "ordered_list_close" and token.level == depth - 1:
            break
        if token.type == "list_item_open" and token.level == depth:
            found.append([number, ""])
            number += 1
        elif token.type == "inline" and found and not found[-1][1]:
            found[-1][1] = _plain(token)
    return tuple((point, _cut(text)) for point, text in found if text)


def _plain(inline):
    """An inline token's words without their marks (bold, code, links: the text alone)."""
    words = "".join(child.content if child.type in ("text", "code_inline") else " " if child.type.endswith("break")
                    else "" for child in inline.children or ())
    return " ".join(words.split())


def _cut(text):
    return text if len(text) <= POINT_MAX else text[:POINT_MAX - 1].rstrip() + "…"
