"""The pieces every page shares: _forms.html's field(), _pager.html's pager(), and the one way of answering
htmx (web.fragment, errors.page).
"""
import datetime as dt
import types
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup
from flask import g, render_template_string
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from learncircle import errors, timefmt, web

HTMX = {"HX-Request": "true"}


class SampleForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give it a title."), Length(max=20)])
    body = TextAreaField("Body")


def rendered(source, **context):
    return BeautifulSoup(render_template_string(source, **context), "html.parser")


def form_with_errors(data=None):
    form = SampleForm(formdata=None, data=data or {}, meta={"csrf": False})
    form.validate()
    return form


# ---- field() ------------------------------------------------------------------------------------

def test_a_field_links_its_label_hint_and_error_to_the_control(app):
    with app.test_request_context():
        page = rendered('{% from "_forms.html" import field %}{{ field(form.title, hint="Short.") }}',
                        form=form_with_errors())
    control = page.find("input")
    assert page.find("label")["for"] == control["id"] == "title"
    assert control["aria-describedby"].split() == ["title-hint", "title-error"]
    assert control["aria-invalid"] == "true" and control.has_attr("required") and control["maxlength"] == "20"
    assert page.find(id="title-hint").get_text() == "Short."
    assert page.find(id="title-error").get_text() == "Give it a title."
    # By default the hint comes between the label and the control, where it is read before typing.
    assert [tag.name for tag in page.div.find_all(recursive=False)] == ["label", "p", "input", "p"]


def test_a_field_takes_its_own_id_label_hint_place_and_attributes(app):
    with app.test_request_context():
        page = rendered('{% from "_forms.html" import field %}'
                        '{{ field(form.body, id="post-7-body", label="Edit", hint="Markdown.", hint_below=true, '
                        'optional=true, rows=4) }}', form=SampleForm(formdata=None, data={"body": "<b>hi</b>"},
                                                                         meta={"csrf": False}))
    control = page.find("textarea")
    assert control["id"] == "post-7-body" and control["rows"] == "4" and control.string.strip() == "<b>hi</b>"
    assert page.label["for"] == "post-7-body" and page.label.get_text(" ", strip=True) == "Edit (optional)"
    assert control["aria-describedby"] == "post-7-body-hint" and not control.has_attr("aria-invalid")
    assert [tag.name for tag in page.div.find_all(recursive=False)] == ["label", "textarea", "p"]


def test_a_moment_field_names_its_zone_and_a_field_can_point_at_a_message_elsewhere(app):
    with app.test_request_context():
        page = rendered('{% from "_forms.html" import field %}'
                        '{{ field(form.title, zone="Europe/Berlin") }}{{ field(form.body, alert="login-failed") }}',
                        form=SampleForm(formdata=None, data={"title": "x"}, meta={"csrf": False}))
    title, body = page.find("input"), page.find("textarea")
    assert title["aria-describedby"] == "title-zone" and not title.has_attr("aria-invalid")
    assert page.find(id="title-zone").get_text() == "Europe/Berlin time"
    assert title.parent.name == "span" and "with-zone" in title.parent["class"]
    assert body["aria-describedby"] == "login-failed" and body["aria-invalid"] == "true"


# ---- pager() ------------------------------------------------------------------------------------

def pager(app, page, call):
    with app.test_request_context():
        return rendered('{% from "_pager.html" import pager %}' + call, page=page).find("nav")


def test_a_single_page_has_no_pager(app):
    assert pager(app, types.SimpleNamespace(number=1, has_previous=False, has_next=False),
                 '{{ pager(page, "Member pages", "circles.members", slug="x") }}') is None


def test_the_pager_links_the_pages_around_this_one(app):
    nav = pager(app, types.SimpleNamespace(number=2, has_previous=True, has_next=True),
                '{{ pager(page, "Pages of threads", "circles.circle", previous="← Newer", next="Older →", '
                'show_number=true, slug="knit") }}')
    assert nav["aria-label"] == "Pages of threads" and "pager" in nav["class"]
    links = nav.find_all("a")
    assert [(a["rel"], a["href"], a.get_text()) for a in links] == [
        (["prev"], "/c/knit?page=1", "← Newer"), (["next"], "/c/knit?page=3", "Older →")]
    assert nav.find("span", class_="meta").get_text() == "Page 2" and not links[0].has_attr("hx-get")


def test_the_last_page_keeps_its_place_and_can_say_how_many_there_are(app):
    nav = pager(app, {"number": 3, "has_previous": True, "has_next": False},
                '{{ pager(page, "Pages of this thread", "discussions.thread", total=3, thread_id=9) }}')
    children = nav.find_all(recursive=False)
    assert [child.name for child in children] == ["a", "span", "span"]
    assert children[0]["href"] == "/t/9?page=2" and children[1].get_text() == "Page 3 of 3"
    assert children[2].get_text() == ""


def test_an_htmx_pager_swaps_its_list_and_keeps_the_other_lists_page(app):
    nav = pager(app, types.SimpleNamespace(number=1, has_previous=False, has_next=True),
                '{{ pager(page, "Public circles pages", "circles.home", target="#public-circles", mine=4) }}')
    link = nav.find("a")
    assert link["href"] == link["hx-get"] == "/?mine=4&page=2"
    assert (link["hx-target"], link["hx-swap"], link["hx-push-url"]) == ("#public-circles", "outerHTML", "true")
    mine = pager(app, types.SimpleNamespace(number=1, has_previous=False, has_next=True),
                 '{{ pager(page, "My circles pages", "circles.home", param="mine", page=none) }}')
    assert mine.find("a")["href"] == "/?mine=2"


# ---- one way to answer htmx ---------------------------------------------------------------------

def test_an_empty_fragment_still_says_it_varies_by_hx_request(app):
    with app.test_request_context(headers=HTMX):
        response = web.fragment(None, 200, retarget="#x", reswap="outerHTML")
    assert response.get_data() == b"" and "HX-Request" in response.vary
    assert response.headers["HX-Retarget"] == "#x" and response.headers["HX-Reswap"] == "outerHTML"


def test_an_error_is_a_page_or_for_htmx_its_message_alone(app):
    with app.test_request_context():
        page = errors.page(409, "Locked", "No replies.")
    with app.test_request_context(headers=HTMX):
        part = errors.page(409, "Locked", "No replies.")
    assert page.status_code == part.status_code == 409
    assert "HX-Request" in page.vary and "HX-Request" in part.vary
    whole, alone = (BeautifulSoup(r.get_data(as_text=True), "html.parser") for r in (page, part))
    assert whole.find("html") and whole.select_one("header.site")
    assert alone.find("html") is None and alone.select_one(".error-box h1").get_text() == "Locked"
    assert alone.select_one(".error-box p").get_text() == "No replies."


def test_a_datetime_local_value_is_the_viewers_local_minute(app):
    with app.test_request_context():
        g._local_times = timefmt.LocalTimes(ZoneInfo("Asia/Kolkata"), dt.datetime(2026, 3, 2, 9))
        assert render_template_string("{{ moment|datetime_local }}|{{ none|datetime_local }}",
                                      moment=dt.datetime(2026, 3, 2, 9, 0, 30)) == "2026-03-02T14:30|"
