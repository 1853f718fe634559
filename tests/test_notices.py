"""The notices page: a person's notices, newest first, unread ones marked, and marking them all read."""
from learncircle import clock, db
from learncircle.notices import kinds
from learncircle.notices.models import Notice
from tests.helpers import html


def test_notices_page_marks_unread_and_marks_all_read(client, auth, world):
    ana = world["ana"]
    auth.login(ana)
    with db.database.connection_context():
        Notice.send([ana], kinds.as_written("Older news"), "/c/x")
    assert client.post("/notices/read").status_code == 303  # read before the others arrive
    with db.database.connection_context():
        clock.advance(minutes=5)
        Notice.send([ana], kinds.as_written("Reminder: “Essay one” is waiting for your submission."), "/r/1")
        Notice.send([ana], kinds.as_written("Off-site"), "https://evil.example/")
        Notice.send([world["ben"]], kinds.as_written("Not for Ana"))
    page = html(client.get("/notices"))
    items = page.select("#notice-list li")
    assert [li.get_text(" ", strip=True).split(" ")[0] for li in items] == ["new", "new", "Older"]
    assert len(page.select("#notice-list li.unread")) == 2
    assert "Not for Ana" not in page.get_text()
    assert page.find("a", string="Off-site") is None  # a link that leaves the site is not a link
    assert page.find("a", string="Reminder: “Essay one” is waiting for your submission.")["href"] == "/r/1"

    response = client.post("/notices/read")
    assert response.status_code == 303 and response.headers["Location"].endswith("/notices")
    page = html(client.get("/notices"))
    assert page.select("#notice-list li.unread") == []
    with db.database.connection_context():
        assert Notice.select().where((Notice.user == world["ben"].id) & Notice.read_at.is_null()).count() == 1
