"""Your data: the ZIP a member downloads holds exactly their own writing and settings (accounts/export.py)."""
import io
import json
import zipfile

import pytest

from learncircle import db
from learncircle.accounts.deletion import delete_now
from learncircle.accounts.models import User
from learncircle.circles.models import PRIVATE, PUBLIC, Circle, Membership
from learncircle.discussions import reactions, watching
from learncircle.discussions.models import Post, Thread
from learncircle.mail import preferences
from learncircle.moderation.models import Flag
from learncircle.people.models import BLOCK, choose
from learncircle.reviews import reviewing
from learncircle.reviews.models import Assignment, Submission
from learncircle.reviews.submitting import submit
from tests.fixtures_reviews import make_round, start_reviewing
from tests.helpers import html
from tests.test_discussions_threads import recorded_sql

# Words only others wrote, or that only a circle the member is not in holds: none may be in the archive.
OTHERS = ("reply-by-olga", "olga-opening", "private-title-kept", "private-body-kept", "never-circle-title",
          "never-circle-body", "review-of-mia-by-olga", "Secret Garden", "Hidden Lab")


def read(response):
    """The archive's files: name -> text."""
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def front_matter(text):
    """(header as a dict, body) of a Markdown file written with JSON values between --- lines."""
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    values = {}
    for line in head.splitlines():
        key, value = line.split(": ", 1)
        values[key] = json.loads(value)
    return values, body.strip()


@pytest.fixture
def scene(app, frozen_clock, make_user, make_circle, add_member):
    """Mia's world: a public circle she is in, a private one she left, a private one she never joined."""
    owner, mia, olga, peer = make_user("owner"), make_user("mia"), make_user("olga"), make_user("peer")
    public = make_circle(owner, name="Open Rust", visibility=PUBLIC)
    left = make_circle(owner, name="Secret Garden", visibility=PRIVATE)
    never = make_circle(owner, name="Hidden Lab", visibility=PRIVATE)
    for circle, person in ((public, mia), (public, olga), (public, peer), (left, mia), (left, olga), (never, olga)):
        add_member(circle, person)
    with db.database.connection_context():
        mia.update_profile(display_name="Mia M", bio="I *like* Rust.", timezone="Europe/Berlin", pronouns="she/her",
                           language="de")
        preferences.choose(mia.id, "replies", preferences.WEEKLY)
        own = Thread.start(circle=public, author=mia, title="Mia asks about lifetimes", kind="question",
                           body="mia-opening: why `'a`?")
        reply_to_mia = own.reply(author=olga, body="reply-by-olga in Mia's thread")
        olgas = Thread.start(circle=public, author=olga, title="Olga's public thread", kind="discussion",
                             body="olga-opening words")
        mine_in_olgas = olgas.reply(author=mia, body="mia-reply in Olga's thread")
        secret = Thread.start(circle=left, author=olga, title="private-title-kept", kind="discussion",
                              body="private-body-kept")
        in_secret = secret.reply(author=mia, body="mia-reply in the private circle")
        Membership.of(mia, left).leave()
        Thread.start(circle=never, author=olga, title="never-circle-title", kind="discussion",
                     body="never-circle-body")
        reactions.toggle(reply_to_mia, mia, reactions.THANKS)
        watching.set_thread_level(mia, olgas, watching.MUTED)
        Flag.create(circle=public, target_kind="post", target_id=reply_to_mia.id, flagger=mia, reason="unkind",
                    note="mia-flag-note")
        Flag.create(circle=public, target_kind="post", target_id=mine_in_olgas.id, flagger=olga, reason="spam",
                    note="olga-flag-note")
        choose(mia, olga, BLOCK, True)
    return dict(owner=owner, mia=mia, olga=olga, peer=peer, public=public, left=left, never=never, own=own,
                reply_to_mia=reply_to_mia, olgas=olgas, mine_in_olgas=mine_in_olgas, secret=secret,
                in_secret=in_secret)


def test_the_page_offers_the_download(client, auth, scene):
    auth.login(scene["mia"])
    page = html(client.get("/settings/data"))
    link = page.select_one("#export-link")
    assert link["href"] == "/settings/data/export.zip" and link["hx-boost"] == "false"
    assert page.select_one('nav a[aria-current="page"]')["href"] == "/settings/data"


