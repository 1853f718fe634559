"""Email through the outbox, against a real SMTP server on 127.0.0.1: a notice mails those who want it at once,
in both parts, in their language, with one-click unsubscribe headers; a mail waits while the server is down
and goes out once, exactly once, across restarts and with two senders; without SMTP settings nothing is queued."""
import os
import threading

import pytest

from learncircle import clock, create_app, db
from learncircle.accounts.models import User
from learncircle.discussions.models import Thread
from learncircle.mail import account_mail, outbox, preferences, sender
from learncircle.mail.models import MailPreference, Outbox
from learncircle.notices import kinds
from learncircle.notices.models import Notice
from tests.fixtures_mail import BASE_URL, mail_config, parts, send
from tests.helpers import html, pseudo_language_app


@pytest.fixture
def scene(app, make_user, make_circle, add_member, frozen_clock):
    """A circle where Bob opened a thread and Ana is a member."""
    bob, ana = make_user("bob", display_name="Bob Stone"), make_user("ana", display_name="Ana Lima")
    circle = make_circle(bob, name="Rust")
    add_member(circle, ana)
    with db.database.connection_context():
        thread = Thread.start(circle=circle, author=bob, title="Borrowing", kind="discussion", body="Why?")
    return {"bob": bob, "ana": ana, "circle": circle, "thread": thread}


def mention(client, auth, scene, body="Ask @ana, she knows."):
    auth.login(scene["bob"])
    response = client.post(f"/t/{scene['thread'].id}/reply", data={"body": body, "form_key": ""})
    assert response.status_code == 303
    return response


def rows():
    with db.database.connection_context():
        return list(Outbox.select().order_by(Outbox.id))


