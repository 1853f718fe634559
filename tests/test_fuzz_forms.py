"""Random input through the register, new-thread and reply forms: never a 5xx, and what was typed
comes back in the form whenever it is refused."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

from learncircle import db
from learncircle.discussions.models import Post, Thread
from tests.helpers import html

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Any text a browser can send: every Unicode character but lone surrogates, sometimes very long.
typed = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=5), st.integers(10_000, 12_000)),
)


def field_value(page, name):
    """What the re-rendered form shows in the field called name, as the browser would submit it."""
    field = page.find(attrs={"name": name})
    if field.name == "textarea":
        text = field.string or ""
        # HTML drops one line break after <textarea> (CRLF reads as one).
        return text.removeprefix("\r\n") if text.startswith("\r\n") else text.removeprefix("\n")
    return field.get("value", "")


def as_browser_keeps(value, strip=False):
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.strip() if strip else value


@pytest.fixture
def open_registration(app, make_user):
    app.config["REGISTRATION"] = "open"
    make_user("someone")  # the instance is set up, so /register is reachable
    return app


@FUZZ
@given(username=typed, email=typed, display_name=typed, password=typed)
def test_register_never_fails_and_keeps_input(open_registration, client, username, email, display_name,
                                              password):
    form = {"username": username, "email": email, "display_name": display_name,
            "password": password, "confirm": password, "timezone": "UTC"}
    response = client.post("/register", data=form)
    assert response.status_code < 500
    # The body as the client sends it (its encoding escapes fewer characters than urlencode's).
    sent = int(EnvironBuilder(method="POST", data=form).get_environ()["CONTENT_LENGTH"])
    if sent > open_registration.config["MAX_CONTENT_LENGTH"]:
        assert response.status_code == 413  # refused whole, with a page that says so
        return
    if response.status_code == 422:
        page = html(response)
        assert page.select(".field-error"), "a refusal says why"
        assert as_browser_keeps(field_value(page, "username")) == as_browser_keeps(username, strip=True)
        assert as_browser_keeps(field_value(page, "email")) == as_browser_keeps(email, strip=True)
        assert as_browser_keeps(field_value(page, "display_name")) == as_browser_keeps(display_name, strip=True)
    else:
        assert response.status_code in (302, 303)
    client.post("/logout")


@pytest.fixture
def member_in_circle(app, auth, make_user, make_circle):
    member = make_user("writer")
    circle = make_circle(member)
    auth.login(member)
    return circle


@FUZZ
@given(title=typed, body=typed, kind=st.sampled_from(["discussion", "question", "", "poll"]))
def test_new_thread_never_fails_and_keeps_input(member_in_circle, client, title, body, kind):
    circle = member_in_circle
    form = {"title": title, "body": body, "kind": kind, "form_key": ""}
    response = client.post(f"/c/{circle.slug}/threads/new", data=form)
    assert response.status_code < 500
    if int(EnvironBuilder(method="POST", data=form).get_environ()["CONTENT_LENGTH"]) > client.application.config[
            "MAX_CONTENT_LENGTH"]:
        assert response.status_code == 413  # refused whole, with a page that says so
        return
    if response.status_code == 422:
        page = html(response)
        assert page.select(".field-error")
        assert as_browser_keeps(field_value(page, "title")) == as_browser_keeps(title, strip=True)
        assert as_browser_keeps(field_value(page, "body")) == as_browser_keeps(body)
    else:
        assert response.status_code == 303
        with db.database.connection_context():
            assert Thread.select().where(Thread.title == title.strip()).exists()


@FUZZ
@given(body=typed, htmx=st.booleans())
def test_reply_never_fails_and_keeps_input(member_in_circle, client, body, htmx):
    circle = member_in_circle
    with db.database.connection_context():
        thread = Thread.listing(circle).first() or Thread.start(
            circle=circle, author=circle.owner(), title="Fuzzed", kind="discussion", body="Reply below.")
        before = Post.select().where(Post.thread == thread.id).count()
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(f"/t/{thread.id}/reply", data={"body": body, "form_key": ""}, headers=headers)
    assert response.status_code < 500
    with db.database.connection_context():
        after = Post.select().where(Post.thread == thread.id).count()
    if response.status_code == 422:
        assert after == before
        page = html(response)
        assert page.select(".field-error")
        assert as_browser_keeps(field_value(page, "body")) == as_browser_keeps(body)
    else:
        assert response.status_code in (200, 303)
        assert after == before + 1
