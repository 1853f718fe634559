"""Where the translation catalogues are, and their compiled `.mo` files built at start when one is missing or
older than its `.po` (i18n.py reads them; `make install` and `make messages` build them too)."""
import os
import tempfile
from pathlib import Path

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"


def catalogue_codes(directory=TRANSLATIONS):
    """The language codes with a catalogue in directory, sorted."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(path.name for path in directory.iterdir()
                  if any((path / "LC_MESSAGES" / f"{DOMAIN}{ending}").is_file() for ending in (".po", ".mo")))


def compile_catalogues(directory=TRANSLATIONS, notice=None):
    """Write each catalogue's `.mo` where it is missing or older than its `.po`; return the codes compiled.

    Written to a temporary file and renamed, so a second process starting at once never reads half a
    file. Fuzzy entries are left out, as `pybabel compile` does. A folder that cannot be written is
    reported and skipped: that language's pages then speak English until the catalogue is compiled.
    """
    directory, compiled = Path(directory), []
    stale = []
    for code in catalogue_codes(directory):
        po = directory / code / "LC_MESSAGES" / f"{DOMAIN}.po"
        mo = po.with_suffix(".mo")
        if po.is_file() and not (mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime):
            stale.append((code, po, mo))
    if not stale:
        return compiled  # the usual start: Babel's catalogue tools are never loaded into the server
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for code, po, mo in stale:
        try:
            with po.open("rb") as source:
                catalogue = read_po(source, locale=code, domain=DOMAIN)
            handle, temporary = tempfile.mkstemp(dir=po.parent, prefix=".messages-", suffix=".mo")
            try:
                with os.fdopen(handle, "wb") as target:
                    write_mo(target, catalogue)
                os.chmod(temporary, 0o644)
                os.replace(temporary, mo)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            compiled.append(code)
        except OSError as error:
            if notice:
                notice(f"Could not compile the {code} catalogue ({error}); run `make translations`.")
    return compiled