def test_the_zip_holds_exactly_the_members_own_content(client, auth, scene):
    auth.login(scene["mia"])
    response = client.get("/settings/data/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"] and "mia" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    files = read(response)
    everything = "\n".join(files.values())
    for words in OTHERS:
        assert words not in everything, words
    assert "README.txt" in files and "posts.json" in files["README.txt"]

    account = json.loads(files["account.json"])
    assert account["username"] == "mia" and account["email"] == "mia@example.org"
    assert account["display_name"] == "Mia M" and account["bio"] == "I *like* Rust."
    assert "password" not in files["account.json"] and "argon2" not in everything

    posts = {entry["id"]: entry for entry in json.loads(files["posts.json"])}
    expected = {Post.get((Post.thread == scene["own"].id) & (Post.number == 1)).id, scene["mine_in_olgas"].id,
                scene["in_secret"].id}
    assert set(posts) == expected  # her three posts, and none of Olga's
    assert posts[scene["mine_in_olgas"].id]["thread_title"] == "Olga's public thread"  # a circle she is in
    assert posts[scene["mine_in_olgas"].id]["circle"]["name"] == "Open Rust"
    left_behind = posts[scene["in_secret"].id]
    assert left_behind["thread_title"] is None and left_behind["circle"] is None  # a private circle she left
    header, body = front_matter(files[left_behind["file"]])
    assert body == "mia-reply in the private circle" and header["thread"] == scene["secret"].id
    assert left_behind["created_at"] == "2026-03-02T09:00:00Z"

    threads = json.loads(files["threads.json"])
    assert [t["title"] for t in threads] == ["Mia asks about lifetimes"]
    header, body = front_matter(files[threads[0]["file"]])
    assert header["title"] == "Mia asks about lifetimes" and body == "mia-opening: why `'a`?"

    memberships = json.loads(files["memberships.json"])
    assert [m["circle"]["name"] for m in memberships] == ["Open Rust"]
    reactions_given = json.loads(files["reactions.json"])
    assert reactions_given == [{"post": scene["reply_to_mia"].id, "thread": scene["own"].id, "kind": "thanks",
                                "created_at": "2026-03-02T09:00:00Z"}]
    flags = json.loads(files["flags.json"])
    assert [f["note"] for f in flags] == ["mia-flag-note"]  # her flag; never who flagged her


def test_settings_are_in_the_zip(client, auth, scene):
    auth.login(scene["mia"])
    settings = json.loads(read(client.get("/settings/data/export.zip"))["settings.json"])
    assert settings["language"] == "de" and settings["time_zone"] == "Europe/Berlin"
    assert settings["mail"]["replies"] == "weekly" and settings["mail"]["mentions"] == "immediately"
    assert settings["circle_notification_levels"] == {scene["public"].slug: "normal"}
    levels = {entry["thread"]: entry for entry in settings["thread_notification_levels"]}
    assert levels[scene["olgas"].id]["level"] == "muted"
    assert settings["muted_and_blocked"] == [{"username": "olga", "kind": "block", "since": "2026-03-02T09:00:00Z"}]
    assert len(settings["signed_in_browsers"]) == 1
    assert "secret_hash" not in json.dumps(settings)


def test_peer_review_work_is_hers_and_reviews_of_it_are_not(client, auth, scene):
    with db.database.connection_context():
        round = make_round(scene["public"], scene["owner"], title="Essays", reviews_per_submission=1,
                           criteria=({"name": "Clarity", "kind": "scale", "levels": ["Unclear", "Clear"]},),
                           min_prompt_length=5)
        submit(round, scene["mia"], body="mia-essay first draft")
        submit(round, scene["mia"], body="mia-essay second draft")
        submit(round, scene["olga"], body="olga-essay words")
        start_reviewing(round)
        criterion = round.rubric()[0]
        mias = Submission.get((Submission.round == round) & (Submission.author == scene["mia"]))
        for assignment in Assignment.select().where(Assignment.round == round):
            words = "review-of-mia-by-olga" if assignment.submission_id == mias.id else "mia-review-words"
            review = reviewing.submit_review(assignment, {"what_works": words, "could_be_better": "more examples",
                                                          "levels": {criterion.id: 1}, "comments": {}})
            if assignment.submission_id == mias.id:
                reviewing.rate_review(review, scene["mia"], 4, "mia-rating-note")
    auth.login(scene["mia"])
    files = read(client.get("/settings/data/export.zip"))
    everything = "\n".join(files.values())
    assert "review-of-mia-by-olga" not in everything and "olga-essay" not in everything
    reviews = json.loads(files["reviews.json"])
    [submission] = reviews["submissions"]
    assert [v["number"] for v in submission["versions"]] == [1, 2] and submission["round_title"] == "Essays"
    assert front_matter(files[submission["versions"][1]["file"]])[1] == "mia-essay second draft"
    [written] = reviews["reviews_written"]
    assert written["criteria"] == [{"criterion": "Clarity", "level": 2, "comment": ""}]
    assert "mia-review-words" in files[written["file"]]
    [rating] = reviews["ratings_given"]
    assert (rating["helpfulness"], rating["note"], rating["submission"]) == (4, "mia-rating-note", mias.id)


