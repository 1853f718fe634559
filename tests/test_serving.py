"""`learncircle serve` facing the internet, run as an operator runs it: many slow clients, bodies far
too large, a stop that answers every request that arrived, and a warning for more threads than the
machine can use.
"""
import http.client
import shutil
import signal
import socket
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from bs4 import BeautifulSoup

from learncircle import config, db, serving
from learncircle.discussions.models import Thread
from tests.conftest import PASSWORD
from tests.serve_helpers import Served

TOO_MANY_THREADS = serving.useful_threads() + 1


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """LearnCircle with its default settings on a fresh instance (it answers with the setup page)."""
    with Served(tmp_path_factory.mktemp("served")) as server:
        yield server


@pytest.fixture(scope="module")
def impatient(tmp_path_factory):
    """LearnCircle that lets a connection idle, or take to send its request, for one second only."""
    with Served(tmp_path_factory.mktemp("impatient"), "--threads", str(TOO_MANY_THREADS),
                env={"LEARNCIRCLE_CONNECTION_TIMEOUT": "1"}) as server:
        yield server


def connect(server):
    return socket.create_connection(("127.0.0.1", server.port), timeout=5)


# ---- many slow clients --------------------------------------------------------------------------

def test_a_page_answers_at_once_while_200_connections_idle_or_trickle(served):
    held = []
    try:
        for n in range(200):
            client = connect(served)
            if n % 2:  # slowloris: a request begun and never finished
                client.sendall(b"GET / HTTP/1.1\r\nHost: learn.example.org\r\nX-Slow: ")
            held.append(client)
        started = time.monotonic()
        page = requests.get(served.url + "/setup", timeout=5)
        took = time.monotonic() - started
    finally:
        for client in held:
            client.close()

    assert page.status_code == 200
    assert BeautifulSoup(page.text, "html.parser").find("form") is not None
    assert took < 2


def closed_within(client, seconds, trickle=False):
    """Whether the server closes the connection within seconds; trickle sends a byte every 0.2 s meanwhile."""
    client.settimeout(0.2)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if client.recv(1024) == b"":
                return True
        except TimeoutError:
            pass
        except ConnectionError:
            return True
        if trickle:
            try:
                client.sendall(b"a")
            except (BrokenPipeError, ConnectionError):
                return True
    return False


def test_idle_and_trickling_connections_are_closed_after_the_timeout(impatient):
    with connect(impatient) as idle, connect(impatient) as trickling:
        trickling.sendall(b"GET / HTTP/1.1\r\nHost: learn.example.org\r\nX-Slow: ")
        assert closed_within(trickling, 6, trickle=True)  # busy, but no whole request within the timeout
        assert closed_within(idle, 3)


# ---- bodies -------------------------------------------------------------------------------------

def test_a_body_far_beyond_the_limit_is_refused_before_it_is_sent(served):
    with connect(served) as client:
        client.sendall(b"POST /login HTTP/1.1\r\nHost: learn.example.org\r\n"
                       b"Content-Type: application/x-www-form-urlencoded\r\n"
                       b"Content-Length: 209715200\r\n\r\n")  # 200 MB announced, none of it sent
        answer = client.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_headers_beyond_32_kb_are_refused(served):
    with connect(served) as client:
        client.sendall(b"GET /setup HTTP/1.1\r\nHost: learn.example.org\r\nX-Padding: " + b"x" * (40 * 1024)
                       + b"\r\n\r\n")
        answer = client.recv(4096)
    assert answer.split(b" ", 2)[1] == b"431"


def test_a_body_a_little_over_the_limit_gets_the_sites_own_page(served):
    answer = requests.post(served.url + "/login", data={"login": "x" * (1536 * 1024)}, timeout=10)
    assert answer.status_code == 413
    assert "larger than this site accepts" in answer.text


# ---- threads ------------------------------------------------------------------------------------

