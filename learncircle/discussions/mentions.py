"""@mentions: a post's @names that are members of its circle become links to their profiles, and those
members get a notice. Any other @name (someone outside the circle, or nobody) stays plain text, exactly
as an unknown name would, so a post never tells whether a name exists elsewhere.

Resolved once, when a post is written (the stored HTML carries the links), with one query for all its
names; members who can post in a circle are offered its members' names as they type (`suggestions`).
"""
import re
from dataclasses import dataclass, field

import peewee

from .. import text
from ..accounts.models import User
from ..circles.models import Membership
from ..notices import kinds
from ..notices.models import Notice

MAX_MENTIONS = 20  # people one post links and notifies; later @names stay plain text
LOOKUP_MAX = 200  # distinct @names of one post looked up: one bounded query, even for 5,000 of them
SUGGESTIONS = 8  # names offered at a time while typing
QUERY_MAX = 30  # the longest username: a longer prefix matches nobody
# The links text.link_mentions writes, as nh3 stores them: what a post mentioned before an edit.
_STORED_MENTION = re.compile(r'<a href="/u/([A-Za-z0-9_.\-]+)" class="mention"')


@dataclass(slots=True)
class Rendered:
    """A post's text as stored HTML, and whom it mentions: user id -> username of the members to notify
    (not those only named inside a block quote: quoting a post does not mention its people again)."""
    html: str
    mentioned: dict = field(default_factory=dict)


def render(source, circle_id):
    """Render a post's Markdown with its circle's members' @names linked (at most MAX_MENTIONS people).

    Call it before the write transaction: parsing is the slow part, and the lookup is one query, made
    only when the text has an @name outside code and links.
    """
    mentioned = {}

    def mentionable(names, quoted):
        members = _members_named(circle_id, names[:LOOKUP_MAX])
        linked, people = {}, set()
        for name in names[:LOOKUP_MAX]:
            if name not in members:
                continue
            user_id, username = members[name]
            people.add(user_id)
            if len(people) > MAX_MENTIONS:
                break
            linked[name] = username
            if name not in quoted:
                mentioned[user_id] = username
        return linked

    return Rendered(text.render_markdown(source, mentionable), mentioned)


def _members_named(circle_id, names):
    """{username: (user id, username)} for the names that are members of the circle (one query)."""
    if not names:
        return {}
    rows = (User.select(User.id, User.username)
            .join(Membership, on=(Membership.user == User.id))
            .where((Membership.circle == circle_id) & User.username.in_(names))
            .tuples())
    return {username: (user_id, username) for user_id, username in rows}


def mentioned_in(html):
    """The usernames stored HTML links as mentions (what a post said before an edit)."""
    return set(_STORED_MENTION.findall(html or ""))


def notify(rendered, *, post, thread, author, before=""):
    """Tell the people a post mentions, inside the caller's write transaction: never its author, and on an
    edit (before: the post's previous HTML) only those it did not mention already, nor anyone who blocked the
    author (people/). Nobody is told of what they could not open: a post a facilitator hid. A scheduled
    prompt's mentions are dated at its publishing time, so they wait for it like the prompt (Notice.send's
    `at`; publishing early or cancelling moves or drops them)."""
    if getattr(post, "hidden_at", None) is not None or getattr(thread, "hidden_at", None) is not None:
        return 0  # nor of a post in a hidden thread (moderation/): its title is not theirs to read
    already = mentioned_in(before)
    people = [user_id for user_id, username in rendered.mentioned.items()
              if user_id != author.id and username not in already]
    if people:
        return Notice.send(people, kinds.mentioned(name=author.display_name, thread=thread.title),
                           f"/p/{post.id}", thread.circle_id, sender=author.id,
                           at=thread.publish_at if getattr(thread, "is_scheduled", False) else None)
    return 0


def suggestions(circle, query, viewer):
    """Up to SUGGESTIONS members of circle whose username or display name starts with or contains
    query (an "@" before it ignored), best first: username starts with it, then display name, then
    the rest, each by display name. Never the viewer. An empty query offers the first few members."""
    query = (query or "").strip().removeprefix("@").lower()
    if len(query) > QUERY_MAX or any(char.isspace() or not char.isprintable() for char in query):
        return []
    select = (User.select(User.id, User.username, User.display_name)
              .join(Membership, on=(Membership.user == User.id))
              .where((Membership.circle == circle) & (User.id != viewer.id)))
    rank = peewee.Value(0)
    if query:
        name = peewee.fn.LOWER(User.display_name)
        select = select.where(User.username.contains(query) | name.contains(query))
        rank = peewee.Case(None, ((User.username.startswith(query), 0), (name.startswith(query), 1)), 2)
    return list(select.order_by(rank, peewee.fn.LOWER(User.display_name), User.username).limit(SUGGESTIONS))
