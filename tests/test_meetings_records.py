"""After a meeting: attendance by name or by head count, the notes posted as a thread in the circle's discussion
(edited in place when saved again), the members who were not there told once (in their digest or at once, as they
chose), and the facilitators' private reflections, which members never see."""
import datetime as dt

import pytest
from bs4 import BeautifulSoup
from flask import render_template
from flask_login import login_user

from learncircle import clock, db
from learncircle.accounts import sessions
from learncircle.circles.models import FACILITATOR
from learncircle.discussions.models import Post, Thread
from learncircle.mail import digest, preferences
from learncircle.mail.models import Outbox
from learncircle.meetings import records, scheduling
from learncircle.meetings.models import GOING, MAYBE, Attendance, Occurrence, Reflection, Rsvp
from learncircle.notices.models import Notice
from tests.helpers import html


@pytest.fixture
def scene(app, make_user, make_circle, add_member, frozen_clock):
    """Monday 2 March 2026, 09:00 UTC. Olga's circle met yesterday at 18:00 in Berlin (17:00 UTC), a meeting Fay
    set up from Berlin; next week's is still to come. Ann (Los Angeles) and Bea (Kolkata) said they were going,
    Cy (Sydney) maybe."""
    olga = make_user("olga")
    fay = make_user("fay", timezone="Europe/Berlin")
    ann = make_user("ann", timezone="America/Los_Angeles")
    bea = make_user("bea", timezone="Asia/Kolkata")
    cy = make_user("cy", timezone="Australia/Sydney")
    circle = make_circle(olga, name="Rust")
    add_member(circle, fay, FACILITATOR)
    for person in (ann, bea, cy):
        add_member(circle, person)
    with db.database.connection_context():
        meeting = scheduling.schedule(circle=circle, organiser=fay, title="Weekly call", zone="Europe/Berlin",
                                      local_start=dt.datetime(2026, 3, 1, 18, 0), duration_minutes=60,
                                      repeat="weekly", times=2)
        past, coming = list(Occurrence.select().where(Occurrence.meeting == meeting).order_by(Occurrence.number))
        for person, answer in ((ann, GOING), (bea, GOING), (cy, MAYBE)):
            Rsvp.create(occurrence=past, user=person, answer=answer)
    return {"circle": circle, "meeting": meeting, "past": past, "coming": coming, "olga": olga, "fay": fay,
            "ann": ann, "bea": bea, "cy": cy}


def record_url(scene, occurrence=None):
    return f"/c/{scene['circle'].slug}/meetings/{(occurrence or scene['past']).id}/record"


def reflection_url(scene, occurrence=None):
    return f"/c/{scene['circle'].slug}/meetings/{(occurrence or scene['past']).id}/reflection"


def save(client, scene, notes="We covered **lifetimes**.", present=("ann", "fay"), head_count=None):
    form = {"notes": notes}
    if head_count is None:
        form.update(mode="names", present=[str(scene[name].id) for name in present])
    else:
        form.update(mode="count", head_count=str(head_count))
    return client.post(record_url(scene), data=form)


def fresh(occurrence):
    with db.database.connection_context():
        return Occurrence.get_by_id(occurrence.id)


def notes_notices():
    with db.database.connection_context():
        return sorted((notice.user.username, notice.url) for notice in Notice.select()
                      .where(Notice.kind == "meeting_notes"))


def circle_threads(circle):
    with db.database.connection_context():
        return list(Thread.select().where(Thread.circle == circle.id))


# ---- attendance and notes ----------------------------------------------------------------------------------