def test_a_mention_mails_the_member_in_plain_text_and_html_with_one_click_unsubscribe(mail_app, smtp, client, auth,
                                                                                       scene):
    mention(client, auth, scene)
    assert smtp.inbox.messages == []  # the request only queued it
    assert send(mail_app) == (1, 0)
    [message] = smtp.inbox.to("ana@example.org")
    text, body = parts(message)
    assert message["Subject"] == "Bob Stone mentioned you in “Borrowing”."
    assert message["From"] == "LearnCircle <circles@example.org>"
    assert f"{BASE_URL}/p/" in text and "Bob Stone mentioned you" in text
    assert html_link(body, "See it on").startswith(f"{BASE_URL}/p/")
    assert message["List-Unsubscribe"].startswith(f"<{BASE_URL}/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] == rows()[0].message_id
    assert smtp.inbox.to("bob@example.org") == []  # the writer is not told of his own post


def html_link(body, words):
    from bs4 import BeautifulSoup
    return next(a["href"] for a in BeautifulSoup(body, "html.parser").find_all("a") if words in a.get_text())


def test_a_member_who_chose_never_gets_no_mail_and_the_settings_page_stores_the_choice(mail_app, smtp, client, auth,
                                                                                        scene):
    auth.login(scene["ana"])
    page = html(client.get("/settings/email"))
    assert page.find("input", {"name": "mentions", "value": "immediately"}).has_attr("checked")
    assert page.find(id="email-off") is None
    choices = {category: "immediately" for category in preferences.CATEGORIES} | {"mentions": "never"}
    assert client.post("/settings/email", data=choices).status_code == 303
    with db.database.connection_context():
        assert preferences.choices(scene["ana"].id)["mentions"] == "never"
    mention(client, auth, scene)
    assert send(mail_app) == (0, 0)
    assert smtp.inbox.messages == []


def test_a_bad_frequency_is_refused_with_the_form_again(mail_app, client, auth, scene):
    auth.login(scene["ana"])
    response = client.post("/settings/email", data={"mentions": "hourly"})
    assert response.status_code == 422
    with db.database.connection_context():
        assert MailPreference.select().count() == 0


def test_a_german_reader_gets_german(mail_app, smtp, make_user, frozen_clock):
    greta = make_user("greta", timezone="Europe/Berlin")
    with mail_app.app_context(), db.database.connection_context():
        User.update(language="de").where(User.id == greta.id).execute()
        Notice.send([greta], kinds.review_arrived(round="Essays", readable_now=True), url="/r/1")
    assert send(mail_app) == (1, 0)
    [to_greta] = smtp.inbox.to("greta@example.org")
    assert to_greta["Subject"] == "Ein Review deiner Arbeit in „Essays“ ist eingetroffen."


def test_every_word_and_time_of_a_mail_is_in_the_readers_language_and_zone(tmp_path, smtp, frozen_clock):
    """The pseudo-language reader gets every marked string of the mail in it, and times in her zone."""
    app = pseudo_language_app(tmp_path, **mail_config(smtp.port))
    try:
        with app.app_context(), db.database.connection_context():
            pia = User.register(username="pia", email="pia@example.org", password="a long password",
                                timezone="Asia/Kolkata")
            User.update(language="ru").where(User.id == pia.id).execute()
            pia = User.get_by_id(pia.id)
            Notice.send([pia], kinds.mentioned(name="Bob", thread="Essays"), url="/t/1")
            account_mail.send_reset_link(pia)
        assert send(app) == (2, 0)
    finally:
        db.close_all()
    notice, reset = smtp.inbox.to("pia@example.org")
    assert notice["Subject"].startswith("⟦")
    assert "⟦See it here:⟧" in parts(notice)[0] and "⟦Unsubscribe from these emails⟧" in parts(notice)[1]
    # 9:00 UTC + 24 hours, in Kolkata: 14:30 the next day.
    assert "14:30" in parts(reset)[0] and "⟦Set a new password⟧" in parts(reset)[1]


def test_with_the_server_down_mail_waits_and_goes_out_once_it_is_back(mail_app, smtp, client, auth, scene):
    smtp.stop()
    mention(client, auth, scene)
    assert send(mail_app) == (0, 1)
    [row] = rows()
    assert row.sent_at is None and row.attempts == 1 and row.claimed_at is None and "refused" in row.last_error.lower()
    smtp.start()
    assert send(mail_app) == (0, 0)  # it waits for its back-off, even with the server back
    clock.advance(minutes=1)
    assert send(mail_app) == (1, 0)
    assert send(mail_app) == (0, 0)
    assert len(smtp.inbox.to("ana@example.org")) == 1
    assert rows()[0].sent_at == clock.now()


def test_nothing_is_lost_or_sent_twice_across_a_restart(mail_app, smtp, client, auth, scene, tmp_path):
    """Mail queued by one process is sent by a new app on the same database; a claim left by a killed sender is
    taken over only after its timeout, and then sent once."""
    mention(client, auth, scene)
    mention(client, auth, scene, body="And @ana again.")
    with db.database.connection_context():
        killed = outbox.claim("killed-sender", limit=1)  # claimed, then the process died before sending
    assert len(killed) == 1
    db.close_all()
    restarted = create_app({"TESTING": True, "DATABASE_URL": mail_app.config["DATABASE_URL"],
                            "SECRET_KEY": "test-secret", **mail_config(smtp.port)})
    assert send(restarted) == (1, 0)  # the unclaimed one
    clock.advance(minutes=9)
    assert send(restarted) == (0, 0)  # the dead claim still holds
    clock.advance(minutes=2)
    assert send(restarted) == (1, 0)
    assert send(restarted) == (0, 0)
    subjects = sorted(m["Message-ID"] for m in smtp.inbox.to("ana@example.org"))
    assert len(subjects) == 2 and len(set(subjects)) == 2
    assert all(row.sent_at is not None for row in rows())


def test_two_senders_on_one_database_never_send_a_row_twice(mail_app, smtp, scene):
    with mail_app.app_context(), db.database.connection_context():
        for number in range(40):
            outbox.enqueue(f"reader{number}@example.org", "test", f"Mail {number}", "text", "<p>html</p>")
    results = []

    def run():
        results.append(sender.send_all(mail_app, digests=False))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(sent for sent, _ in results) == 40
    received = sorted(message["Subject"] for _, message in smtp.inbox.messages)
    assert received == sorted(f"Mail {number}" for number in range(40))


def test_a_notice_dated_later_is_never_mailed_as_it_may_still_be_called_back(mail_app, smtp, scene):
    """A scheduled prompt's mention waits on the site for its time (cancelling the prompt drops it): no mail."""
    with mail_app.app_context(), db.database.connection_context():
        Notice.send([scene["ana"]], kinds.mentioned(name="Bob", thread="Later"), url="/t/1",
                    at=clock.now().replace(hour=18))
    assert rows() == []
    clock.advance(hours=9)
    assert send(mail_app) == (0, 0)
    assert smtp.inbox.to("ana@example.org") == []


def test_a_permanently_refused_address_is_given_up(mail_app, smtp, scene):
    async def refuse(server, session, envelope, address, options):
        return "550 no such mailbox"
    smtp.inbox.handle_RCPT = refuse
    with mail_app.app_context(), db.database.connection_context():
        outbox.enqueue("nobody@example.org", "test", "Hello", "text", "<p>html</p>")
    assert send(mail_app) == (0, 1)
    [row] = rows()
    assert row.attempts == outbox.MAX_ATTEMPTS and "550" in row.last_error
    clock.advance(days=30)
    assert send(mail_app) == (0, 0)


def test_without_smtp_settings_no_mail_is_queued_and_pages_say_email_is_off(app, client, auth, scene):
    mention(client, auth, scene)
    assert rows() == []
    auth.login(scene["ana"])
    assert html(client.get("/settings/email")).find(id="email-off") is not None
    assert html(client.get("/settings/email/address")).find(id="email-off") is not None
    assert sender.sender(app).start() is False  # `serve` starts no sending thread
    auth.logout()
    assert html(client.get("/forgot-password")).find(id="email-off") is not None
    assert "sends no email" in html(client.get("/login")).find(id="forgot-password").get_text()


def test_the_send_mail_command_sends_what_is_due_and_says_what_waits(tmp_path, monkeypatch, smtp):
    from click.testing import CliRunner

    from learncircle.cli import main

    folder = tmp_path / "instance"
    monkeypatch.setenv("LEARNCIRCLE_INSTANCE_PATH", str(folder))
    for name, value in mail_config(smtp.port).items():
        monkeypatch.setenv(f"LEARNCIRCLE_{name}", str(value))
    app = create_app({"SECRET_KEY": "test-secret"})
    try:
        with app.app_context(), db.database.connection_context():
            db.upgrade()
            outbox.enqueue("reader@example.org", "test", "Queued before", "text", "<p>html</p>")
        result = CliRunner().invoke(main, ["send-mail"])
        assert result.exit_code == 0 and "1 email sent." in result.output
        assert [m["Subject"] for m in smtp.inbox.to("reader@example.org")] == ["Queued before"]
        smtp.stop()
        with app.app_context(), db.database.connection_context():
            outbox.enqueue("reader@example.org", "test", "Queued while down", "text", "<p>html</p>")
        result = CliRunner().invoke(main, ["send-mail"])
        assert result.exit_code == 1 and "tried again later" in result.output
        monkeypatch.delenv("LEARNCIRCLE_SMTP_HOST")
        result = CliRunner().invoke(main, ["send-mail"])
        assert result.exit_code == 0 and "SMTP_HOST is not set" in result.output
    finally:
        db.close_all()


@pytest.mark.skipif(not os.environ.get("LEARNCIRCLE_TEST_POSTGRES_URL"),
                    reason="set LEARNCIRCLE_TEST_POSTGRES_URL to run the PostgreSQL tests")
def test_two_senders_and_the_digest_on_postgresql(pg_app, smtp, frozen_clock):  # noqa: F811
    pg_app.config.update(mail_config(smtp.port))
    with pg_app.app_context(), db.database.connection_context():
        reader = User.register(username="reader", email="reader@example.org", password="a long password")
        for number in range(30):
            outbox.enqueue(f"reader{number}@example.org", "test", f"Mail {number}", "text", "<p>html</p>")
        Notice.send([reader], kinds.thread_replied(name="Bob", thread="Essays"), url="/t/1")
    results = []
    threads = [threading.Thread(target=lambda: results.append(sender.send_all(pg_app))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(sent for sent, _ in results) == 31  # thirty mails and one digest, each once
    assert sorted(m["Subject"] for _, m in smtp.inbox.messages).count("Your daily digest") == 1
    assert len(smtp.inbox.messages) == 31


def test_mail_sent_or_given_up_is_deleted_after_thirty_days(mail_app, smtp, scene):
    with mail_app.app_context(), db.database.connection_context():
        outbox.enqueue("reader@example.org", "test", "Hello", "text", "<p>html</p>")
    send(mail_app)
    clock.advance(days=29)
    with mail_app.app_context(), db.database.connection_context():
        waiting = outbox.enqueue("later@example.org", "test", "Later", "text", "<p>html</p>")
        assert outbox.prune() == 0
    clock.advance(days=2)
    with mail_app.app_context(), db.database.connection_context():
        assert outbox.prune() == 1
    assert [row.id for row in rows()] == [waiting.id]


def test_speaking_and_reading_in_force_a_language_and_zone_for_a_block_only(app, frozen_clock):
    from learncircle import i18n, timefmt

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert i18n.page_language() == "en"
        with i18n.speaking("de") as code, timefmt.reading_in("Asia/Tokyo", code) as times:
            assert i18n.gettext("A review of your work in “%(round)s” arrived.", round="X") == \
                "Ein Review deiner Arbeit in „X“ ist eingetroffen."
            assert timefmt.exact_time(clock.now()).endswith("18:00 JST")
            assert times.zone.key == "Asia/Tokyo"
        assert i18n.page_language() == "en"
        assert i18n.gettext("A review of your work in “%(round)s” arrived.", round="X").startswith("A review")
        assert timefmt.exact_time(clock.now()).endswith("09:00 UTC")
        with i18n.speaking("xx") as code:  # a language not shipped: the instance's default
            assert code == "en"
