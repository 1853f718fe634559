"""The daily digest: made when a sender runs after 07:00 in the reader's zone, once a day, with their unread
notices of digest categories, new threads of their circles only, questions waiting and deadlines; in their
language and zone; skipped when nothing is new; its unsubscribe link stops what it carries."""
import pytest

from learncircle import clock, db
from learncircle.accounts.models import User
from learncircle.circles.models import PRIVATE
from learncircle.discussions.models import Thread
from learncircle.mail import digest, preferences
from learncircle.mail.models import Outbox
from learncircle.notices import kinds
from learncircle.notices.models import Notice
from tests.fixtures_mail import mail_config, parts, send
from tests.helpers import pseudo_language_app


@pytest.fixture
def scene(mail_app, make_user, make_circle, add_member, frozen_clock):
    """Monday 2 March 2026, 09:00 UTC: 01:00 for Lea in Los Angeles. Bob opened a discussion and a question in
    Rust, Lea's circle, and Lea has an unread notice of a reply; Zed wrote in a private circle Lea is not in."""
    bob, lea, zed = make_user("bob"), make_user("lea", timezone="America/Los_Angeles"), make_user("zed")
    rust = make_circle(bob, name="Rust")
    add_member(rust, lea)
    hidden = make_circle(zed, name="Hidden", visibility=PRIVATE)
    with mail_app.app_context(), db.database.connection_context():
        Thread.start(circle=rust, author=bob, title="Ownership", kind="discussion", body="Let us talk.")
        Thread.start(circle=rust, author=bob, title="How do lifetimes work?", kind="question", body="Help.")
        Thread.start(circle=hidden, author=zed, title="Secret plans", kind="discussion", body="Shh.")
        Notice.send([lea], kinds.thread_replied(name="Bob", thread="Borrowing"), url="/t/1")
    return {"bob": bob, "lea": lea, "zed": zed}


def test_the_daily_digest_comes_at_seven_in_the_readers_zone_with_what_is_new(mail_app, smtp, scene):
    assert send(mail_app) == (0, 0)  # a reply in a watched thread waits for the digest: nothing at once
    send(mail_app, digests=True)
    assert smtp.inbox.to("lea@example.org") == []  # 01:00 in Los Angeles
    clock.advance(hours=6)  # 07:00 there
    send(mail_app, digests=True)
    [message] = smtp.inbox.to("lea@example.org")
    text, html = parts(message)
    assert message["Subject"] == "Your daily digest"
    assert "Bob replied in “Borrowing”." in text and "Bob replied in “Borrowing”." in html
    assert "Ownership (Rust, Mon 02 Mar 2026, 01:00 PST)" in text  # her zone
    assert "How do lifetimes work?" in text.split("Questions waiting for an answer")[1]
    assert "Secret plans" not in text and "Secret plans" not in html  # not her circle
    assert message["List-Unsubscribe"] and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_digest_comes_once_a_day_and_is_skipped_when_nothing_is_new(mail_app, smtp, scene):
    clock.advance(hours=6)
    with mail_app.app_context(), db.database.connection_context():
        assert digest.send_due() >= 1
        assert digest.send_due() == 0  # a second sender finds her turn taken
    clock.advance(hours=12)
    with mail_app.app_context(), db.database.connection_context():
        assert digest.send_due() == 0  # the same local day
    clock.advance(hours=12)  # Tuesday 07:00 in Los Angeles: nothing new since
    with mail_app.app_context(), db.database.connection_context():
        assert digest.send_due() == 0
        clock.advance(minutes=1)
        Notice.send([scene["lea"]], kinds.thread_replies(thread="Borrowing"), url="/t/1")
    clock.advance(days=1)
    with mail_app.app_context(), db.database.connection_context():
        assert digest.send_due() >= 1
        newest = Outbox.select().where(Outbox.address == "lea@example.org").order_by(Outbox.id.desc()).first()
    assert "New replies in “Borrowing”." in newest.text and "Ownership" not in newest.text


def test_a_weekly_digest_comes_on_monday_only(mail_app, smtp, scene):
    with mail_app.app_context(), db.database.connection_context():
        for category in preferences.CATEGORIES:
            preferences.choose(scene["lea"].id, category, preferences.WEEKLY)
    clock.advance(hours=6)
    send(mail_app, digests=True)
    [message] = smtp.inbox.to("lea@example.org")
    assert message["Subject"] == "Your weekly digest"
    with mail_app.app_context(), db.database.connection_context():
        clock.advance(minutes=1)
        Notice.send([scene["lea"]], kinds.mentioned(name="Bob", thread="Ownership"), url="/t/1")
        for day in range(6):
            clock.advance(days=1)
            assert digest.send_due() == 0, day
        clock.advance(days=1)  # Monday again
        assert digest.send_due() == 1


def test_the_digests_unsubscribe_link_stops_every_kind_it_carries(mail_app, smtp, scene, client):
    clock.advance(hours=6)
    send(mail_app, digests=True)
    [message] = smtp.inbox.to("lea@example.org")
    link = message["List-Unsubscribe"].strip("<>").removeprefix("https://learn.example.org")
    assert client.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with db.database.connection_context():
        chosen = preferences.choices(scene["lea"].id)
    assert chosen["replies"] == chosen["new_threads"] == "never" and chosen["mentions"] == "immediately"


def test_a_digest_is_in_the_readers_language(tmp_path, smtp, frozen_clock):
    app = pseudo_language_app(tmp_path, **mail_config(smtp.port))
    try:
        with app.app_context(), db.database.connection_context():
            pia = User.register(username="pia", email="pia@example.org", password="a long password")
            User.update(language="ru").where(User.id == pia.id).execute()
            Notice.send([pia], kinds.thread_replied(name="Bob", thread="Essays"), url="/t/1")
        assert send(app, digests=True) == (1, 0)
    finally:
        db.close_all()
    [message] = smtp.inbox.to("pia@example.org")
    assert message["Subject"] == "⟦Your daily digest⟧"
    assert "⟦Bob replied in “Essays”.⟧" in parts(message)[0] and "⟦For you⟧" in parts(message)[1]