def test_the_form_ticks_those_going_and_the_notes_become_a_thread_by_the_facilitator(client, auth, scene):
    auth.login(scene["fay"])
    page = html(client.get(record_url(scene)))
    ticked = {box.parent.get_text(" ", strip=True) for box in page.select("input[name=present][checked]")}
    assert ticked == {"Ann", "Bea"}  # those who said going; Cy said maybe
    assert {box.parent.get_text(" ", strip=True) for box in page.select("input[name=present]")} == {
        "Olga", "Fay", "Ann", "Bea", "Cy"}
    assert page.find("legend", string="How attendance was taken")

    response = save(client, scene)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/c/{scene['circle'].slug}/meetings/{scene['past'].id}")
    occurrence = fresh(scene["past"])
    with db.database.connection_context():
        there = {row.user.username for row in Attendance.select().where(Attendance.occurrence == occurrence.id)}
        [thread] = circle_threads(scene["circle"])
        opening = Post.get((Post.thread == thread.id) & (Post.number == 1))
    assert there == {"ann", "fay"}
    assert occurrence.attendance_taken_at == clock.now() and occurrence.attendance_count is None
    assert occurrence.notes == "We covered **lifetimes**." and "<strong>lifetimes</strong>" in occurrence.notes_html
    assert occurrence.notes_at == clock.now() and occurrence.notes_thread_id == thread.id
    assert thread.author_id == scene["fay"].id and thread.kind == "discussion"
    assert thread.title == "Notes: Weekly call, 01 Mar 2026"  # the day in Berlin, where it was set
    assert "<strong>lifetimes</strong>" in opening.body_html and "2 members were there." in opening.body
    assert f"/c/{scene['circle'].slug}/meetings/{occurrence.id}" in opening.body_html

    auth.login(scene["cy"])  # the circle's discussion lists it, with the notes
    listing = html(client.get(f"/c/{scene['circle'].slug}"))
    assert listing.find("a", string="Notes: Weekly call, 01 Mar 2026")["href"] == f"/t/{thread.id}"
    assert "lifetimes" in html(client.get(f"/t/{thread.id}")).get_text()


def test_saving_again_edits_the_thread_and_starts_no_second_one(client, auth, scene):
    auth.login(scene["fay"])
    save(client, scene)
    [thread] = circle_threads(scene["circle"])
    clock.advance(hours=1)
    assert save(client, scene, notes="We covered lifetimes and traits.", present=("ann", "bea", "fay")
                ).status_code == 303
    [again] = circle_threads(scene["circle"])
    assert again.id == thread.id and again.post_count == 1
    with db.database.connection_context():
        opening = Post.get((Post.thread == thread.id) & (Post.number == 1))
    assert "lifetimes and traits" in opening.body and "3 members were there." in opening.body
    assert opening.edited_at == clock.now()
    # The form now shows what was recorded, not who said going.
    page = html(client.get(record_url(scene)))
    assert {box.parent.get_text(" ", strip=True) for box in page.select("input[name=present][checked]")} == {
        "Fay", "Ann", "Bea"}
    assert page.find("textarea", attrs={"name": "notes"}).get_text().strip() == "We covered lifetimes and traits."


def test_the_members_who_were_not_there_are_told_once(client, auth, scene):
    auth.login(scene["fay"])
    save(client, scene, present=("ann", "fay"))
    [thread] = circle_threads(scene["circle"])
    url = f"/t/{thread.id}"
    assert notes_notices() == [("bea", url), ("cy", url), ("olga", url)]  # not Ann nor Fay, who were there
    save(client, scene, notes="Corrected notes.", present=("ann",))
    assert len(notes_notices()) == 3  # an edit tells nobody again
    with db.database.connection_context():
        [notice] = Notice.select().where((Notice.user == scene["cy"].id) & (Notice.kind == "meeting_notes"))
        assert notice.circle_id == scene["circle"].id


def test_by_head_count_everyone_but_whoever_recorded_is_told(client, auth, scene):
    auth.login(scene["olga"])
    assert save(client, scene, head_count=7).status_code == 303
    occurrence = fresh(scene["past"])
    with db.database.connection_context():
        assert Attendance.select().where(Attendance.occurrence == occurrence.id).count() == 0
        opening = Post.get((Post.thread == occurrence.notes_thread_id) & (Post.number == 1))
    assert occurrence.attendance_count == 7 and "7 people were there." in opening.body
    assert [name for name, _ in notes_notices()] == ["ann", "bea", "cy", "fay"]
    page = html(client.get(record_url(scene)))
    assert page.find("input", attrs={"name": "mode", "value": "count"}).has_attr("checked")
    assert page.find("input", attrs={"name": "head_count"})["value"] == "7"


