"""Seed a large instance for `make bench-scale`: 1,000 members, 40 circles, 100,000 posts, with read state.

Deterministic (a fixed random seed). Rows go in with bulk inserts rather than one domain call per post (a
hundred thousand replies through Thread.reply would take the better part of an hour), so this file keeps
the columns the domain keeps in step by hand: a thread's post_count, last_activity_at and last_author, each
post's number and rendered HTML (Markdown rendered once per distinct body). The search index is kept by the
database's own triggers, as for any post. The measured member ("the viewer") belongs to three circles; one
of them holds the measured thread, 50 posts of Markdown like the small instance's.
"""
import datetime as dt
import random

from argon2 import PasswordHasher

from learncircle import clock, db, text
from learncircle.accounts import sessions
from learncircle.accounts.models import User
from learncircle.circles.models import MEMBER, OWNER, PRIVATE, PUBLIC, Circle, Membership
from learncircle.discussions.models import DISCUSSION, QUESTION, Post, ReadState, Thread
from learncircle.notices import kinds
from learncircle.notices.models import Notice
from seed_data import BIG_THREAD_POSTS, PASSWORD, SENTENCES, TOPICS, USER_AGENT, markdown_body

MEMBERS = 1_000
CIRCLES = 40
POSTS = 100_000
CIRCLES_PER_MEMBER = (1, 5)
POSTS_PER_THREAD = (1, 40)
READ_SHARE = 0.7  # of a member's circles' threads, how many they opened
NOTICES_PER_MEMBER = 40
BODIES = 400  # distinct Markdown bodies, rendered once each
CHUNK = 500
START = dt.datetime(2025, 1, 6, 8, 0, 0)
SEARCH_WORD = "recursion"  # in SENTENCES: found in many posts, as a real search would be


def _bulk(model, rows):
    for start in range(0, len(rows), CHUNK):
        model.insert_many(rows[start:start + CHUNK]).execute()


def _people(rng):
    hashed = PasswordHasher().hash(PASSWORD)  # one hash for all: 1,000 argon2 hashes would take a minute
    rows = [{"username": f"member{n:04d}", "email": f"member{n:04d}@example.org",
             "display_name": f"Member {n:04d}", "password_hash": hashed, "timezone": "UTC", "language": "",
             "is_admin": n == 0, "created_at": START} for n in range(MEMBERS)]
    _bulk(User, rows)
    return [user_id for (user_id,) in User.select(User.id).order_by(User.id).tuples()]


def _circles(rng, people):
    circles = []
    for n in range(CIRCLES):
        owner = people[n % len(people)]
        circles.append(Circle.create(name=f"Circle {n:02d}: {rng.choice(TOPICS)}"[:80], slug=f"circle-{n:02d}",
                                     purpose="Learn together, one chapter a week.", goals="", goals_html="",
                                     conduct="Be kind.", conduct_html="<p>Be kind.</p>",
                                     visibility=PRIVATE if n % 2 else PUBLIC, member_count=0, created_at=START))
    members = {circle.id: {people[n % len(people)]} for n, circle in enumerate(circles)}
    for person in people:
        for circle in rng.sample(circles, rng.randint(*CIRCLES_PER_MEMBER)):
            members[circle.id].add(person)
    viewer = people[5]
    chosen = [circles[0].id, circles[1].id, circles[2].id]
    for circle_id in members:
        members[circle_id].discard(viewer)
    for circle_id in chosen:
        members[circle_id].add(viewer)
    rows = []
    for n, circle in enumerate(circles):
        owner = people[n % len(people)]
        for person in sorted(members[circle.id]):
            rows.append({"user": person, "circle": circle.id, "role": OWNER if person == owner else MEMBER,
                         "joined_at": START, "conduct_accepted_at": START})
        Circle.update(member_count=len(members[circle.id])).where(Circle.id == circle.id).execute()
    _bulk(Membership, rows)
    return circles, {circle_id: sorted(ids) for circle_id, ids in members.items()}, viewer


