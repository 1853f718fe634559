"""A lived-in demo circle: a dozen members across time zones and a few weeks of conversation.

What the circle says lives in demo_content/ (circle.toml, and one Markdown file per thread) so a
teacher can rewrite it without reading Python. load() checks all of it before anything is written:
a mistake there stops `learncircle demo` with the file and the line or field at fault, never halfway
through seeding.

Everything is created through the domain (User.register, Circle.found, Membership.join,
Thread.start, thread.reply, thread.accept_answer) with the clock set back in time, so the demo holds
exactly what real use would have produced.
"""
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import click
import peewee

from . import clock
from .accounts.models import BIO_MAX, DEMO_USERNAME_PREFIX, DISPLAY_NAME_MAX, PRONOUNS_MAX, USERNAME_PATTERN, User
from .circles.models import (
    FACILITATOR,
    MEMBER,
    NAME_MAX,
    PUBLIC,
    PURPOSE_MAX,
    ROLES,
    SLUG_MAX,
    SLUG_PATTERN,
    Circle,
    Membership,
)
from .circles.models import OWNER as OWNER_ROLE  # OWNER, below, is the owner's key in the content
from .db import database
from .discussions.models import BODY_MAX, KINDS, QUESTION, TITLE_MAX, Thread
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .i18n import ngettext

CONTENT_FOLDER = Path(__file__).parent / "demo_content"
DEMO_PASSWORD = "demo-password"
FENCE = "+++"  # the line around each post's TOML block in a thread file


class DemoContentError(click.ClickException):
    """The demo's content files are wrong; a ClickException so the command prints one clear line."""


@dataclass(frozen=True)
class Person:
    key: str  # how the thread files name the person
    display_name: str
    timezone: str
    pronouns: str
    bio: str
    role: str

    @property
    def username(self):
        """The account's username: in the demo's own namespace, which registration refuses to others."""
        return DEMO_USERNAME_PREFIX + self.key


@dataclass(frozen=True)
class Reply:
    author: str
    hours_later: int  # after the previous post
    body: str
    answer: bool = False  # the question's author accepts it as the answer


@dataclass(frozen=True)
class ThreadSeed:
    author: str
    kind: str
    title: str
    days_ago: int
    local_hour: int  # in the author's own zone: people post when they are awake
    pinned: bool
    body: str
    replies: tuple


@dataclass(frozen=True)
class Content:
    name: str
    slug: str
    purpose: str
    goals: str
    people: tuple
    threads: tuple

    @property
    def owner(self):
        return next(person.key for person in self.people if person.role == OWNER_ROLE)

    @property
    def facilitators(self):
        return tuple(person.key for person in self.people if person.role == FACILITATOR)


# ---- reading and checking the content ---------------------------------------------------------

# What a field may hold, and how an error message names it.
TEXT, MARKDOWN, NUMBER, YES_NO, LIST = "text", "Markdown", "a whole number", "true or false", "a [list]"
_KINDS = {TEXT: str, MARKDOWN: str, NUMBER: int, YES_NO: bool, LIST: list}
_KIND_NAMES = {TEXT: _l("text"), MARKDOWN: _l("Markdown"), NUMBER: _l("a whole number"),
               YES_NO: _l("true or false"), LIST: _l("a [list]")}