def test_attendance_alone_posts_nothing_until_the_notes_come(client, auth, scene):
    auth.login(scene["fay"])
    assert save(client, scene, notes="").status_code == 303
    assert fresh(scene["past"]).attendance_taken_at is not None
    assert circle_threads(scene["circle"]) == [] and notes_notices() == []
    save(client, scene, notes="Here they are.")
    assert len(circle_threads(scene["circle"])) == 1 and len(notes_notices()) == 3


def test_a_deleted_thread_is_started_again_and_nobody_is_told_twice(client, auth, scene):
    auth.login(scene["fay"])
    save(client, scene)
    [thread] = circle_threads(scene["circle"])
    with db.database.connection_context():
        Thread.delete().where(Thread.id == thread.id).execute()
    assert fresh(scene["past"]).notes_thread_id is None
    save(client, scene, notes="Posted again.")
    [again] = circle_threads(scene["circle"])  # (SQLite may give it the deleted one's id)
    assert fresh(scene["past"]).notes_thread_id == again.id and again.author_id == scene["fay"].id
    with db.database.connection_context():
        assert "Posted again." in Post.get(Post.thread == again.id).body
    assert len(notes_notices()) == 3


# ---- mail: the digest, or at once ------------------------------------------------------------------------

def test_an_absent_member_reads_the_notes_in_their_digest_or_at_once(mail_app, client, auth, scene):
    """Ann keeps the default (the daily digest); Bea asked for these at once."""
    with db.database.connection_context():
        assert preferences.default("meeting_notes") == preferences.DAILY
        preferences.choose(scene["bea"].id, "meeting_notes", preferences.IMMEDIATELY)
    auth.login(scene["fay"])
    save(client, scene, present=("fay",))
    with db.database.connection_context():
        [mail] = Outbox.select().where((Outbox.address == "bea@example.org") & (Outbox.kind == "meeting_notes"))
        assert not Outbox.select().where(Outbox.address == "ann@example.org").exists()
        thread_id = fresh(scene["past"]).notes_thread_id
    # In Bea's zone, with the organiser's time beside it.
    assert mail.subject == ("You missed “Weekly call” on Sun 01 Mar 2026, 22:30 IST (18:00 in Europe/Berlin): "
                            "its notes are posted, so you can catch up and join the discussion.")
    assert f"https://learn.example.org/t/{thread_id}" in mail.text

    clock.advance(hours=6)  # 07:00 in Los Angeles: Ann's digest is due
    with mail_app.app_context(), db.database.connection_context():
        found = digest.content(scene["ann"], ["meeting_notes"], clock.now() - dt.timedelta(days=1), clock.now())
        assert [notice.kind for notice in found["notices"]] == ["meeting_notes"]
        assert digest.send_due() >= 1
        [daily] = Outbox.select().where((Outbox.address == "ann@example.org") & (Outbox.kind == "digest_daily"))
        bea_digest = Outbox.select().where((Outbox.address == "bea@example.org") & (Outbox.kind == "digest_daily"))
        assert all("You missed" not in mail.text for mail in bea_digest)  # hers came at once
    assert "You missed “Weekly call” on Sun 01 Mar 2026, 09:00 PST (18:00 in Europe/Berlin)" in daily.text
    assert f"https://learn.example.org/t/{thread_id}" in daily.text


# ---- bad input and when ------------------------------------------------------------------------------------

def test_a_negative_or_missing_head_count_is_refused_with_the_form_kept(client, auth, scene):
    auth.login(scene["fay"])
    response = client.post(record_url(scene), data={"mode": "count", "head_count": "-3", "notes": "Kept notes."})
    assert response.status_code == 422
    page = html(response)
    assert page.find("input", attrs={"name": "head_count"})["value"] == "-3"
    assert page.find("textarea", attrs={"name": "notes"}).get_text().strip() == "Kept notes."
    assert "A whole number from 0 to 10000." in page.find(id="head_count-error").get_text()
    response = client.post(record_url(scene), data={"mode": "count", "head_count": "", "notes": ""})
    assert response.status_code == 422 and "Say how many were there" in html(response).get_text()
    assert fresh(scene["past"]).attendance_taken_at is None and circle_threads(scene["circle"]) == []


