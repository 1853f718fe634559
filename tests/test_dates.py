"""Dates at the calendar's ends: forms accept only dates near today, and no stored date can crash a
page in any time zone.
"""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from flask import g, render_template_string
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from learncircle import db, timefmt
from learncircle.circles.models import FACILITATOR, MEMBER, Invitation
from learncircle.timefmt import input_value as local_input_value
from learncircle.reviews.models import ReviewRound
from learncircle.reviews.rules import ValidationError
from tests.helpers import html
from tests.fixtures_reviews import fresh, make_round, round_form

EDGE_ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC", "America/New_York", "Asia/Kolkata",
              "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns", "Asia/Kathmandu"]
zones = st.sampled_from(EDGE_ZONES).map(ZoneInfo)
moments = st.datetimes(min_value=dt.datetime.min, max_value=dt.datetime.max)


# ---- formatting is total ------------------------------------------------------------------------

@given(zone=zones, moment=moments, now=moments)
@example(zone=ZoneInfo("Pacific/Kiritimati"), moment=dt.datetime.max, now=dt.datetime(2026, 3, 2))
@example(zone=ZoneInfo("Pacific/Pago_Pago"), moment=dt.datetime.min, now=dt.datetime(2026, 3, 2))
@example(zone=ZoneInfo("Pacific/Kiritimati"), moment=dt.datetime.min, now=dt.datetime.max)
def test_local_times_show_every_moment_in_every_zone(zone, moment, now):
    times = timefmt.LocalTimes(zone, now)
    local = times.local(moment)
    assert local.tzinfo is not None
    assert local.astimezone(dt.timezone.utc).replace(tzinfo=None) == moment  # the same instant, never another
    assert str(local.year) in times.exact(moment)
    for relative in (True, False):
        tag = times.tag(moment, relative)
        assert tag.startswith("<time ") and f'datetime="{moment.isoformat()}Z"' in tag


@given(zone=zones, moment=moments)
@example(zone=ZoneInfo("Pacific/Kiritimati"), moment=dt.datetime.max)
@example(zone=ZoneInfo("Pacific/Kiritimati"), moment=dt.datetime.min)
@example(zone=ZoneInfo("Pacific/Pago_Pago"), moment=dt.datetime.max)
def test_to_local_and_from_local_never_raise(zone, moment):
    local = timefmt.to_local(moment, zone)
    assert local.astimezone(dt.timezone.utc).replace(tzinfo=None) == moment
    back = timefmt.from_local(moment, zone)  # a moment typed as local time
    assert back.tzinfo is None
    try:
        expected = moment.replace(tzinfo=zone).astimezone(dt.timezone.utc).replace(tzinfo=None)
    except OverflowError:
        expected = dt.datetime.max if moment.year > 5000 else dt.datetime.min
    assert back == expected


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(zone=st.sampled_from(EDGE_ZONES), moment=moments)
@example(zone="Pacific/Kiritimati", moment=dt.datetime.max)
@example(zone="Pacific/Pago_Pago", moment=dt.datetime.min)
def test_the_time_filters_and_the_input_value_never_raise(app, zone, moment):
    with app.test_request_context("/"):
        g._local_times = timefmt.LocalTimes(ZoneInfo(zone), dt.datetime(2026, 3, 2, 9))
        shown = render_template_string("{{ m|localtime }}|{{ m|time_tag }}|{{ m|time_tag(relative=false) }}",
                                       m=moment)
        assert shown.count(str(timefmt.to_local(moment).year)) >= 2
        value = local_input_value(moment)
        local = timefmt.to_local(moment).replace(tzinfo=None, second=0, microsecond=0)
        assert dt.datetime.fromisoformat(value) == local


# ---- forms accept dates near today ------------------------------------------------------------

@pytest.fixture
def kiritimati(make_user, make_circle, add_member):
    """A circle whose facilitator and member live in Pacific/Kiritimati (UTC+14)."""
    owner = make_user("owner", timezone="Pacific/Kiritimati")
    circle = make_circle(owner)
    facilitator = make_user("facilitator", timezone="Pacific/Kiritimati")
    member = make_user("member", timezone="Pacific/Kiritimati")
    add_member(circle, facilitator, FACILITATOR)
    add_member(circle, member, MEMBER)
    return {"circle": circle, FACILITATOR: facilitator, MEMBER: member, "owner": owner}


@pytest.mark.parametrize("typed, message", [
    ("9999-12-31T23:59", "within 5 years"),
    ("2031-03-10T10:00", "within 5 years"),  # just past the limit (2031-03-02 here)
    ("0001-01-01T00:00", "long past"),
    ("1999-12-31T23:59", "long past"),
])
def test_a_round_deadline_far_from_today_is_refused_with_the_form_kept(client, auth, frozen_clock, kiritimati,
                                                                         typed, message):
    auth.login(kiritimati[FACILITATOR])
    data = round_form(submission_deadline=typed, review_deadline="2026-03-16T18:00")
    response = client.post(f"/c/{kiritimati['circle'].slug}/reviews/new", data=data)
    assert response.status_code == 422
    page = html(response)
    assert message in page.select_one("#submission_deadline-error").get_text()
    assert page.select_one("#submission_deadline")["value"] == typed
    assert page.select_one("#title")["value"] == "Essay one"
    with db.database.connection_context():
        assert ReviewRound.select().count() == 0


