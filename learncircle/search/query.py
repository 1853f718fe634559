"""What a person typed into the search box, made into words: never passed on as query syntax.

Words are runs of letters and digits; everything else (quotes, *, ^, :, parentheses, NEAR, AND, OR, -) only
separates them. Every word must be found. Words between a pair of double quotes must be found side by side,
in that order; a quote left open is ignored. The last word, unquoted and at least PREFIX_MIN letters long,
also finds longer words that begin with it ("lifetim" finds "lifetimes"). Words are compared folded: lower
case, diacritics removed, as the index folds them.

`Query.fts5()` and `Query.tsquery()` write the words in the syntax of SQLite's FTS5 and of PostgreSQL's
to_tsquery; every word is quoted there, so nothing a person types is read as an operator.
"""
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

LENGTH_MAX = 200
WORDS_MAX = 12
PREFIX_MIN = 3
# A word: letters and digits, and the combining marks of a decomposed letter ("o" + U+0308) within it.
WORD = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f])*")


class Refused(Exception):
    """Input that is not a search one can run; `reason` says why (one of the names below)."""
    TOO_LONG, TOO_MANY_WORDS, NO_WORDS = "too_long", "too_many_words", "no_words"

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@lru_cache(maxsize=4096)  # marks.py folds a title, or a text word by word: words repeat
def fold(word):
    """A word as the index compares it: lower case, without diacritics."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass(frozen=True, slots=True)
class Query:
    """Groups of words, each found as a phrase (one word alone is a phrase of one); `prefix`: the last group,
    one word, also finds longer words beginning with it. `words`: every word, folded; `prefix_word`: the last,
    folded, when it is a beginning (what a result's title and snippet mark)."""
    groups: tuple
    prefix: bool
    words: frozenset = field(init=False, compare=False)
    prefix_word: str | None = field(init=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "words", frozenset(fold(word) for group in self.groups for word in group))
        object.__setattr__(self, "prefix_word", fold(self.groups[-1][0]) if self.prefix else None)

    def fts5(self):
        """The words as an FTS5 query of phrases, all required: `"borrow checker" "lifetim"*`."""
        phrases = ['"' + " ".join(group).replace('"', '""') + '"' for group in self.groups]
        if self.prefix:
            phrases[-1] += "*"
        return " ".join(phrases)

    def tsquery(self):
        """The words as to_tsquery's input, all required: `('borrow' <-> 'checker') & 'lifetim':*`."""
        terms = []
        for group in self.groups:
            quoted = ["'" + word.replace("'", "''") + "'" for word in group]
            terms.append(quoted[0] if len(quoted) == 1 else "(" + " <-> ".join(quoted) + ")")
        if self.prefix:
            terms[-1] += ":*"
        return " & ".join(terms)


def parse(text):
    """The Query for what was typed, or None when nothing was (an empty search is no error).

    Raises Refused: longer than LENGTH_MAX characters, more than WORDS_MAX words, or no word at all.
    """
    text = unicodedata.normalize("NFC", text or "").strip()
    if not text:
        return None
    if len(text) > LENGTH_MAX:
        raise Refused(Refused.TOO_LONG)
    parts = text.split('"')
    groups, last_quoted = [], False
    for index, part in enumerate(parts):
        # Odd parts lie between quotes, unless the last quote is never closed.
        quoted = index % 2 == 1 and index < len(parts) - 1
        words = WORD.findall(part)
        if quoted and words:
            groups.append(tuple(words))
        else:
            groups.extend((word,) for word in words)
        if words:
            last_quoted = quoted
    groups = list(dict.fromkeys(groups))  # a word typed twice is looked for once
    if not groups:
        raise Refused(Refused.NO_WORDS)
    if sum(len(group) for group in groups) > WORDS_MAX:
        raise Refused(Refused.TOO_MANY_WORDS)
    last = groups[-1]
    prefix = not last_quoted and len(last) == 1 and len(fold(last[0])) >= PREFIX_MIN
    return Query(tuple(groups), prefix)