def test_posted_notes_cannot_be_emptied(client, auth, scene):
    auth.login(scene["fay"])
    save(client, scene)
    response = save(client, scene, notes="  ")
    assert response.status_code == 422 and "do not leave them empty" in html(response).get_text()
    assert fresh(scene["past"]).notes == "We covered **lifetimes**."


def test_nothing_is_recorded_before_the_meeting_begins_nor_for_a_cancelled_one(client, auth, scene):
    auth.login(scene["fay"])
    for method in ("get", "post"):
        response = getattr(client, method)(record_url(scene, scene["coming"]), data={"mode": "count",
                                                                                      "head_count": "2", "notes": "x"})
        assert response.status_code == 422
        assert "has not begun yet" in html(response).find(role="alert").get_text()
        response = getattr(client, method)(reflection_url(scene, scene["coming"]), data={"rating": "3"})
        assert response.status_code == 422 and "has not begun yet" in html(response).get_text()
    assert fresh(scene["coming"]).attendance_taken_at is None
    with db.database.connection_context():
        Occurrence.update(cancelled_at=clock.now()).where(Occurrence.id == scene["past"].id).execute()
    response = save(client, scene)
    assert response.status_code == 422 and "was cancelled" in html(response).get_text()
    assert circle_threads(scene["circle"]) == []


def test_members_may_not_record(client, auth, scene):
    auth.login(scene["ann"])
    assert client.get(record_url(scene)).status_code == 403
    assert save(client, scene).status_code == 403
    assert fresh(scene["past"]).attendance_taken_at is None


# ---- reflections -------------------------------------------------------------------------------------------

def reflect(client, scene, rating="4", went_well="Everyone spoke.", to_change="Start on time."):
    return client.post(reflection_url(scene), data={"rating": rating, "went_well": went_well, "to_change": to_change})


def test_a_rating_outside_one_to_five_is_refused_with_the_form_kept(client, auth, scene):
    auth.login(scene["fay"])
    page = html(client.get(reflection_url(scene)))
    fieldset = page.find("input", attrs={"name": "rating"}).find_parent("fieldset")
    assert fieldset.legend.get_text(strip=True) == "How did it go?" and len(fieldset.select("input[type=radio]")) == 5
    for bad in ("9", "0", "many", ""):
        response = reflect(client, scene, rating=bad, went_well="The demo worked.")
        assert response.status_code == 422, bad
        page = html(response)
        assert page.find("textarea", attrs={"name": "went_well"}).get_text().strip() == "The demo worked."
        assert "Choose how it went, from 1 to 5." in page.get_text()
    with db.database.connection_context():
        assert Reflection.select().count() == 0


def test_one_reflection_per_facilitator_written_again_in_place_and_all_listed(client, auth, scene):
    auth.login(scene["fay"])
    assert reflect(client, scene).status_code == 303
    assert reflect(client, scene, rating="2", to_change="Shorter intro.").status_code == 303
    auth.login(scene["olga"])
    reflect(client, scene, rating="5", went_well="Great questions.", to_change="")
    with db.database.connection_context():
        rows = {row.author.username: (row.rating, row.to_change) for row in Reflection.select()}
    assert rows == {"fay": (2, "Shorter intro."), "olga": (5, "")}
    page = html(client.get(reflection_url(scene)))
    listed = page.find(id="reflections").get_text(" ")
    assert "Shorter intro." in listed and "Great questions." in listed and "2 out of 5" in listed
    # Olga's own rating is chosen again on her form.
    assert page.find("input", attrs={"name": "rating", "value": "5"}).has_attr("checked")