def test_a_deadline_within_five_years_is_accepted(client, auth, frozen_clock, kiritimati):
    auth.login(kiritimati[FACILITATOR])
    data = round_form(submission_deadline="2031-02-28T18:00", review_deadline="2031-03-01T18:00")
    assert client.post(f"/c/{kiritimati['circle'].slug}/reviews/new", data=data).status_code == 303
    with db.database.connection_context():
        assert ReviewRound.get().review_deadline == dt.datetime(2031, 3, 1, 4, 0)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_moving_deadlines_to_a_far_date_is_refused_with_the_form_kept(client, auth, frozen_clock, make_user,
                                                                         kiritimati, add_member, zone):
    mover = make_user("mover", timezone=zone)
    add_member(kiritimati["circle"], mover, FACILITATOR)
    round = make_round(kiritimati["circle"], kiritimati[FACILITATOR])
    before = fresh(round).review_deadline
    auth.login(mover)
    response = client.post(f"/r/{round.id}/deadlines", data={"review_deadline": "9999-12-31T23:59"})
    assert response.status_code == 422
    page = html(response)
    assert "within 5 years" in page.select_one("#review_deadline-error").get_text()
    assert page.select_one("#review_deadline")["value"] == "9999-12-31T23:59"
    assert fresh(round).review_deadline == before


def test_the_domain_refuses_far_deadlines_too(app, frozen_clock, kiritimati):
    round = make_round(kiritimati["circle"], kiritimati[FACILITATOR])
    with db.database.connection_context(), pytest.raises(ValidationError) as refused:
        fresh(round).extend_deadlines(review_deadline=dt.datetime(2040, 1, 1))
    assert "more than 5 years away" in refused.value.errors["review_deadline"]


@pytest.mark.parametrize("days", ["366", "100000000000000000000", "-1", "1e9"])
def test_an_invitation_expiry_beyond_a_year_is_refused_with_the_form_kept(client, auth, frozen_clock, kiritimati,
                                                                            days):
    auth.login(kiritimati["owner"])
    response = client.post(f"/c/{kiritimati['circle'].slug}/invitations",
                           data={"expires_in_days": days, "max_uses": "5", "role": MEMBER})
    assert response.status_code == 422
    page = html(response)
    assert page.select_one("#expires_in_days")["value"] == days
    assert page.select_one("#max_uses")["value"] == "5"
    with db.database.connection_context():
        assert Invitation.select().count() == 0


# ---- pages with dates stored at the calendar's ends --------------------------------------------

ROUND_PAGES = ["/c/{slug}", "/c/{slug}/reviews", "/r/{round}", "/r/{round}/submission", "/r/{round}/settings",
               "/r/{round}/rubric", "/r/{round}/deadlines", "/r/{round}/board", "/r/{round}/export.csv"]
MANAGING = {"/r/{round}/settings", "/r/{round}/rubric", "/r/{round}/deadlines", "/r/{round}/board",
            "/r/{round}/export.csv"}


def rounds_at_the_calendars_ends(circle, by):
    """An open round due at the end of year 9999, a closed one due in year 1, and a draft due in 9999."""
    far = make_round(circle, by, title="Far future")
    past = make_round(circle, by, title="Long ago")
    draft = make_round(circle, by, title="Draft", publish=False)
    with db.database.connection_context():
        for round, submission, review in (
                (far, dt.datetime(9999, 12, 31, 12), dt.datetime.max),
                (past, dt.datetime.min, dt.datetime(1, 1, 1, 9)),
                (draft, dt.datetime(9999, 12, 30), dt.datetime.max)):
            ReviewRound.update(submission_deadline=submission, review_deadline=review).where(
                ReviewRound.id == round.id).execute()
    return far, past, draft


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_round_pages_answer_200_with_deadlines_at_the_calendars_ends(client, auth, frozen_clock, kiritimati,
                                                                      make_user, add_member, zone):
    circle = kiritimati["circle"]
    rounds = rounds_at_the_calendars_ends(circle, kiritimati[FACILITATOR])
    facilitator, member = kiritimati[FACILITATOR], kiritimati[MEMBER]
    if zone != "Pacific/Kiritimati":
        facilitator, member = make_user("west-f", timezone=zone), make_user("west-m", timezone=zone)
        add_member(circle, facilitator, FACILITATOR)
        add_member(circle, member, MEMBER)
    for person, pages in ((facilitator, ROUND_PAGES), (member, [p for p in ROUND_PAGES if p not in MANAGING])):
        auth.login(person)
        for round in rounds:
            for page in pages:
                url = page.format(slug=circle.slug, round=round.id)
                response = client.get(url)
                if round.title == "Draft" and person is member:
                    assert response.status_code < 500, url
                    continue
                assert response.status_code in (200, 303), (url, response.status_code)
    auth.login(member)
    shown = html(client.get(f"/r/{rounds[0].id}")).get_text(" ", strip=True)
    assert "9999" in shown