def _threads(rng, circles, members, viewer):
    bodies = [markdown_body(rng) for _ in range(BODIES)]
    rendered = [text.render_markdown(body) for body in bodies]
    moment, posts_left, big = START, POSTS, None
    per_circle = POSTS // len(circles)
    for circle in circles:
        people, left = members[circle.id], per_circle
        while left > 0:
            is_big = big is None and circle.id == circles[0].id and left <= per_circle // 2
            count = BIG_THREAD_POSTS if is_big else min(left, rng.randint(*POSTS_PER_THREAD))
            moment += dt.timedelta(minutes=rng.randint(5, 60))
            author = viewer if is_big else rng.choice(people)
            times = [moment + dt.timedelta(minutes=7 * n) for n in range(count)]
            authors = [author] + [rng.choice(people) for _ in range(count - 1)]
            thread = Thread.create(circle=circle.id, author=author, title=f"{rng.choice(TOPICS)} ({moment:%d %b})",
                                   kind=QUESTION if rng.random() < 0.3 else DISCUSSION, created_at=times[0],
                                   post_count=count, last_activity_at=times[-1], last_author=authors[-1])
            picks = [rng.randrange(BODIES) for _ in range(count)]
            _bulk(Post, [{"thread": thread.id, "author": authors[n], "number": n + 1, "body": bodies[picks[n]],
                          "body_html": rendered[picks[n]], "created_at": times[n]} for n in range(count)])
            if is_big:
                big = thread
            left -= count
            posts_left -= count
    return big


def _reading(rng, members, viewer, big):
    """Read state as a lived-in instance has it: most members opened most threads, some partly."""
    rows = []
    threads = list(Thread.select(Thread.id, Thread.circle, Thread.post_count).tuples())
    for thread_id, circle_id, post_count in threads:
        for person in members[circle_id]:
            if thread_id == big.id and person == viewer:
                continue  # the viewer's own thread: recorded below, read to the end
            if rng.random() < READ_SHARE:
                rows.append({"user": person, "thread": thread_id,
                             "last_read": post_count if rng.random() < 0.8 else rng.randint(1, post_count)})
    rows.append({"user": viewer, "thread": big.id, "last_read": BIG_THREAD_POSTS})
    _bulk(ReadState, rows)
    return len(rows)


def _notices(rng, people):
    message = kinds.reply_accepted(thread="An older question")
    rows = [{"user": person, "kind": message.kind, "params": message.stored(), "url": "/notices",
             "created_at": START + dt.timedelta(hours=n), "read_at": START + dt.timedelta(hours=n + 1)}
            for person in people for n in range(NOTICES_PER_MEMBER)]
    _bulk(Notice, rows)
    return len(rows)


def seed(*, rng_seed=2025):
    """Fill the (migrated, empty) database; return what the benchmark needs to address it."""
    rng = random.Random(rng_seed)
    clock.freeze(START)
    try:
        with db.database.connection_context():
            with db.database.atomic():
                people = _people(rng)
                circles, members, viewer = _circles(rng, people)
                big = _threads(rng, circles, members, viewer)
                read_rows = _reading(rng, members, viewer, big)
                notice_rows = _notices(rng, people)
            facts = {"thread_id": big.id, "circle_slug": circles[0].slug, "viewer_id": viewer,
                     "users": len(people), "circles": len(circles), "posts": Post.select().count(),
                     "threads": Thread.select().count(), "read_states": read_rows, "notices": notice_rows,
                     "search": SEARCH_WORD}
    finally:
        clock.freeze(None)
    with db.database.connection_context():
        facts["viewer_session_id"] = sessions.start(User.get_by_id(viewer), user_agent=USER_AGENT)
    return facts


assert any(SEARCH_WORD in sentence for sentence in SENTENCES)
