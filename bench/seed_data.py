"""Seed a fresh instance for the benchmark through the domain models, as the application would.

The data is deterministic (a fixed random seed): 20 people, one private circle, 60 threads, one of
which holds exactly 50 posts (the opening post and 49 replies) of Markdown between 300 and 800
characters, so every run measures the same pages.
"""
import datetime as dt
import random
import secrets

from flask_login.utils import _create_identifier

from learncircle import clock, db
from learncircle.accounts import sessions
from learncircle.accounts.models import User
from learncircle.circles.models import PRIVATE, Circle, Membership
from learncircle.discussions.models import DISCUSSION, QUESTION, Thread

PEOPLE = [
    "Amara Okafor", "Bruno Lindqvist", "Chen Wei", "Dalia Haddad", "Emil Novak", "Farah Siddiqui",
    "Gabriel Mendes", "Hana Sato", "Ines Duarte", "Jonas Berger", "Kofi Mensah", "Lena Petrova",
    "Mateo Rojas", "Nadia Karimi", "Oskar Nilsson", "Priya Raman", "Quentin Moreau", "Rosa Alvarez",
    "Samir Haddou", "Tove Halvorsen",
]
THREADS = 60
BIG_THREAD_POSTS = 50
PASSWORD = "bench password 2024"
USER_AGENT = "learncircle-bench"

SENTENCES = [
    "I tried the exercise from chapter four again and this time the recursion finally clicked.",
    "The trick for me was to write the base case first and only then think about the step.",
    "Has anyone compared the iterative version with the recursive one on a large input?",
    "My version runs, but I am not sure it is idiomatic; feedback is very welcome.",
    "Reading the error message slowly, line by line, saved me about an hour tonight.",
    "I keep confusing a list comprehension with a generator expression when I read other people's code.",
    "The tests in the starter project helped more than the chapter itself, to be honest.",
    "We could pair on this during Thursday's session if someone has thirty minutes.",
    "Writing the docstring before the function forced me to decide what it should return.",
    "I rewrote my solution with a dictionary instead of nested loops and it is much shorter now.",
    "One thing that surprised me: sorting is stable, so sorting twice by different keys works.",
    "Could someone explain why the default argument keeps its value between calls?",
    "Naming things took me longer than writing the code, which is probably a good sign.",
    "I printed the intermediate values and saw that my loop stopped one element too early.",
    "The section on reading files made much more sense after I tried it with my own notes.",
    "My plan for the week is to finish the parser and write three tests for the edge cases.",
    "Small functions are easier to test, and easier to explain to the group on Thursday.",
    "I found it useful to draw the data structure on paper before touching the keyboard.",
    "The documentation example uses a context manager, which closes the file even on errors.",
    "Thanks for the review; I moved the validation into its own function as you suggested.",
    "Unpacking a tuple in the for loop made the code read almost like the description.",
    "It helped to run the examples in the interpreter and change one thing at a time.",
]
LIST_ITEMS = [
    "write the failing test first", "keep each function under twenty lines", "name variables after what they hold",
    "commit after every small step", "read the traceback from the bottom up", "ask before the deadline, not after",
    "compare two solutions side by side", "time-box the hard part to one session",
]
CODE_SNIPPETS = [
    "def mean(values):\n    return sum(values) / len(values)",
    "with open(path, encoding=\"utf-8\") as handle:\n    lines = handle.read().splitlines()",
    "counts = {}\nfor word in words:\n    counts[word] = counts.get(word, 0) + 1",
    "for index, item in enumerate(items, start=1):\n    print(index, item)",
]
CODE_MENTIONS = [
    "Swapping the index counter for `enumerate()` removed a whole class of off-by-one bugs.",
    "I had forgotten that `dict.get()` takes a default value.",
    "Remember that `sorted()` returns a new list while `list.sort()` changes the list in place.",
    "Try `python -m pytest -x` so the run stops at the first failure.",
]
TOPICS = [
    "Recursion without tears", "Week 3 exercises", "How do you read tracebacks?", "Dictionaries vs. lists",
    "Our reading list", "Testing the parser", "Pairing on Thursday", "File handling questions",
    "Generators explained?", "Feedback on my solution", "Naming things", "Sorting by two keys",
]


