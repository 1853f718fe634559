"""A learner whose browser asks for German, in real Chromium: German pages, times in their zone and
language, what the script says when the server cannot be reached, and switching to Spanish in the profile.

The server reads small test catalogues (tests/test_i18n.py), so this tests the machinery, whatever the
shipped catalogues hold today.
"""
import threading

import pytest
from playwright.sync_api import expect
from waitress.server import create_server

from learncircle import create_app, db
from learncircle.circles.models import PUBLIC, Circle, Membership
from learncircle.discussions.models import DISCUSSION, Thread

from .browser_helpers import log_in
from .conftest import PASSWORD
from .test_i18n import GERMAN, SPANISH, write_po

pytestmark = pytest.mark.browser

OFFLINE = "Could not reach the server. Check your connection; your text is still here."
GERMAN_OFFLINE = "Der Server ist nicht erreichbar. Dein Text ist noch da."


@pytest.fixture
def german_site(tmp_path, make_user):
    translations = tmp_path / "translations"
    write_po(translations, "de", {**GERMAN, OFFLINE: GERMAN_OFFLINE, "Post reply": "Antworten"})
    write_po(translations, "es", {**SPANISH, "just now": "justo ahora", "Language": "Idioma",
                                  "Save profile": "Guardar el perfil"})
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
                      "SECRET_KEY": "live-secret", "RATELIMIT_ENABLED": False,
                      "_TRANSLATIONS_DIR": str(translations)})
    db.upgrade()
    with db.database.connection_context():
        from learncircle.accounts.models import User
        ana = User.register(username="ana", email="ana@example.org", password=PASSWORD, display_name="Ana",
                            timezone="Europe/Berlin")
        circle = Circle.found(owner=ana, name="Lesekreis", slug="lesekreis", purpose="Lesen.", visibility=PUBLIC)
        thread = Thread.start(circle=circle, author=ana, title="Kapitel 1", kind=DISCUSSION, body="Hallo!")
        assert Membership.of(ana, circle)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    runner = threading.Thread(target=server.run, daemon=True)
    runner.start()
    yield f"http://127.0.0.1:{server.effective_port}", thread.id
    server.close()
    runner.join(timeout=5)
    db.close_all()


def test_a_german_browser_gets_german_and_the_profile_switches_to_spanish(browser, german_site):
    base, thread_id = german_site
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, base, login="ana", password=PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()

    page.goto(f"{base}/t/{thread_id}")
    expect(page.locator("article time").first).to_have_text("gerade eben")
    title = page.locator("article time").first.get_attribute("title")
    assert title.endswith(" CET") or title.endswith(" CEST")
    assert title.split(",")[0].rstrip(".") in {"Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"}  # German weekdays

    # The server cannot be reached: the script says so in the page's language.
    page.route("**/reply", lambda route: route.abort())
    page.locator("textarea[name=body]").fill("Meine Antwort.")
    page.get_by_role("button", name="Antworten").click()
    expect(page.locator("#notices")).to_have_text(GERMAN_OFFLINE)
    page.unroute("**/reply")

    # Spanish, chosen in the profile, beats the browser's German.
    page.goto(f"{base}/settings/profile")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.goto(f"{base}/t/{thread_id}")
    expect(page.locator("article time").first).to_have_text("justo ahora")
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()
    context.close()
