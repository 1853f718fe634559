"""Every meetings page and htmx state (meetings/), checked in real Chromium as test_browser_a11y.py checks the
rest: axe-core with no serious or critical violation, and no sideways scrolling at 320 px or with the text at
200 %. A member in Kolkata and a facilitator in Berlin, so the organiser's time shows beside the reader's."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from learncircle import clock, db
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, PUBLIC, Circle, Membership
from learncircle.meetings import polls, records, reflections, scheduling
from learncircle.meetings.models import WEEKLY, Occurrence

from .browser_helpers import WIDE, Accessibility, ConsoleErrors, log_in
from .conftest import PASSWORD

pytestmark = pytest.mark.browser

ACTION_TIMEOUT_MS = 10_000
SLUG = "writing-circle"


def build_world(app):
    """A weekly series that began two weeks ago (two meetings written up, the rest to come) with a place limit,
    and a poll of three times that the member answered."""
    with app.test_request_context(), db.database.connection_context():  # the notes' thread links to the meeting
        fred = User.register(username="fred", email="fred@example.org", password=PASSWORD,
                             display_name="Fred Facilitator", timezone="Europe/Berlin")
        ana, ben = (User.register(username=name, email=f"{name}@example.org", password=PASSWORD,
                                  display_name=f"{name.title()} Learner", timezone=zone)
                    for name, zone in (("ana", "Asia/Kolkata"), ("ben", "America/Los_Angeles")))
        circle = Circle.found(owner=fred, name="Writing Circle", slug=SLUG, visibility=PUBLIC,
                              purpose="Write short essays together.", goals="")
        for member in (ana, ben):
            Membership.join(user=member, circle=circle)
        Membership.update(role=FACILITATOR).where(Membership.user == fred.id).execute()
        start = (clock.now() - dt.timedelta(days=14)).replace(minute=0, second=0, microsecond=0)
        meeting = scheduling.schedule(
            circle=circle, organiser=fred, title="Weekly writing call", local_start=start.replace(hour=18),
            zone="Europe/Berlin", duration_minutes=60, repeat=WEEKLY, times=6, capacity=2,
            agenda="Read **chapter two**; bring one paragraph.", link="https://meet.example.org/writing")
        series = list(Occurrence.select().where(Occurrence.meeting == meeting).order_by(Occurrence.number))
        past, last, coming = series[0], series[1], series[3]  # the third may be today, begun or not
        records.save(past, recorder=fred, notes="We read chapter one.", present=[ana.id])
        records.save(last, recorder=fred, notes="We chose the essays.", head_count=3)
        reflections.save(past, fred, rating=4, went_well="Everyone spoke.", to_change="Start on time.")
        day = (clock.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0, hour=8)
        poll = polls.create(circle=circle, author=fred, title="A second weekly slot", zone="Europe/Berlin",
                            duration_minutes=60, weekly=True,
                            local_slots=[day, day.replace(hour=17), day.replace(hour=21)])
        polls.vote(poll, ana, {slot.id: answer for slot, answer in zip(polls.slots_of(poll), ("yes", "no", "yes"))})
    base = f"/c/{SLUG}/meetings"
    return {"rhythm": base, "past": f"{base}/{past.id}", "coming": f"{base}/{coming.id}",
            "coming_id": coming.id, "poll": f"{base}/polls/{poll.id}", "series": f"{base}/series/{meeting.id}"}


def sign_in(browser, base, username, errors):
    context = browser.new_context(viewport=WIDE)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = errors.watch(context.new_page(), username)
    log_in(page, base, login=username, password=PASSWORD)
    return page


def visit(page, base, path, check, state):
    response = page.goto(base + path)
    assert response.status == 200, f"{state}: {path} answered {response.status}"
    check(page, state)


def test_every_meetings_page_and_htmx_state_passes_axe_and_fits_narrow_screens(browser, live_server):
    base = live_server.config["LIVE_URL"]
    a11y, errors = Accessibility(), ConsoleErrors()
    check = a11y.check
    w = build_world(live_server)

    # ---- a member
    ana = sign_in(browser, base, "ana", errors)
    for path, state in ((w["rhythm"], "rhythm page"), (w["coming"], "a meeting to come"),
                        (w["past"], "a meeting written up"), (w["poll"], "a poll, answered"),
                        ("/settings/calendar", "calendar address")):
        visit(ana, base, path, check, state)
    # htmx: going, with a note; a poll answered in place.
    ana.goto(base + w["coming"])
    ana.get_by_label("Going", exact=True).check()
    ana.get_by_label("Note").fill("I will be ten minutes late.")
    ana.get_by_role("button", name="Answer").click()
    expect(ana.get_by_text("Going (1)")).to_be_visible()
    check(ana, "a meeting, going")
    ana.goto(base + w["poll"])
    ana.get_by_role("button", name="Save my answers").click()
    expect(ana.locator(".notice.success")).to_have_text("Your answers are saved.")
    check(ana, "a poll, answers saved")
    # A new calendar address, shown once.
    ana.goto(base + "/settings/calendar")
    ana.get_by_role("button", name="Make a calendar address").click()
    expect(ana.locator("input[readonly]")).to_be_visible()
    check(ana, "calendar address, made")

    # ---- a facilitator
    fred = sign_in(browser, base, "fred", errors)
    for path, state in ((w["rhythm"], "rhythm page, facilitator"), (w["coming"], "a meeting, facilitator"),
                        (f"{w['rhythm']}/new", "schedule a meeting"), (f"{w['rhythm']}/polls/new", "find a time"),
                        (w["poll"], "a poll, facilitator"), (f"{w['coming']}/move", "move a meeting"),
                        (f"{w['series']}/edit", "edit a series"), (f"{w['past']}/record", "attendance and notes"),
                        (f"{w['past']}/reflection", "reflection"), (f"{w['rhythm']}/attendance", "attendance history")):
        visit(fred, base, path, check, state)
    # Forms sent empty or wrong: their messages shown.
    for path, button, state in ((f"{w['rhythm']}/new", "Schedule", "schedule a meeting, errors shown"),
                                (f"{w['rhythm']}/polls/new", "Open the poll", "find a time, errors shown"),
                                (f"{w['coming']}/move", "Move it", "move a meeting, errors shown")):
        fred.goto(base + path)
        fred.locator("main form input[type=datetime-local]").first.fill("")
        fred.get_by_role("button", name=button, exact=True).click()
        expect(fred.locator("[aria-invalid=true], .notice.error").first).to_be_visible()
        check(fred, state)
    fred.goto(base + f"{w['past']}/record")
    fred.get_by_label("As a head count (names were not taken)").check()
    fred.get_by_label("How many were there").fill("")
    fred.get_by_role("button", name="Save").click()
    expect(fred.locator("[aria-invalid=true]").first).to_be_visible()
    check(fred, "attendance and notes, errors shown")

    assert len(a11y.states) == 22, a11y.states
    assert a11y.problems == [], "\n".join(a11y.problems)
    # The forms answered 422 on purpose show up as "failed to load"; nothing else may.
    refused = "Failed to load resource: the server responded with a status of 422"
    assert [message for message in errors.messages if refused not in message] == []
