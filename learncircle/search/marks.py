"""What a result shows of a post: its thread's title and a snippet of its text, with the searched words marked.

Both are lists of pieces, (text, marked), that the template writes out, escaped, with `<mark>` around the
marked ones: no HTML is built here. Built in Python for the rows of one page only, the same on SQLite and
PostgreSQL, from what the reader sees of a post (its rendered text, not its Markdown source).

A post may be 50,000 characters long: its searched words are found by one regular expression over its text
folded as the index folds words (lower case, diacritics removed), which keeps every character in its place;
only a text whose folding would not (a letter whose lower case is two, an accent typed as a character of its
own) is read word by word.
"""
import html
import re
from functools import lru_cache

from .query import WORD, fold

SNIPPET_CHARS = 200  # about the snippet's length
CONTEXT_CHARS = 40   # shown before the first marked word
# Tags that end a line of text (the rest, like <em> in "un<em>believ</em>able", sit inside words); a tag
# is read to its closing ">", the attributes' quoted values (which may hold ">") included.
_BREAK = re.compile(r'</?(?:p|div|br|li|ul|ol|h[1-6]|pre|blockquote|tr|td|th|table|hr|dd|dt)\b(?:[^>"]|"[^"]*")*>',
                    re.IGNORECASE)
_TAG = re.compile(r'<(?:[^>"]|"[^"]*")*>')
_COMBINING = re.compile(r"[\u0300-\u036f]")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
# Letters with diacritics (Latin, Greek, Cyrillic), either case, to the lower-case letter they fold to.
_FOLD_LETTERS = {chr(code): folded for code in (*range(0xC0, 0x250), *range(0x370, 0x530), *range(0x1E00, 0x2000))
                 if len(folded := fold(chr(code))) == 1 and folded != chr(code)}
_LETTER = r"[^\W_]"


def text_of(body_html):
    """The words a reader sees in a post's (sanitised) HTML, as plain text, spaces made one."""
    return " ".join(html.unescape(_TAG.sub("", _BREAK.sub(" ", body_html))).split())


def title_pieces(title, query):
    """The whole title, its searched words marked."""
    return _pieces(title, _hits(title, query), 0, len(title))


def snippet_pieces(body_html, query):
    """About SNIPPET_CHARS of the post's text where the most different searched words are close together (else
    its beginning), cut between words, marked, with "…" where text is left out."""
    text = text_of(body_html)
    hits = _hits(text, query)
    start = max(_best_start(hits) - CONTEXT_CHARS, 0)
    end = min(start + SNIPPET_CHARS, len(text))
    start = max(end - SNIPPET_CHARS, 0)  # near the end: more text before it instead
    if start > 0:
        start = text.find(" ", start) + 1 or start  # after a space: the first whole word
    if end < len(text) and text[end] != " ":
        end = max(text.rfind(" ", start, end), start)  # at a space: the last whole word
    pieces = _pieces(text, hits, start, end)
    if start > 0:
        pieces.insert(0, ("… ", False))
    if end < len(text):
        pieces.append((" …", False))
    return pieces


def _hits(text, query):
    """(start, end, folded word searched) of each searched word in text, in order."""
    lowered = text.lower()
    if len(lowered) != len(text) or _COMBINING.search(text):
        found = ((word.start(), word.end(), _searched(query, fold(word.group()))) for word in WORD.finditer(text))
        return [hit for hit in found if hit[2]]
    folded = _NOT_ASCII.sub(_fold_letter, lowered)  # most of a text is ASCII: only the rest is looked up
    return [(match.start(), match.end(), _searched(query, match.group()))
            for match in _pattern(query.words, query.prefix_word).finditer(folded)]


def _fold_letter(match):
    return _FOLD_LETTERS.get(match.group(), match.group())


def _searched(query, folded):
    """The searched word folded matches (the beginning, for the last word), or None."""
    if folded in query.words:
        return folded
    if query.prefix_word is not None and folded.startswith(query.prefix_word):
        return query.prefix_word
    return None


@lru_cache(maxsize=64)
def _pattern(words, prefix_word):
    """Whole words among words, and words beginning with prefix_word, in a folded text."""
    choices = [f"(?:{'|'.join(map(re.escape, sorted(words, key=len, reverse=True)))})(?!{_LETTER})"]
    if prefix_word is not None:
        choices.insert(0, f"{re.escape(prefix_word)}{_LETTER}*")
    return re.compile(f"(?<!{_LETTER})(?:{'|'.join(choices)})")


def _best_start(hits):
    """Where the most different searched words begin within a snippet's length (the earliest such place); 0
    when none was found."""
    span = SNIPPET_CHARS - CONTEXT_CHARS
    best, best_count, inside, right = 0, 0, {}, 0
    for start, _, word in hits:
        while right < len(hits) and hits[right][0] < start + span:  # this hit, and those after it in reach
            inside[hits[right][2]] = inside.get(hits[right][2], 0) + 1
            right += 1
        if len(inside) > best_count:
            best, best_count = start, len(inside)
        inside[word] -= 1
        if not inside[word]:
            del inside[word]
    return best


def _pieces(text, hits, start, end):
    """text[start:end] as pieces: plain runs and the marked words (the hits wholly inside it)."""
    pieces, at = [], start
    for hit_start, hit_end, _ in hits:
        if hit_start >= at and hit_end <= end:
            if hit_start > at:
                pieces.append((text[at:hit_start], False))
            pieces.append((text[hit_start:hit_end], True))
            at = hit_end
    if end > at:
        pieces.append((text[at:end], False))
    return pieces