def render_after(app, scene, viewer):
    """The meeting page's after-the-meeting part as viewer sees it."""
    with app.test_request_context(), db.database.connection_context():
        sessions.start(viewer)
        login_user(viewer)
        occurrence = Occurrence.get_by_id(scene["past"].id)
        return html_of(render_template("meetings/_after.html", circle=scene["circle"], occurrence=occurrence,
                                       meeting=occurrence.meeting))


def html_of(text):
    return BeautifulSoup(text, "html.parser")


def test_members_never_see_a_reflection(app, client, auth, scene):
    auth.login(scene["fay"])
    reflect(client, scene, went_well="SECRET-WELL", to_change="SECRET-CHANGE")
    save(client, scene)
    thread_id = fresh(scene["past"]).notes_thread_id
    auth.login(scene["ann"])
    assert client.get(reflection_url(scene)).status_code == 403
    assert reflect(client, scene, rating="1").status_code == 403
    meeting_page = client.get(f"/c/{scene['circle'].slug}/meetings/{scene['past'].id}")
    pages = [meeting_page, client.get(f"/c/{scene['circle'].slug}/meetings"), client.get(f"/t/{thread_id}"),
             client.get(f"/c/{scene['circle'].slug}")]
    assert all(response.status_code == 200 for response in pages)
    after = render_after(app, scene, scene["ann"])
    for text in [response.get_data(as_text=True) for response in pages] + [str(after)]:
        assert "SECRET" not in text
    assert after.find("a", string="Reflection") is None
    assert after.find("a", string="Record attendance and notes") is None
    assert "lifetimes" in after.get_text()  # the notes themselves are for everyone
    assert "lifetimes" in html(meeting_page).find(id=f"after-{scene['past'].id}").get_text()
    auth.login(scene["fay"])  # while on the facilitators' own meeting page, the link to them
    assert html(client.get(f"/c/{scene['circle'].slug}/meetings/{scene['past'].id}")).find(
        "a", string="Reflection")["href"] == reflection_url(scene)


def test_the_meeting_page_part_shows_the_notes_and_the_facilitators_links_once_begun(app, client, auth, scene):
    before = render_after(app, scene, scene["fay"])
    links = {a.get_text(): a["href"] for a in before.find_all("a")}
    assert links == {"Record attendance and notes": record_url(scene), "Reflection": reflection_url(scene)}
    with app.test_request_context(), db.database.connection_context():
        sessions.start(scene["fay"])
        login_user(scene["fay"])
        coming = Occurrence.get_by_id(scene["coming"].id)
        assert render_template("meetings/_after.html", circle=scene["circle"], occurrence=coming,
                               meeting=coming.meeting).strip() == ""  # not begun: nothing yet
    auth.login(scene["fay"])
    save(client, scene, notes="We covered *traits*.", present=("ann", "bea", "cy"))
    after = render_after(app, scene, scene["bea"])
    thread_id = fresh(scene["past"]).notes_thread_id
    assert after.find(class_="attendance-summary").get_text(strip=True) == "3 members were there."
    assert after.find("em", string="traits")
    assert after.find("a", string="Discuss the notes in their thread")["href"] == f"/t/{thread_id}"


def test_the_notes_title_is_kept_within_a_threads_length(client, auth, scene):
    with db.database.connection_context():
        type(scene["meeting"]).update(title="A" * 200).where(type(scene["meeting"]).id == scene["meeting"].id).execute()
    auth.login(scene["fay"])
    assert save(client, scene).status_code == 303
    [thread] = circle_threads(scene["circle"])
    assert len(thread.title) <= 200 and thread.title.endswith("…, 01 Mar 2026")


def test_records_summary_counts_by_name_or_heads(app, scene):
    with db.database.connection_context():
        occurrence = Occurrence.get_by_id(scene["past"].id)
        assert records.summary(occurrence) == records.Summary(False, False, None)
        Attendance.insert_many([{"occurrence": occurrence.id, "user": scene[name].id} for name in ("ann", "bea")]
                               ).execute()
        occurrence.attendance_taken_at = clock.now()
        assert records.summary(occurrence) == records.Summary(True, True, 2)
        occurrence.attendance_count = 12
        assert records.summary(occurrence) == records.Summary(True, False, 12)
