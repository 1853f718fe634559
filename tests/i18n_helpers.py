"""The strings LearnCircle marks for translation, read from the source as `make messages` reads them.

The i18n tests extract in-process (Babel's own extractor, with babel.cfg and the Makefile's keywords),
so they see the marks in the working tree without anyone running `make messages` first.
"""
import re
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "learncircle" / "translations"


def makefile_keywords():
    """The `-k` keywords `make messages` passes to pybabel extract, as Babel's keyword specs."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    keywords = {}
    for spec in re.findall(r"-k (\S+)", makefile):
        name, _, args = spec.partition(":")
        if not args:
            keywords[name] = None
            continue
        parts = []
        for arg in args.split(","):
            parts.append((int(arg[:-1]), "c") if arg.endswith("c") else int(arg))
        keywords[name] = tuple(parts)
    return keywords


@lru_cache(maxsize=1)
def extracted():
    """A Catalog of every marked string in the source (the .pot `make messages` would write now)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalogue = Catalog(project="LearnCircle")
    keywords = {**DEFAULT_KEYWORDS, **makefile_keywords()}
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True):
        if message and (message[0] if isinstance(message, (list, tuple)) else message):
            catalogue.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalogue


OPEN, CLOSE = "⟦", "⟧"


def write_pseudo_catalogue(directory, code):
    """Write `<directory>/<code>/LC_MESSAGES/messages.mo` translating every marked string to ⟦itself⟧."""
    source = extracted()
    pseudo = Catalog(locale=code)
    for message in source:
        if not message.id:
            continue
        if message.pluralizable:
            strings = tuple(OPEN + message.id[min(n, 1)] + CLOSE for n in range(pseudo.num_plurals))
        else:
            strings = OPEN + message.id + CLOSE
        pseudo.add(message.id, strings, context=message.context)
    folder = Path(directory) / code / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "messages.mo", "wb") as target:  # a compiled catalogue alone is a language too
        write_mo(target, pseudo)
    return folder
