"""Eight people replying to one thread at once, through the real WSGI server: nothing is lost."""
import threading

import requests
from bs4 import BeautifulSoup

from learncircle import db
from learncircle.accounts import sessions
from learncircle.discussions.models import Post, Thread

WRITERS = 8
REPLIES_EACH = 6


def session_cookie(app, user):
    """A signed session cookie for user, as a login would set it (with its session record)."""
    with db.database.connection_context():
        cookie_id = sessions.start(user)
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps({"_user_id": cookie_id, "_fresh": True})


def reply_form(http, url):
    """Read the reply form off the thread page: its action and every field it carries."""
    response = http.get(url, timeout=10)
    page = BeautifulSoup(response.text, "html.parser")
    box = page.find("textarea", attrs={"name": "body"})
    said = page.get_text(" ", strip=True)[:300]
    assert box is not None, f"no reply box on the thread page ({response.status_code}): {said}"
    form = box.find_parent("form")
    fields = {field["name"]: field.get("value", "") for field in form.find_all("input") if field.get("name")}
    return form["action"], fields


def test_concurrent_replies_are_all_stored_once(live_server, make_user, make_circle, add_member):
    app = live_server
    base = app.config["LIVE_URL"]
    owner = make_user("host")
    circle = make_circle(owner)
    with db.database.connection_context():
        thread = Thread.start(circle=circle, author=owner, title="Busy thread", kind="discussion",
                              body="Everyone reply at once, please.")
    writers = [make_user(f"writer{n}") for n in range(WRITERS)]
    for writer in writers:
        add_member(circle, writer)

    errors, statuses = [], []
    start = threading.Barrier(WRITERS)
    cookies = {writer.id: session_cookie(app, writer) for writer in writers}

    def write(user):
        http = requests.Session()
        http.cookies.set("session", cookies[user.id], domain="127.0.0.1")
        try:
            thread_url = f"{base}/t/{thread.id}"
            forms = [reply_form(http, thread_url) for _ in range(REPLIES_EACH)]
            start.wait(timeout=30)
            for n, (action, fields) in enumerate(forms):
                response = http.post(base + action, data={**fields, "body": f"Reply {n} from {user.username}"},
                                     timeout=30, allow_redirects=False)
                statuses.append(response.status_code)
        except Exception as error:  # collected and asserted below, so a failure names its cause
            errors.append(repr(error))

    workers = [threading.Thread(target=write, args=(user,)) for user in writers]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert errors == []
    assert statuses == [303] * (WRITERS * REPLIES_EACH)
    with db.database.connection_context():
        stored = Post.select().where(Post.thread == thread.id).count()
        numbers = [p.number for p in Post.select(Post.number).where(Post.thread == thread.id).order_by(Post.number)]
        refreshed = Thread.get_by_id(thread.id)
    assert stored == 1 + WRITERS * REPLIES_EACH
    assert numbers == list(range(1, stored + 1))
    assert refreshed.post_count == stored
