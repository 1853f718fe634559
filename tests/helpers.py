"""Helpers test modules import (fixtures live in conftest.py and fixtures_*.py)."""
from bs4 import BeautifulSoup


def html(response):
    """Parse a response body for assertions about what a person sees."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


PSEUDO_LANGUAGE = "ru"  # tests.i18n_helpers' pseudo-language: every marked string comes out as ⟦itself⟧


def pseudo_language_app(folder, **config):
    """An app that also speaks the pseudo-language (Accept-Language: ru), on a new database in folder.

    Call learncircle.db.close_all() when done, as the `app` fixture does.
    """
    from learncircle import create_app, db
    from tests.i18n_helpers import write_pseudo_catalogue

    write_pseudo_catalogue(folder / "translations", PSEUDO_LANGUAGE)
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{folder / 'pseudo.sqlite3'}",
                      "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "_TRANSLATIONS_DIR": str(folder / "translations"), **config})
    db.upgrade()
    return app
