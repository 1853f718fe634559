"""What every response shares: settings, the database's promises, headers, caching, compression, errors."""
import os
import platform
import re
import stat
from pathlib import Path

import pytest

from learncircle import create_app, db
from learncircle.web import CSP
from tests.helpers import html


def make_app(tmp_path, **config):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}", **config})
    db.upgrade()
    return app


def test_secret_key_is_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.setenv("LEARNCIRCLE_INSTANCE_PATH", str(tmp_path / "instance"))
    first = make_app(tmp_path)
    key_file = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) >= 64
    assert make_app(tmp_path).config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_settings_come_from_instance_config_then_environment(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text('SITE_NAME = "Maths Club"\nREGISTRATION = "open"\n')
    monkeypatch.setenv("LEARNCIRCLE_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("LEARNCIRCLE_REGISTRATION", "closed")
    app = make_app(tmp_path)
    assert app.config["SITE_NAME"] == "Maths Club"
    assert app.config["REGISTRATION"] == "closed"


def test_an_unknown_registration_mode_stops_the_start(tmp_path):
    with pytest.raises(ValueError, match="REGISTRATION"):
        make_app(tmp_path, REGISTRATION="sometimes")


def test_sqlite_runs_with_wal_foreign_keys_a_busy_timeout_and_immediate_writes(app):
    with db.database.connection_context():
        pragma = lambda name: db.database.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000
    assert db.database.obj._lock_type == "IMMEDIATE"


def test_pages_carry_security_headers_and_are_compressed(client, make_user):
    make_user()
    response = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Security-Policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP and "frame-ancestors 'none'" in CSP
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "private" in response.headers["Cache-Control"]


def test_layout_has_no_inline_script_or_style(client, make_user):
    make_user()
    page = html(client.get("/login"))
    assert all(script.get("src") and not script.string for script in page.find_all("script"))
    assert page.find("style") is None and page.find(attrs={"style": True}) is None
    assert page.find("a", class_="skip")["href"] == "#main" and page.find("main", id="main")
    assert page.find("meta", attrs={"name": "csrf-token"})["content"]


def test_static_files_have_versioned_urls_and_far_future_caching(client, make_user):
    make_user()
    page = html(client.get("/login"))
    urls = [tag["href"] for tag in page.find_all("link", rel="stylesheet")] + \
           [tag["src"] for tag in page.find_all("script")]
    assert len(urls) == 3 and all("?v=" in url for url in urls)
    for url in urls:
        response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "br"
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "immutable" in response.headers["Cache-Control"]
        # Every visitor gets the same file, signed in (the client carries a session cookie) or not,
        # and a file that never changes needs no date to be asked about.
        assert response.headers["Vary"] == "Accept-Encoding"
        assert "Set-Cookie" not in response.headers and "Last-Modified" not in response.headers
        assert response.headers["ETag"]
    # The stylesheet travels without its comments (it has some), and otherwise whole.
    import brotli
    css = next(url for url in urls if ".css" in url)
    sent = brotli.decompress(client.get(css, headers={"Accept-Encoding": "br"}).data)
    source = (Path(client.application.static_folder) / "app.css").read_bytes()
    assert b"/*" in source and b"/*" not in sent
    assert sent.count(b"{") == source.count(b"{") and b".skip:focus" in sent and len(sent) < len(source)


def test_our_scripts_travel_without_comment_lines_or_indentation(client):
    """Only layout goes: every other line arrives as written. That is safe because no script of ours has a
    template literal or a string running over a line (checked here), where a line's start would be text."""
    import brotli
    folder = Path(client.application.static_folder)
    for name in ("app.js", "composer.js"):
        source = (folder / name).read_bytes()
        assert b"`" not in source and not re.search(rb"\\\n", source)
        sent = brotli.decompress(client.get(f"/static/{name}", headers={"Accept-Encoding": "br"}).data)
        kept = [line.lstrip() for line in source.splitlines() if not line.lstrip().startswith(b"//")]
        assert sent.splitlines() == kept and b"//" not in sent.replace(b"://", b"")
    vendored = client.get("/static/vendor/htmx.min.js", headers={"Accept-Encoding": "gzip"})
    import gzip
    assert gzip.decompress(vendored.data) == (Path(client.application.blueprints["vendor"].static_folder)
                                              / "htmx.min.js").read_bytes()


def test_session_cookie_is_httponly_lax_and_secure_behind_https(tmp_path, make_user):
    plain = make_app(tmp_path)
    assert plain.config["SESSION_COOKIE_HTTPONLY"] and plain.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not plain.config["SESSION_COOKIE_SECURE"]
    secure = make_app(tmp_path, BASE_URL="https://circle.example.org")
    assert secure.config["SESSION_COOKIE_SECURE"] and secure.config["REMEMBER_COOKIE_SECURE"]


def test_fragment_and_page_differ_by_hx_request(client, auth, make_user, make_circle):
    owner = make_user()
    circle = make_circle(owner)
    auth.login(owner)
    page = client.get(f"/c/{circle.slug}")
    fragment = client.get(f"/c/{circle.slug}", headers={"HX-Request": "true"})
    boosted = client.get(f"/c/{circle.slug}", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]
    assert html(page).find("html") and html(boosted).find("html")
    assert html(fragment).find("html") is None and html(fragment).find(id="threads")


@pytest.mark.parametrize("url, status", [("/no/such/page", 404), ("/t/999999", 404)])
def test_error_pages_use_the_layout(client, auth, make_user, url, status):
    auth.login(make_user())
    response = client.get(url)
    assert response.status_code == status
    page = html(response)
    assert page.find("header", class_="site") and page.select_one(".error-box h1")


def test_a_body_over_the_limit_gets_413_with_a_message(client, make_user):
    make_user()
    response = client.post("/login", data={"login": "x" * (1024 * 1024 + 10)})
    assert response.status_code == 413
    assert "larger than this site accepts" in html(response).select_one(".error-box").get_text()


def test_an_unexpected_error_shows_a_500_page_in_the_layout(tmp_path):
    app = make_app(tmp_path, PROPAGATE_EXCEPTIONS=False, _HAS_USERS=True)

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in html(response).select_one(".error-box h1").get_text()


def test_htmx_errors_get_a_short_fragment(client, auth, make_user):
    auth.login(make_user())
    response = client.get("/t/999999", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert html(response).find("html") is None and html(response).select_one(".error-box")


def test_every_setting_can_be_set_from_the_environment(tmp_path, monkeypatch):
    from learncircle.config import SETTINGS

    monkeypatch.setenv("LEARNCIRCLE_SITE_NAME", "Env Circle")
    monkeypatch.setenv("LEARNCIRCLE_INSTANCE_PATH", str(tmp_path / "env"))
    app = make_app(tmp_path)
    assert app.config["SITE_NAME"] == "Env Circle"
    assert all(name in app.config for name in SETTINGS)
    assert os.path.exists(tmp_path / "env")


@pytest.mark.parametrize("url", ["/t/99999999999999999999999", "/p/99999999999999999999999/edit"])
def test_an_id_too_large_for_the_database_is_a_404(client, auth, make_user, url):
    auth.login(make_user())
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("zone, expected", [("Europe/Berlin", "CET"), ("America/Sao_Paulo", "UTC\u22123"),
                                            ("Asia/Kolkata", "IST"), ("Asia/Kathmandu", "UTC+5:45")])
def test_times_name_their_zone_readably(zone, expected):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from learncircle.timefmt import to_local, zone_label

    assert zone_label(to_local(dt.datetime(2026, 1, 15, 12, 0), ZoneInfo(zone))) == expected


def test_the_header_counts_unread_notices(client, auth, make_user):
    from learncircle.notices import kinds
    from learncircle.notices.models import Notice

    person = auth.login(make_user())
    assert html(client.get("/")).find("a", class_="has-unread") is None
    with db.database.connection_context():
        Notice.send([person], kinds.as_written("Reviewing has started."))
    link = html(client.get("/")).find("a", class_="has-unread")
    assert link is not None and "1" in link.get_text()


@pytest.mark.parametrize("moment, relative", [
    ((2026, 7, 1, 11, 59, 30), "just now"),
    ((2026, 7, 1, 9, 0, 0), "3 hours ago"),
    ((2026, 6, 28, 12, 0, 0), "3 days ago"),
    ((2026, 7, 1, 12, 45, 0), "in 45 minutes"),
    ((2025, 12, 24, 8, 5, 0), "24 Dec 2025"),  # a month or more away: the date, in the viewer's zone
])
def test_time_tags_say_how_long_ago_with_the_exact_local_time_on_hover(moment, relative):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from bs4 import BeautifulSoup

    from learncircle.timefmt import LocalTimes

    times = LocalTimes(ZoneInfo("Europe/Berlin"), dt.datetime(2026, 7, 1, 12, 0, 0))
    stored = dt.datetime(*moment)
    tag = BeautifulSoup(times.tag(stored), "html.parser").time
    assert tag.get_text() == relative
    assert dt.datetime.fromisoformat(tag["datetime"]) == stored.replace(tzinfo=dt.timezone.utc)
    local = stored.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo("Europe/Berlin"))
    assert tag["title"] == local.strftime("%a %d %b %Y, %H:%M ") + local.tzname()
    exact = str(times.tag(stored)).replace(f">{relative}<", f">{tag['title']}<")
    assert str(times.tag(stored, relative=False)) == exact


def test_post_links_and_static_urls_match_url_for_under_a_path_prefix(app):
    from flask import url_for

    from learncircle.assets import static_url
    from learncircle.web import id_url

    for prefix in ("", "/circle"):
        with app.test_request_context("/", base_url=f"http://localhost{prefix}/"):
            for endpoint in ("discussions.permalink", "discussions.edit_post", "discussions.delete_post"):
                assert id_url(1234, endpoint) == url_for(endpoint, post_id=1234)
            assert id_url(7, "discussions.thread") == f"{prefix}/t/7"
            assert static_url("app.css").startswith(f"{prefix}/static/app.css?v=")
            assert static_url("app.css") == url_for("static", filename="app.css", v=static_url("app.css")[-12:])


class RecordingLibc:
    """Stands in for glibc: records what the memory helpers ask of the allocator."""

    def __init__(self):
        self.calls = []

    def mallopt(self, option, value):
        self.calls.append(("mallopt", option, value))
        return 1

    def malloc_trim(self, pad):
        self.calls.append(("malloc_trim", pad))
        return 1


def test_memory_helpers_tune_glibc_are_no_ops_without_it_and_freeze_what_start_up_loaded(monkeypatch):
    import gc

    from learncircle import memory

    libc = RecordingLibc()
    monkeypatch.setattr(memory, "_glibc", libc)
    memory.tune_allocator()
    assert libc.calls == [("mallopt", memory.M_ARENA_MAX, 2), ("mallopt", memory.M_MMAP_THRESHOLD, 128 * 1024)]
    memory.give_back_freed()
    assert libc.calls[-1] == ("malloc_trim", 0)

    monkeypatch.setattr(memory, "_glibc", None)  # macOS, musl: the server runs the same
    memory.tune_allocator()
    memory.give_back_freed()
    try:
        memory.settle_after_start()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


@pytest.mark.skipif(not os.path.exists("/proc/self/statm") or platform.libc_ver()[0] != "glibc",
                    reason="needs Linux with glibc")
def test_freed_memory_really_goes_back_to_the_system_on_glibc():
    import ctypes

    from learncircle import memory

    assert memory._glibc is not None, "glibc was not found, so the memory helpers do nothing"
    libc = ctypes.CDLL("libc.so.6")
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]

    def resident():
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    block, count = 64 * 1024, 800  # 50 MB in blocks small enough to come from the heap
    blocks = [libc.malloc(block) for _ in range(count)]
    for address in blocks:
        ctypes.memset(address, 1, block)
    for address in blocks[:-1]:  # the last block keeps the heap's top, so glibc keeps the rest by itself
        libc.free(address)
    try:
        before = resident()
        memory.give_back_freed()
        assert before - resident() > 30 * 2**20
    finally:
        libc.free(blocks[-1])


def test_the_servers_memory_wrapper_answers_every_request_unchanged(client, make_user, monkeypatch):
    from learncircle import memory

    make_user()
    trims = []
    monkeypatch.setattr(memory, "give_back_freed", lambda: trims.append(1))
    wrapped = memory.returning_freed_memory(client.application.wsgi_app, every=3)
    monkeypatch.setattr(client.application, "wsgi_app", wrapped)
    statuses = [client.get("/login").status_code for _ in range(7)]
    assert statuses == [200] * 7 and len(trims) == 2