class _Source:
    """One content file's lines, to name the file and line of whatever is wrong in it."""

    def __init__(self, path):
        self.path = path
        try:
            self.lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise DemoContentError(_("%(path)s: cannot be read (%(error)s)", path=path, error=error)) from None

    def check(self, ok, line, message):
        if not ok:
            raise DemoContentError(_("%(path)s, line %(line)s: %(message)s", path=self.path, line=line, message=message)
                                   if line else _("%(path)s: %(message)s", path=self.path, message=message))

    def toml(self, first, last):
        """Parse lines first..last (counted from 1, both included) as TOML."""
        try:
            return tomllib.loads("\n".join(self.lines[first - 1:last]))
        except tomllib.TOMLDecodeError as error:
            found = re.fullmatch(r"(.*) \(at (?:line (\d+), column \d+|end of document)\)", str(error), re.DOTALL)
            if not found:
                self.check(False, first, str(error))
            self.check(False, first + int(found[2]) - 1 if found[2] else last, found[1])  # its lines count from first

    def line_of(self, name, first, last):
        """The line between first and last that sets `name = …` (or opens a [name] table), else first."""
        setting = re.compile(rf"\s*(?:{re.escape(name)}\s*=|\[+\s*{re.escape(name)}\s*\])")
        return next((number for number in range(first, last + 1) if setting.match(self.lines[number - 1])), first)

    def fields(self, table, first, last, required, optional=None, where=""):
        """The table's values, checked against {name: (kind, longest)}; absent optional ones are empty."""
        optional = optional or {}
        known = ", ".join([*required, *optional])
        for name in table:
            self.check(name in required or name in optional, self.line_of(name, first, last),
                       f"{where}{name}: " + _("unknown field (known: %(known)s)", known=known))
        values = {}
        for name, (kind, longest) in {**required, **optional}.items():
            value, line = table.get(name), self.line_of(name, first, last)
            self.check(name in table or name in optional, first, f"{where}{name}: " + _("missing"))
            if name not in table:
                values[name] = _KINDS[kind]()
                continue
            self.check(isinstance(value, _KINDS[kind]) and not (kind == NUMBER and isinstance(value, bool)),
                       line, f"{where}{name}: " + _("should be %(kind)s, not %(value)s", kind=_KIND_NAMES[kind],
                                                     value=repr(value)))
            if kind in (TEXT, MARKDOWN):
                value = value.strip() + ("\n" if kind == MARKDOWN else "")
                self.check(value.strip() or name in optional, line, f"{where}{name}: " + _("empty"))
                self.check(not longest or len(value) <= longest, line, f"{where}{name}: " + ngettext(
                    "over %(num)d character", "over %(num)d characters", longest or 0))
            values[name] = value
        return values


def load(folder=CONTENT_FOLDER):
    """Read and check the demo's content: circle.toml and the thread files it lists."""
    folder = Path(folder)
    source = _Source(folder / "circle.toml")
    end = len(source.lines)
    data = source.toml(1, end)
    circle = source.fields({name: value for name, value in data.items() if name != "person"}, 1, end, {
        "name": (TEXT, NAME_MAX), "slug": (TEXT, SLUG_MAX), "purpose": (TEXT, PURPOSE_MAX), "goals": (MARKDOWN, None),
        "threads": (LIST, None)})
    source.check(re.match(SLUG_PATTERN, circle["slug"]), source.line_of("slug", 1, end),
                 "slug: " + _("only lower-case letters and digits, with single hyphens between them"))
    people = _load_people(source, data.get("person"))

    line, listed = source.line_of("threads", 1, end), circle["threads"]
    source.check(listed, line, "threads: " + _("the circle needs at least one thread"))
    for name in listed:
        source.check(isinstance(name, str) and (folder / "threads" / name).is_file(), line,
                     "threads: " + _("there is no file %(path)s beside circle.toml", path="threads/" + str(name)))
        source.check(listed.count(name) == 1, line, "threads: " + _("%(name)s is listed twice", name=name))
    unlisted = sorted({path.name for path in (folder / "threads").glob("*.md")} - set(listed))
    source.check(not unlisted, line,
                 "threads: " + _("%(names)s in threads/ but not listed here", names=", ".join(unlisted)))
    keys = {person.key for person in people}
    threads = tuple(_load_thread(_Source(folder / "threads" / name), keys) for name in listed)
    return Content(name=circle["name"], slug=circle["slug"], purpose=circle["purpose"], goals=circle["goals"],
                   people=people, threads=threads)


