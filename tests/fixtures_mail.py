"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the email tests, and an app that sends through it."""
import email
import socket
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller

from learncircle.mail import sender

SENDER = "LearnCircle <circles@example.org>"
BASE_URL = "https://learn.example.org"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the server received: each message parsed, with its envelope recipients."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address):
        return [message for recipients, message in self.messages if address in recipients]


class SmtpServer:
    """aiosmtpd on a fixed loopback port, which a test may stop and start again (the server down, then back)."""

    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def mail_config(port):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_SECURITY": "none", "MAIL_SENDER": SENDER,
            "BASE_URL": BASE_URL}


@pytest.fixture
def mail_app(app, smtp):
    """The test app, sending through the test SMTP server; links start with BASE_URL."""
    app.config.update(mail_config(smtp.port))
    return app


def send(app, digests=False):
    """What `learncircle send-mail` does: every due mail, once through; (sent, failed). The digests are made
    first only when asked: the tests of other mail leave them out."""
    return sender.send_all(app, digests=digests)


def parts(message):
    """(plain text, HTML) of a multipart/alternative message."""
    return (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())