def test_more_threads_than_the_machine_can_use_warn_once_at_start(served, impatient):
    warnings = [line for line in impatient.stderr if "more than this machine can use" in line]
    assert len(warnings) == 1
    assert f"--threads {TOO_MANY_THREADS}" in warnings[0]
    assert not [line for line in served.stderr if "more than this machine can use" in line]


def test_threads_within_what_the_machine_can_use_do_not_warn():
    assert serving.threads_warning(4) is None
    assert serving.threads_warning(serving.useful_threads()) is None
    assert "--threads 64" in serving.threads_warning(max(64, TOO_MANY_THREADS))


# ---- stopping -----------------------------------------------------------------------------------

def sign_in(server, username):
    """A browser session signed in through the login form; returns (session, cookie header)."""
    browser = requests.Session()
    login_page = browser.get(server.url + "/login", timeout=5)
    token = BeautifulSoup(login_page.text, "html.parser").find("input", {"name": "csrf_token"})["value"]
    signed_in = browser.post(server.url + "/login", data={"csrf_token": token, "login": username,
                                                          "password": PASSWORD},
                             allow_redirects=False, timeout=10)
    assert signed_in.status_code == 303, signed_in.text
    return browser, "; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.cookies)


def test_sigterm_answers_every_request_that_arrived_and_leaves_one_complete_file(app, make_user, make_circle,
                                                                                  tmp_path):
    owner = make_user("owner")
    circle = make_circle(owner)
    with db.database.connection_context():
        thread = Thread.start(circle=circle, author=owner, title="Before the restart", kind="discussion",
                              body="First words.")
    database_file = Path(db.database.obj.database)
    db.close_all()
    served = Served(tmp_path / "instance", "--threads", "2",
                    env={"LEARNCIRCLE_DATABASE_URL": app.config["DATABASE_URL"]})
    try:
        browser, cookie = sign_in(served, "owner")
        shown = browser.get(f"{served.url}/t/{thread.id}", timeout=5)
        assert shown.status_code == 200, served.output()
        page = BeautifulSoup(shown.text, "html.parser")
        form = page.find("form", id=f"thread-{thread.id}-reply")
        token = form.find("input", {"name": "csrf_token"})["value"]

        # Another writer holds the database, so the replies wait in the server: two running, four queued.
        holder = sqlite3.connect(database_file, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        replies = [f"Reply number {n} arrived before the stop." for n in range(6)]
        in_flight = []
        for n, reply in enumerate(replies):
            connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
            connection.request("POST", form["action"],
                               body=urlencode({"csrf_token": token, "form_key": f"stop-{n}", "body": reply}),
                               headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
            in_flight.append(connection)
        served.process.send_signal(signal.SIGTERM)
        served.wait_for_line("LearnCircle is stopping")
        holder.execute("ROLLBACK")
        holder.close()

        answers = [connection.getresponse() for connection in in_flight]
        assert [answer.status for answer in answers] == [303] * len(replies)
        for answer in answers:
            answer.read()
        for connection in in_flight:
            connection.close()
        assert served.finish(stop=False) == 0  # the one SIGTERM above was enough
    finally:
        served.finish()
    assert "LearnCircle stopped" in served.stdout

    wal = Path(f"{database_file}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    copy = tmp_path / "copied-alone.sqlite3"
    shutil.copyfile(database_file, copy)
    with sqlite3.connect(copy) as copied:
        bodies = [body for (body,) in copied.execute("SELECT body FROM post WHERE thread_id = ?", (thread.id,))]
    assert sorted(bodies) == sorted(["First words.", *replies])


def test_connection_settings_must_be_whole_numbers(tmp_path):
    for name, value in (("CONNECTION_LIMIT", "lots"), ("CONNECTION_TIMEOUT", "0")):
        settings = {**config.defaults(tmp_path), name: value}
        with pytest.raises(ValueError, match=name):
            config.check(settings)
