"""Rate limits that several processes share: two `learncircle serve` processes of one instance, their counters in
one Redis (RATELIMIT_STORAGE_URI=redis://…), spend one posting budget between them. Kept in memory, each process
would have a budget of its own.

redis-server runs on a free loopback port for the test only (.ci/run installs it; elsewhere the test is skipped
when it is missing, and fails in CI).
"""
import os
import shutil
import subprocess
import time

import pytest
import redis
import requests
from bs4 import BeautifulSoup

from learncircle import db
from learncircle.discussions.models import Post, Thread
from tests.conftest import PASSWORD
from tests.serve_helpers import Served, free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture
def redis_url(tmp_path):
    """A Redis of the test's own on 127.0.0.1, which keeps nothing on disk; its URL."""
    if not os.path.exists(REDIS_SERVER):
        reason = "the shared rate-limit test needs redis-server (apt-get install redis-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    port = free_port()
    server = subprocess.Popen([REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
    deadline = time.monotonic() + 10
    try:
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("redis-server did not answer within 10 seconds") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


def signed_in(server, username):
    """A browser session signed in through the login form (with CSRF on, as in production)."""
    browser = requests.Session()
    page = browser.get(server.url + "/login", timeout=5)
    token = BeautifulSoup(page.text, "html.parser").find("input", {"name": "csrf_token"})["value"]
    answer = browser.post(server.url + "/login", data={"csrf_token": token, "login": username, "password": PASSWORD},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 303, answer.text
    return browser


def test_two_processes_spend_one_posting_budget(app, make_user, make_circle, add_member, tmp_path, redis_url):
    owner, ana = make_user("owner"), make_user("ana")
    circle = make_circle(owner)
    add_member(circle, ana)
    with db.database.connection_context():
        thread = Thread.start(circle=circle, author=owner, title="Shared", kind="discussion", body="Reply here.")
    db.close_all()
    env = {"LEARNCIRCLE_DATABASE_URL": app.config["DATABASE_URL"], "LEARNCIRCLE_RATELIMIT_STORAGE_URI": redis_url,
           "LEARNCIRCLE_POSTING_LIMIT": "3 per hour", "LEARNCIRCLE_SECRET_KEY": "shared-by-both-processes-" * 2}
    instance = tmp_path / "instance"
    with Served(instance, env=env) as first, Served(instance, env=env) as second:
        browser = signed_in(first, "ana")  # the same session on both: one instance, one database
        page = BeautifulSoup(browser.get(f"{first.url}/t/{thread.id}", timeout=5).text, "html.parser")
        token = page.find("form", id=f"thread-{thread.id}-reply").find("input", {"name": "csrf_token"})["value"]

        def reply(server, number):
            return browser.post(f"{server.url}/t/{thread.id}/reply", allow_redirects=False, timeout=10,
                                data={"csrf_token": token, "form_key": f"shared-{number}", "body": f"Reply {number}"})

        answers = [reply(server, number).status_code for number, server in enumerate((first, second, first))]
        assert answers == [303, 303, 303], first.output() + second.output()
        # The budget of three is spent, whichever process is asked: in memory, each would still have some.
        refused = reply(second, 3)
        assert refused.status_code == 429
        said = BeautifulSoup(refused.text, "html.parser")
        assert "posted a lot in a short time" in said.select_one("#notices").get_text()
        assert said.find("textarea", attrs={"name": "body"}).get_text().strip() == "Reply 3"
        assert reply(first, 4).status_code == 429
    with db.database.connection_context():
        assert sorted(post.body for post in Post.select().where(Post.author == ana.id)) == \
            ["Reply 0", "Reply 1", "Reply 2"]