def markdown_body(rng, low=300, high=800):
    """A realistic post: sentences, sometimes a list, inline code, a link or a code block."""
    target = rng.randint(low, high)
    parts, size = [], 0
    while size < target:
        roll = rng.random()
        if roll < 0.12 and size + 120 < high:
            items = rng.sample(LIST_ITEMS, 3)
            block = "\n".join(f"- {item}" for item in items)
        elif roll < 0.20 and size + 140 < high:
            block = "```python\n" + rng.choice(CODE_SNIPPETS) + "\n```"
        elif roll < 0.26:
            block = ("The notes are [in the shared folder](https://example.org/notes) if you missed "
                     "the session; see **section 2**.")
        else:
            sentences = rng.sample(SENTENCES, rng.randint(2, 3))
            if rng.random() < 0.3:
                sentences.append(rng.choice(CODE_MENTIONS))
            block = " ".join(sentences)
        if size and size + len(block) + 2 > high:
            break
        parts.append(block)
        size += len(block) + 2
    return "\n\n".join(parts)


def seed(*, rng_seed=2024):
    """Fill the (migrated, empty) database; return what the benchmark needs to address it."""
    rng = random.Random(rng_seed)
    start = dt.datetime(2025, 1, 6, 8, 0, 0)
    clock.freeze(start)
    try:
        with db.database.connection_context():
            people = [
                User.register(username=name.split()[0].lower(), email=f"{name.split()[0].lower()}@example.org",
                              password=PASSWORD, display_name=name, is_admin=(index == 0))
                for index, name in enumerate(PEOPLE)
            ]
            circle = Circle.found(owner=people[0], name="Evening Python Circle", slug="evening-python",
                                  purpose="Learn Python together, one chapter and one small project a week.",
                                  goals="- Finish the book by June\n- Ship one small tool each",
                                  visibility=PRIVATE)
            for person in people[1:]:
                clock.advance(minutes=7)
                Membership.join(user=person, circle=circle)

            big_thread = None
            for number in range(THREADS):
                clock.advance(hours=rng.randint(2, 9))
                is_big = number == THREADS - 1  # started last, so it heads the thread list
                title = f"{rng.choice(TOPICS)} (#{number + 1})"
                thread = Thread.start(circle=circle, author=rng.choice(people), title=title,
                                      kind=QUESTION if rng.random() < 0.3 else DISCUSSION,
                                      body=markdown_body(rng))
                replies = BIG_THREAD_POSTS - 1 if is_big else rng.randint(0, 6)
                for _ in range(replies):
                    clock.advance(minutes=rng.randint(3, 90))
                    thread.reply(author=rng.choice(people), body=markdown_body(rng))
                if is_big:
                    big_thread = thread
            viewer = people[5]  # a plain member: the most common reader of a thread
            facts = {"thread_id": big_thread.id, "thread_title": big_thread.title, "circle_slug": circle.slug,
                     "viewer_id": viewer.id, "users": len(people), "threads": THREADS,
                     "big_thread_posts": BIG_THREAD_POSTS}
    finally:
        clock.freeze(None)
    # Signed in now, not at the seed's frozen time: the session is live and seen recently, so no page
    # view of the run has a "last seen" to write.
    with db.database.connection_context():
        facts["viewer_session_id"] = sessions.start(viewer, user_agent=USER_AGENT)
    return facts


def session_cookie(app, session_id):
    """A signed session cookie for a logged-in person, as the login form would leave it.

    It carries Flask-Login's session identifier for our client (loopback, fixed User-Agent) and a
    CSRF secret, so serving a page never needs to rewrite the session: the load stays read-only.
    """
    headers = {"User-Agent": USER_AGENT}
    with app.test_request_context("/", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        identifier = _create_identifier()
    data = {"_user_id": session_id, "_fresh": True, "_id": identifier, "csrf_token": secrets.token_hex(20)}
    return app.session_interface.get_signing_serializer(app).dumps(data)