def _load_people(source, tables):
    starts = [number for number, line in enumerate(source.lines, 1) if line.strip().startswith("[[person]]")]
    source.check(isinstance(tables, list) and tables and len(tables) == len(starts), None,
                 _("each person needs a [[person]] table of their own, and the circle needs people"))
    zones, people = available_timezones(), []
    for index, (table, first) in enumerate(zip(tables, starts)):
        last = starts[index + 1] - 1 if index + 1 < len(starts) else len(source.lines)
        person = Person(**source.fields(table, first, last, {
            "key": (TEXT, None), "display_name": (TEXT, DISPLAY_NAME_MAX), "timezone": (TEXT, None),
            "bio": (MARKDOWN, BIO_MAX)}, {"pronouns": (TEXT, PRONOUNS_MAX), "role": (TEXT, None)},
            where=_("person %(number)s: ", number=index + 1)))
        person = replace(person, role=person.role or MEMBER)
        where = _("person %(key)s: ", key=repr(person.key))
        source.check(re.match(USERNAME_PATTERN, person.username) and person.key == person.key.lower(),
                     source.line_of("key", first, last), f"{where}key: " + ngettext(
                         "lower-case letters, digits, '.', '_' or '-', at most %(num)d of them",
                         "lower-case letters, digits, '.', '_' or '-', at most %(num)d of them",
                         30 - len(DEMO_USERNAME_PREFIX)))
        source.check(person.key not in {other.key for other in people}, source.line_of("key", first, last),
                     f"{where}key: " + _("another person has it already"))
        source.check(person.timezone in zones, source.line_of("timezone", first, last),
                     f"{where}timezone: " + _("%(zone)s is no time zone name (such as 'Europe/Berlin')",
                                              zone=repr(person.timezone)))
        source.check(person.role in ROLES, source.line_of("role", first, last),
                     f"{where}role: " + _("%(role)s is none of %(roles)s", role=repr(person.role),
                                          roles=", ".join(ROLES)))
        people.append(person)
    owners = [person.key for person in people if person.role == OWNER_ROLE]
    source.check(len(owners) == 1, None, _("exactly one person has %(setting)s, not %(count)s",
                                           setting='role = "%s"' % OWNER_ROLE, count=len(owners)))
    return tuple(people)


def _load_thread(source, keys):
    """A thread file: `+++`, the thread's TOML, `+++`, its opening post; then the same for each reply."""
    fences = [number for number, line in enumerate(source.lines, 1) if line.rstrip() == FENCE]
    source.check(fences and not any(line.strip() for line in source.lines[:fences[0] - 1]), 1,
                 _("a thread file begins with a %(fence)s line, then the thread's title, kind, author and timing",
                   fence=FENCE))
    source.check(len(fences) % 2 == 0, fences[-1],
                 _("this %(fence)s opens a block that no %(fence)s line closes", fence=FENCE))
    posts = []
    for index in range(0, len(fences), 2):
        first, last = fences[index], fences[index + 1]
        following = fences[index + 2] if index + 2 < len(fences) else len(source.lines) + 1
        body = "\n".join(source.lines[last:following - 1]).strip() + "\n"
        source.check(body.strip(), last, _("no post text follows this line"))
        source.check(len(body) <= BODY_MAX, last, ngettext("the post below is over %(num)d character",
                                                           "the post below is over %(num)d characters", BODY_MAX))
        posts.append((first, last, source.toml(first + 1, last - 1), body))

    def author(values, first, last):
        source.check(values["author"] in keys, source.line_of("author", first, last),
                     "author: " + _("%(key)s is no person's key in circle.toml", key=repr(values["author"])))
        return values["author"]

    first, last, table, body = posts[0]
    thread = source.fields(table, first, last, {
        "title": (TEXT, TITLE_MAX), "kind": (TEXT, None), "author": (TEXT, None), "days_ago": (NUMBER, None),
        "local_hour": (NUMBER, None)}, {"pinned": (YES_NO, None)})
    source.check(thread["kind"] in KINDS, source.line_of("kind", first, last),
                 "kind: " + _("%(kind)s is none of %(kinds)s", kind=repr(thread["kind"]), kinds=", ".join(KINDS)))
    source.check(thread["days_ago"] >= 0, source.line_of("days_ago", first, last),
                 "days_ago: " + _("cannot be negative"))
    source.check(0 <= thread["local_hour"] <= 23, source.line_of("local_hour", first, last),
                 "local_hour: " + _("an hour from 0 to 23"))
    thread["author"] = author(thread, first, last)
    replies = []
    for first, last, table, reply_body in posts[1:]:
        reply = source.fields(table, first, last, {"author": (TEXT, None), "hours_later": (NUMBER, None)},
                              {"answer": (YES_NO, None)})
        source.check(reply["hours_later"] >= 0, source.line_of("hours_later", first, last),
                     "hours_later: " + _("cannot be negative"))
        if reply["answer"]:
            line = source.line_of("answer", first, last)
            source.check(thread["kind"] == QUESTION, line, "answer: " + _("only a question's reply can be its answer"))
            source.check(not any(earlier.answer for earlier in replies), line,
                         "answer: " + _("a question has one accepted answer"))
        replies.append(Reply(author=author(reply, first, last), hours_later=reply["hours_later"], body=reply_body,
                             answer=reply["answer"]))
    return ThreadSeed(**thread, body=body, replies=tuple(replies))


