"""Hostile text in every place people type it: nothing executable ever reaches a page."""
import pytest

from learncircle import db
from learncircle.circles.models import Invitation
from learncircle.discussions.models import Thread

from tests.helpers import html

CORPUS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)><circle r=5/></svg>",
    '<iframe src="https://evil.example/"></iframe>',
    "<style>body{display:none}</style>",
    "[click](javascript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<object data=javascript:alert(1)></object><embed src=javascript:alert(1)>",
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    "<<script>script>alert(1)<</script>/script>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<base href=javascript:alert(1)//>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
]

FORBIDDEN_TAGS = {"iframe", "svg", "style", "object", "embed", "math", "base", "frame", "frameset", "applet"}


def assert_nothing_executable(response):
    page = html(response)
    for tag in page.find_all(True):
        assert tag.name not in FORBIDDEN_TAGS, f"<{tag.name}> came through"
        if tag.name == "script":
            assert tag.get("src", "").startswith("/static/"), f"a script that is not ours: {tag}"
            assert not tag.string, "inline script"
        if tag.name == "meta":
            assert "http-equiv" not in tag.attrs
        for attribute, value in tag.attrs.items():
            assert not attribute.lower().startswith("on"), f"event handler {attribute} on <{tag.name}>"
            assert attribute.lower() != "style", f"style attribute on <{tag.name}>"
            if attribute.lower() in ("href", "src", "action", "formaction", "data", "xlink:href"):
                text = "".join(value if isinstance(value, list) else [value])
                compact = "".join(text.split()).lower()
                assert not compact.startswith(("javascript:", "vbscript:", "data:text")), f"{attribute}={text!r}"


@pytest.mark.parametrize("payload", CORPUS)
def test_hostile_text_is_inert_everywhere_it_shows(payload, client, auth, make_user, make_circle, add_member):
    author = make_user("author", display_name=payload[:80])
    with db.database.connection_context():
        author.update_profile(display_name=payload[:80], bio=payload, timezone="UTC", pronouns=payload[:40])
    circle = make_circle(author, name=payload[:100], purpose=payload[:300])
    reader = make_user("reader")
    add_member(circle, reader)
    with db.database.connection_context():
        thread = Thread.start(circle=circle, author=author, title=payload[:200], kind="question", body=payload)
        reply = thread.reply(author=author, body=f"Quoting: {payload}")
        invitation = Invitation.make(circle=circle, created_by=author)

    auth.login(reader)
    pages = [
        "/",
        f"/c/{circle.slug}",
        f"/c/{circle.slug}/members",
        f"/t/{thread.id}",
        f"/u/{author.username}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_nothing_executable(response)

    auth.login(author)
    for url in [f"/p/{reply.id}/edit", f"/c/{circle.slug}/invitations", f"/c/{circle.slug}/settings",
                "/settings/profile"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_nothing_executable(response)
    preview = client.post("/preview", data={"body": payload}, headers={"HX-Request": "true"})
    assert preview.status_code == 200
    assert_nothing_executable(preview)

    auth.logout()
    landing = client.get(f"/invite/{invitation.token}")
    assert landing.status_code == 200
    assert_nothing_executable(landing)