def test_a_busy_members_posts_are_read_in_batches(client, auth, scene):
    """More posts than one batch: all of them, in a number of queries that does not grow with them."""
    thread = scene["olgas"]
    with db.database.connection_context():
        start = thread.post_count + 1
        rows = [{"thread": thread.id, "author": scene["mia"].id, "number": start + n, "body": f"bulk post {n}",
                 "body_html": f"<p>bulk post {n}</p>"} for n in range(1_100)]
        with db.database.atomic():
            for first in range(0, len(rows), 100):
                Post.insert_many(rows[first:first + 100]).execute()
    auth.login(scene["mia"])
    client.get("/settings/data")
    with recorded_sql() as statements:
        files = read(client.get("/settings/data/export.zip"))
    assert len(json.loads(files["posts.json"])) == 1_103
    assert sum(name.startswith("posts/") for name in files) == 1_103
    assert len(statements) < 45, statements  # three batches of posts, not a query per post
    writes = [sql for sql in statements if not sql.lstrip().upper().startswith("SELECT")
              and "login_session" not in sql]
    assert writes == []  # a GET writes nothing (the session's "last seen" aside)


def test_signed_out_visitors_are_sent_to_log_in(client, scene):
    response = client.get("/settings/data/export.zip")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_another_members_export_names_nobody(client, auth, scene):
    """Olga's export, after Mia's account is deleted, holds Olga's words and the titles her circle shows."""
    with db.database.connection_context():
        delete_now(scene["mia"], remove_posts=False)
        assert User.get_by_id(scene["mia"].id).deleted_at is not None
    auth.login(scene["olga"])
    files = read(client.get("/settings/data/export.zip"))
    posts = {p["id"]: p for p in json.loads(files["posts.json"])}
    assert posts[scene["reply_to_mia"].id]["thread_title"] == "Mia asks about lifetimes"  # shown in her circle
    assert "mia-reply" not in "\n".join(files.values())
    assert Circle.get_by_id(scene["public"].id).member_count == 3


def test_meetings_are_in_the_zip_and_a_left_circles_titles_are_not(client, auth, scene):
    import datetime as dt

    from learncircle.meetings import reflections, scheduling
    from learncircle.meetings.models import GOING, NO, Attendance, Occurrence, Poll, Rsvp, Slot, Vote

    mia, owner = scene["mia"], scene["owner"]
    with db.database.connection_context():
        Membership.update(role="facilitator").where((Membership.user == mia.id)
                                                    & (Membership.circle == scene["public"].id)).execute()
        call = scheduling.schedule(circle=scene["public"], organiser=owner, title="owner-meeting-title",
                                   local_start=dt.datetime(2026, 3, 1, 18), zone="Europe/Berlin", duration_minutes=60)
        scheduling.schedule(circle=scene["public"], organiser=mia, title="Mia's workshop",
                            local_start=dt.datetime(2026, 4, 1, 18), zone="Europe/Berlin", duration_minutes=90,
                            agenda="mia-agenda: lifetimes")
        secret = scheduling.schedule(circle=scene["left"], organiser=owner, title="secret-meeting-title",
                                     local_start=dt.datetime(2026, 2, 1, 18), zone="UTC", duration_minutes=60)
        attended = Occurrence.get(Occurrence.meeting == call)
        Rsvp.create(occurrence=attended, user=mia, answer=GOING, note="mia-rsvp-note")
        Rsvp.create(occurrence=Occurrence.get(Occurrence.meeting == secret), user=mia, answer=GOING)
        Rsvp.create(occurrence=attended, user=scene["olga"], answer=GOING, note="olga-rsvp-note")
        Attendance.create(occurrence=attended, user=mia)
        reflections.save(attended, mia, rating=4, went_well="mia-went-well", to_change="mia-to-change")
        reflections.save(attended, scene["owner"], rating=2, went_well="owner-went-well")
        poll = Poll.create(circle=scene["public"], title="poll-title", zone="UTC", duration_minutes=60)
        Vote.create(slot=Slot.create(poll=poll, starts_at=dt.datetime(2026, 3, 9, 18)), user=mia, answer=NO)
    auth.login(mia)
    files = read(client.get("/settings/data/export.zip"))
    meetings = json.loads(files["meetings.json"])
    assert "meetings.json" in files["README.txt"]
    answers = {entry["meeting"]: entry for entry in meetings["answers"]}
    assert answers["owner-meeting-title"]["note"] == "mia-rsvp-note"
    assert answers["owner-meeting-title"]["starts_at"] == "2026-03-01T17:00:00Z"
    assert answers[None]["circle"] is None  # the private circle she left: neither its name nor its meeting's
    assert [entry["meeting"] for entry in meetings["attended"]] == ["owner-meeting-title"]
    assert meetings["poll_answers"] == [{"poll": "poll-title", "circle": answers["owner-meeting-title"]["circle"],
                                         "time": "2026-03-09T18:00:00Z", "answer": "no"}]
    assert [(m["title"], m["agenda"]) for m in meetings["scheduled"]] == [("Mia's workshop", "mia-agenda: lifetimes")]
    assert [(r["rating"], r["went_well"]) for r in meetings["reflections"]] == [(4, "mia-went-well")]
    everything = "\n".join(files.values())
    for words in ("secret-meeting-title", "olga-rsvp-note", "owner-went-well"):
        assert words not in everything, words
