"""A meeting found, scheduled, answered, put in a calendar and written up, in real Chromium, once with JavaScript
and once without: the facilitator in Berlin proposes three times, Ana in Kolkata and Ben in Los Angeles each
answer seeing the times on their own clocks, the best time is scheduled, Ana says she is going and downloads the
.ics, and after the meeting the facilitator records who came and the notes, which appear as a thread that Ben,
who missed it, is told of."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from playwright.sync_api import expect

from learncircle import clock, db
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, PUBLIC, Circle, Membership
from learncircle.discussions.models import Thread
from learncircle.meetings.models import Attendance, Occurrence, Poll, Slot
from learncircle.notices.models import Notice

from .browser_helpers import ConsoleErrors, log_in
from .conftest import PASSWORD

pytestmark = pytest.mark.browser

ACTION_TIMEOUT_MS = 10_000
UTC = dt.timezone.utc
BERLIN, KOLKATA, LOS_ANGELES = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Kolkata"), ZoneInfo("America/Los_Angeles")
NOTES = "We read chapter two and chose the essays for next week."


@pytest.fixture
def scene(live_server):
    """Olga's circle, Fred facilitating from Berlin; Ana in Kolkata and Ben in Los Angeles. The clock is frozen
    (the server runs in this process) so the meeting can begin without waiting for it."""
    clock.freeze(clock.now().replace(second=0, microsecond=0))
    zones = {"olga": "Europe/Berlin", "fred": "Europe/Berlin", "ana": "Asia/Kolkata", "ben": "America/Los_Angeles"}
    with db.database.connection_context():
        people = {name: User.register(username=name, email=f"{name}@example.org", password=PASSWORD,
                                      display_name=name.title(), timezone=zone) for name, zone in zones.items()}
        circle = Circle.found(owner=people["olga"], name="Writing Circle", slug="writing", visibility=PUBLIC,
                              purpose="Write and review essays together.", goals="")
        for name in ("fred", "ana", "ben"):
            Membership.join(user=people[name], circle=circle)
        Membership.update(role=FACILITATOR).where(Membership.user == people["fred"].id).execute()
    # Three days ahead, at 07:00, 17:00 and 21:00 on Fred's clock in Berlin.
    day = (clock.now().replace(tzinfo=UTC).astimezone(BERLIN) + dt.timedelta(days=3)).date()
    slots = [dt.datetime.combine(day, dt.time(hour), BERLIN) for hour in (7, 17, 21)]
    yield {"base": live_server.config["LIVE_URL"], "slug": circle.slug, "slots": slots, "people": people}
    clock.freeze(None)


def signed_in(browser, scene, username, javascript, errors):
    context = browser.new_context(java_script_enabled=javascript, accept_downloads=True)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = errors.watch(context.new_page(), username)
    log_in(page, scene["base"], login=username, password=PASSWORD)
    return page


def clock_face(moment, zone):
    """"21:30", as a person in zone reads moment."""
    return moment.astimezone(zone).strftime("%H:%M")


def slot_ids():
    with db.database.connection_context():
        return [slot.id for slot in Slot.select().order_by(Slot.starts_at)]


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_find_a_time_schedule_answer_and_write_it_up(browser, scene, javascript):
    base, slug, slots, errors = scene["base"], scene["slug"], scene["slots"], ConsoleErrors()
    early, best, late = slots

    # Fred proposes three times, typed on his own clock.
    fred = signed_in(browser, scene, "fred", javascript, errors)
    fred.goto(f"{base}/c/{slug}")
    fred.get_by_role("link", name="Meetings", exact=True).click()
    fred.get_by_role("link", name="Find a time").click()
    fred.get_by_label("What is it for?").fill("Our weekly call")
    expect(fred.get_by_label("Time zone of the times below")).to_have_value("Europe/Berlin")
    for number, moment in enumerate(slots, start=1):
        fred.get_by_label(f"Time {number}", exact=True).fill(moment.strftime("%Y-%m-%dT%H:%M"))
    fred.get_by_role("button", name="Open the poll").click()
    expect(fred.get_by_role("heading", name="Our weekly call")).to_be_visible()
    poll_url = fred.url
    ids = slot_ids()
    assert len(ids) == 3

    # Ana and Ben answer, each reading the times on their own clock.
    for name, zone, answers in (("ana", KOLKATA, ("yes", "yes", "no")), ("ben", LOS_ANGELES, ("no", "yes", "yes"))):
        page = signed_in(browser, scene, name, javascript, errors)
        page.goto(poll_url)
        for slot_id, moment, answer in zip(ids, slots, answers):
            fieldset = page.locator(f"#slot-{slot_id}")
            expect(fieldset.locator("legend")).to_contain_text(clock_face(moment, zone))
            label = {"yes": "Yes", "if_needed": "If needed", "no": "No"}[answer]
            fieldset.get_by_label(label, exact=True).check()
        page.get_by_role("button", name="Save my answers").click()
        expect(page.locator(".notice.success")).to_have_text("Your answers are saved.")
        page.context.close()

    # The best time (both can come) comes first; Fred schedules it.
    fred.goto(poll_url)
    first = fred.locator("tr[data-rank='1']")
    expect(first).to_have_id(f"slot-{ids[1]}-result")
    expect(first).to_contain_text("2 can come")
    first.get_by_role("link", name="Schedule this time").click()
    expect(fred.get_by_label("Title")).to_have_value("Our weekly call")
    expect(fred.get_by_label("Starts")).to_have_value(best.strftime("%Y-%m-%dT%H:%M"))
    fred.get_by_label("Meeting link").fill("https://meet.example.org/writing")
    fred.get_by_role("button", name="Schedule", exact=True).click()
    expect(fred).to_have_url(re.compile(rf"/c/{slug}/meetings/\d+$"))
    meeting_url = fred.url
    with db.database.connection_context():
        occurrence = Occurrence.get()
        assert occurrence.starts_at == best.astimezone(UTC).replace(tzinfo=None)
        assert Poll.get().meeting_id == occurrence.meeting_id

    # Ana says she is going, and takes the meeting into her calendar.
    ana = signed_in(browser, scene, "ana", javascript, errors)
    ana.goto(meeting_url)
    expect(ana.locator("main")).to_contain_text(clock_face(best, KOLKATA))
    ana.get_by_label("Going", exact=True).check()
    ana.get_by_role("button", name="Answer").click()
    expect(ana.get_by_text("Going (1)")).to_be_visible()
    with ana.expect_download() as downloaded:
        ana.get_by_role("link", name="Add to calendar (.ics)").click()
    calendar = icalendar.Calendar.from_ical(open(downloaded.value.path(), "rb").read())
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["SUMMARY"]) == "Our weekly call"
    assert event.decoded("DTSTART").astimezone(UTC) == best.astimezone(UTC)
    assert str(event["URL"]) == "https://meet.example.org/writing"
    ana.context.close()

    # The meeting takes place; Fred records who came (Ana, ticked as she said she was going) and the notes.
    clock.freeze(best.astimezone(UTC).replace(tzinfo=None) + dt.timedelta(minutes=70))
    fred.goto(meeting_url)
    fred.get_by_role("link", name="Record attendance and notes").click()
    expect(fred.get_by_label("Ana", exact=True)).to_be_checked()
    expect(fred.get_by_label("Ben", exact=True)).not_to_be_checked()
    fred.get_by_label("Notes", exact=True).fill(NOTES)
    fred.get_by_role("button", name="Save").click()
    expect(fred).to_have_url(meeting_url)
    expect(fred.locator("main")).to_contain_text(NOTES)

    # The notes are a thread in the circle's discussion, and Ben, who was not there, is told of it.
    ben = signed_in(browser, scene, "ben", javascript, errors)
    ben.goto(f"{base}/c/{slug}")
    ben.get_by_role("link", name=re.compile(r"^Notes: Our weekly call")).click()
    expect(ben.locator("main")).to_contain_text(NOTES)
    ben.goto(f"{base}/notices")
    expect(ben.locator("main")).to_contain_text("You missed “Our weekly call”")
    ben.context.close()
    fred.context.close()
    with db.database.connection_context():
        assert [row.user_id for row in Attendance.select()] == [scene["people"]["ana"].id]
        assert Thread.select().where(Thread.title.startswith("Notes: Our weekly call")).count() == 1
        assert Notice.select().where((Notice.kind == "meeting_notes")
                                     & (Notice.user == scene["people"]["ana"].id)).count() == 0
    assert errors.messages == []