CONTENT = load()
CIRCLE_SLUG = CONTENT.slug
PEOPLE = CONTENT.people
OWNER = CONTENT.owner
FACILITATORS = CONTENT.facilitators


# ---- seeding ----------------------------------------------------------------------------------

class DemoExists(Exception):
    """The demo circle is already there; seeding again would duplicate it."""


class DemoUsernameTaken(Exception):
    """An account with a demo username or email already exists."""


@dataclass
class Demo:
    circle: Circle
    people: list
    thread_count: int


def seed(password=DEMO_PASSWORD, content=CONTENT):
    """Create the demo circle with its members and conversation in one transaction."""
    if Circle.by_slug(content.slug) is not None:
        raise DemoExists(content.slug)
    now = clock.now()
    start = now - dt.timedelta(days=42)
    try:
        with database.atomic():
            circle, people = _seed_people_and_circle(content, start, password)
            for seed_ in content.threads:
                _seed_thread(circle, people, seed_, now)
    except peewee.IntegrityError:
        taken = [person.username for person in content.people if User.by_login(person.username)]
        raise DemoUsernameTaken(", ".join(taken) or _("an email address")) from None
    finally:
        clock.freeze(None)
    return Demo(circle=Circle.by_slug(content.slug), people=list(content.people),
                thread_count=len(content.threads))


def _seed_people_and_circle(content, start, password):
    users = {}
    for index, person in enumerate(content.people):
        clock.freeze(start + dt.timedelta(hours=5 * index))
        user = User.register(username=person.username, email=f"{person.username}@demo.learncircle.invalid",
                             password=password, display_name=person.display_name, timezone=person.timezone)
        user.update_profile(display_name=person.display_name, bio=person.bio, timezone=person.timezone,
                            pronouns=person.pronouns)
        users[person.key] = user

    clock.freeze(start + dt.timedelta(days=2))
    circle = Circle.found(owner=users[content.owner], name=content.name, slug=content.slug, purpose=content.purpose,
                          goals=content.goals, visibility=PUBLIC)
    for index, person in enumerate(content.people):
        if person.role == OWNER_ROLE:
            continue
        clock.freeze(start + dt.timedelta(days=2, hours=3 + 7 * index))
        membership = Membership.join(user=users[person.key], circle=circle)
        if person.role == FACILITATOR:
            membership.set_role(FACILITATOR)
    return circle, users


def _seed_thread(circle, users, seed_, now):
    minute = sum(map(ord, seed_.title)) % 60  # a stable, irregular minute: nobody posts on the hour
    moment = _local_moment(now - dt.timedelta(days=seed_.days_ago), seed_.local_hour, minute, users[seed_.author])
    clock.freeze(min(moment, now - dt.timedelta(hours=1)))
    thread = Thread.start(circle=circle, author=users[seed_.author], title=seed_.title, kind=seed_.kind,
                          body=seed_.body)
    if seed_.pinned:
        thread.set_pinned(True)
    answer = None
    for reply in seed_.replies:
        moment = _awake(clock.now() + dt.timedelta(hours=reply.hours_later, minutes=7 * len(reply.body) % 53),
                        users[reply.author])
        clock.freeze(min(moment, now - dt.timedelta(minutes=10)))
        post = thread.reply(author=users[reply.author], body=reply.body)
        if reply.answer:
            answer = post
    if answer is not None:
        thread.accept_answer(answer, users[seed_.author], url=f"/p/{answer.id}")
    return thread


def _local_moment(day_utc, hour, minute, user):
    """The UTC moment of hour:minute on that day in the user's own zone."""
    zone = ZoneInfo(user.timezone)
    local_day = day_utc.replace(tzinfo=dt.timezone.utc).astimezone(zone)
    local = local_day.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _awake(moment, user):
    """Move a moment that falls in the user's night to 7 o'clock their time the same morning."""
    zone = ZoneInfo(user.timezone)
    local = moment.replace(tzinfo=dt.timezone.utc).astimezone(zone)
    if local.hour < 7:
        local = local.replace(hour=7, minute=local.minute)
        return local.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment
