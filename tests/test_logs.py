"""The server's log: one Common Log Format line per request with the person and the time taken, a
reference for each server error that the error page shows too, and waitress's queue warnings
gathered into one a minute.
"""
import io
import logging
import re

import pytest

from learncircle import create_app, db, logs
from tests.helpers import html

CLF = re.compile(r'^(?P<address>\S+) - (?P<user>\S+) \[(?P<time>\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000)\] '
                 r'"(?P<request>[^"]*)" (?P<status>\d{3}) (?P<size>\d+|-) (?P<seconds>\d+\.\d{3})'
                 r'(?: error=(?P<error>[0-9a-f]+))?$')


def request_lines(caplog):
    return [record.getMessage() for record in caplog.records if record.name == "learncircle.requests"]


@pytest.fixture
def logged(caplog):
    caplog.set_level(logging.INFO, logger="learncircle.requests")
    return caplog


def test_each_request_is_one_line_with_address_person_status_and_time(client, auth, make_user, logged):
    person = auth.login(make_user("ada"))
    client.get("/notices?page=1")
    auth.logout()
    client.get("/login")

    signed_in, signed_out = (CLF.match(line) for line in request_lines(logged))
    assert signed_in["address"] == "127.0.0.1"
    assert signed_in["user"] == str(person.id)
    assert signed_in["request"] == "GET /notices?page=1 HTTP/1.1"
    assert signed_in["status"] == "200"
    assert int(signed_in["size"]) > 0
    assert float(signed_in["seconds"]) < 5
    assert signed_in["error"] is None
    assert signed_out["user"] == "-" and signed_out["request"] == "GET /login HTTP/1.1"


def test_a_path_cannot_forge_a_second_line_or_break_the_quotes(client, make_user, logged):
    make_user()
    client.get('/nowhere"%0A127.0.0.9 - 1 [x] "GET / HTTP/1.1" 200 1 0.001')
    (line,) = request_lines(logged)
    assert "\n" not in line
    assert CLF.match(line)["status"] == "404"


@pytest.fixture
def proxied_app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'proxied.sqlite3'}",
                      "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False, "PROXY_COUNT": 1})
    db.upgrade()
    yield app
    db.close_all()


def test_behind_a_proxy_the_line_names_the_client_the_proxy_reports(proxied_app, logged):
    proxied_app.test_client().get("/login", headers={"X-Forwarded-For": "198.51.100.4, 203.0.113.9"})
    (line,) = request_lines(logged)
    assert CLF.match(line)["address"] == "203.0.113.9"  # the entry the one proxy added


def test_a_server_error_shows_a_reference_that_leads_to_its_traceback(app, client, make_user, logged):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page, not the test's exception

    def broken():
        raise RuntimeError("the disk controller is on fire")

    app.add_url_rule("/broken", "broken", broken)
    make_user()

    answer = client.get("/broken")

    assert answer.status_code == 500
    reference = html(answer).select_one(".error-reference code").get_text()
    assert re.fullmatch(r"[0-9a-f]{8}", reference)
    (error,) = [record for record in logged.records if record.name == "learncircle.errors"]
    assert error.levelno == logging.ERROR
    assert f"error={reference}" in error.getMessage() and "GET /broken" in error.getMessage()
    assert "the disk controller is on fire" in logging.Formatter().formatException(error.exc_info)
    (line,) = request_lines(logged)
    assert CLF.match(line)["error"] == reference and CLF.match(line)["status"] == "500"


def test_the_task_queue_flood_becomes_one_warning_a_minute():
    now = [0.0]
    digest = logs.QueueDepthDigest(every=60, clock=lambda: now[0])
    kept = []

    def waitress_warns(depth):
        record = logging.LogRecord("waitress.queue", logging.WARNING, __file__, 0, "Task queue depth is %d",
                                   (depth,), None)
        if digest.filter(record):
            kept.append(record.getMessage())

    for n in range(6614):
        now[0] = n * 0.009  # 6,614 in a minute
        waitress_warns(1 + n % 7)
    assert len(kept) == 1
    assert "waiting for a free worker thread" in kept[0]

    now[0] = 60.0
    waitress_warns(2)
    assert len(kept) == 2
    assert "6614 times" in kept[1] and "at most 7 queued" in kept[1]


@pytest.fixture
def configured():
    """logs.configure() as `learncircle serve` calls it, writing to a string; undone afterwards."""
    root, own, waitress, queue = (logging.getLogger(name) for name in ("", "learncircle", "waitress", "waitress.queue"))
    levels = [(logger, logger.level) for logger in (root, own, waitress)]
    filters = list(queue.filters)
    stream = io.StringIO()
    handler = logs.configure(stream)
    yield stream
    root.removeHandler(handler)
    queue.filters[:] = filters
    for logger, level in levels:
        logger.setLevel(level)


def test_the_server_log_keeps_request_lines_bare_and_waitress_quiet(configured, client, make_user):
    make_user()
    client.get("/login")
    for depth in range(1, 500):
        logging.getLogger("waitress.queue").warning("Task queue depth is %d", depth)
    logging.getLogger("waitress").info("Client disconnected while serving /login")

    lines = configured.getvalue().splitlines()
    assert CLF.match(lines[0])["request"] == "GET /login HTTP/1.1"
    assert len(lines) == 2
    assert "WARNING waitress.queue: requests are waiting for a free worker thread" in lines[1]
