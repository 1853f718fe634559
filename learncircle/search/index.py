"""Finding posts by their words, in the circles a person may read, best first.

The index (migration 0011) holds every shown post: neither deleted nor hidden, kept so by triggers. On
SQLite it is an FTS5 table ranked by bm25, on PostgreSQL a tsvector ranked by ts_rank; `find` asks whichever
the database is, the same way:

- the circles are part of the index's own lookup (on SQLite a token per circle inside the full-text match,
  on PostgreSQL beside it), so a search reads only the matches in the searcher's circles;
- a thread's title counts more than a post's body (TITLE_WEIGHT); equal scores go newest first;
- only the newest CANDIDATES matches are ranked: scoring costs a few microseconds a match, and a word found
  in most of 100,000 posts would otherwise have every one scored (these searches are the ones where the
  newest posts are the likeliest to be wanted);
- one page (PER_PAGE rows, and one more to know whether a next page follows) is then joined to its post,
  thread, circle and author, which also checks once more that the post is shown and in one of the circles,
  and that its thread is published (a scheduled prompt is found once its time has come);
- the title and snippet are marked for those rows only (marks.py).
"""
import datetime as dt
from dataclasses import dataclass

import peewee

from .. import clock
from ..circles.models import FACILITATOR, OWNER, Circle, Membership
from ..db import database
from ..discussions.models import Post
from . import marks

PER_PAGE = 20
CANDIDATES = 2000  # at most this many matches, the newest, are ranked (see above)
FEW_CIRCLES = 4  # more: see whether excluding the other circles names fewer (_fts5_match)
TITLE_WEIGHT = 10.0  # a word in the thread's title counts this many times one in a post's text

_PAGE_ROWS = """
SELECT p.id, p.number, p.body_html, p.created_at, t.title, u.display_name, c.name
FROM ({hits}) AS hit
JOIN post p ON p.id = hit.post_id
JOIN thread t ON t.id = p.thread_id
JOIN circle c ON c.id = t.circle_id
JOIN "user" u ON u.id = p.author_id
WHERE p.deleted_at IS NULL AND p.hidden_at IS NULL AND t.circle_id IN ({circles})
  AND (t.publish_at IS NULL OR t.publish_at <= {now})
  AND (t.hidden_at IS NULL OR (t.author_id = {viewer}{moderated}) AND t.hidden_kind <> 'removed')
ORDER BY {order}"""

_SQLITE_HITS = f"""
SELECT post_id, score FROM (
  SELECT rowid AS post_id, bm25(post_search, {TITLE_WEIGHT}, 1.0, 0.0) AS score
  FROM post_search WHERE post_search MATCH ? ORDER BY rowid DESC LIMIT {CANDIDATES})
ORDER BY score, post_id DESC LIMIT ? OFFSET ?"""

# ts_rank's weights (a parameter, each at most 1) are for D (the body), C, B and A (the title); normalization 1
# divides by the log of the length, as bm25 weighs long posts down.
_POSTGRESQL_HITS = """
SELECT post_id, ts_rank(%s::float4[], document, q, 1) AS score
FROM (SELECT s.post_id, s.document, q
      FROM post_search s, to_tsquery('simple', learncircle_fold(%s)) AS q
      WHERE s.document @@ q AND s.circle_id IN ({circles})
      ORDER BY s.post_id DESC LIMIT {candidates}) AS candidate
ORDER BY score DESC, post_id DESC LIMIT %s OFFSET %s"""


@dataclass(slots=True)
class Hit:
    """One result: a post, where it is, who wrote it when, and its title and snippet as marked pieces."""
    post_id: int
    number: int
    created_at: dt.datetime
    author_name: str
    circle_name: str
    title: list
    snippet: list


@dataclass(slots=True)
class Results:
    """One page of results (web.Page's names, for the pager)."""
    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self):
        return self.number > 1

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def circles_of(user):
    """The ids of the circles a search "in all my circles" covers: those the person belongs to."""
    return [circle_id for (circle_id,) in Membership.select(Membership.circle).where(Membership.user == user.id)
            .tuples()]


def moderated_by(user):
    """The ids of the circles user facilitates or owns (they find what is hidden there too)."""
    return [circle_id for (circle_id,) in Membership.select(Membership.circle).where(
        (Membership.user == user.id) & Membership.role.in_((OWNER, FACILITATOR))).tuples()]


def find(query, circle_ids, page=1, viewer_id=None, moderated=()):
    """Page `page` of the shown posts of the circles circle_ids that match query (a query.Query), best first.
    A hidden thread's posts (moderation/) are found by its author (viewer_id) and the moderators of its circle
    (moderated: the ids of the circles the searcher moderates) alone."""
    circle_ids = sorted({int(circle_id) for circle_id in circle_ids})
    if not circle_ids:
        return Results([], page, False)
    offset, limit = (page - 1) * PER_PAGE, PER_PAGE + 1
    moderated = sorted({int(circle_id) for circle_id in moderated})
    hidden_for = [viewer_id or 0, *moderated]
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        circles = ", ".join(["%s"] * len(circle_ids))
        hits = _POSTGRESQL_HITS.format(circles=circles, candidates=CANDIDATES)
        sql = _PAGE_ROWS.format(hits=hits, circles=circles, now="%s", order="hit.score DESC, hit.post_id DESC",
                                viewer="%s", moderated=_moderated("%s", moderated))
        params = [[1.0 / TITLE_WEIGHT, 0.0, 0.0, 1.0], query.tsquery(), *circle_ids, limit, offset, *circle_ids,
                  clock.now(), *hidden_for]
    else:
        sql = _PAGE_ROWS.format(hits=_SQLITE_HITS, circles=", ".join("?" * len(circle_ids)), now="?",
                                order="hit.score, hit.post_id DESC", viewer="?", moderated=_moderated("?", moderated))
        params = [_fts5_match(query, circle_ids), limit, offset, *circle_ids, clock.now(), *hidden_for]
    rows = database.execute_sql(sql, params).fetchall()
    as_time = Post.created_at.python_value  # SQLite gives text, PostgreSQL datetimes
    items = [Hit(post_id, number, as_time(created_at), author_name, circle_name, marks.title_pieces(title, query),
                 marks.snippet_pieces(body_html, query))
             for post_id, number, body_html, created_at, title, author_name, circle_name in rows[:PER_PAGE]]
    return Results(items, page, len(rows) > PER_PAGE)


def _moderated(param, circle_ids):
    return f" OR t.circle_id IN ({', '.join([param] * len(circle_ids))})" if circle_ids else ""


def _fts5_match(query, circle_ids):
    """The FTS5 query: the words, in the circles' posts.

    Each circle named costs FTS5 a pass over its list of posts, whatever the words: so the circles are
    named, or, when the person belongs to most circles, the other circles are excluded (a circle made
    since is left out again by the page's join).
    """
    words = f"{{title body}} : ({query.fts5()})"
    if len(circle_ids) > FEW_CIRCLES:
        others = [circle_id for (circle_id,) in Circle.select(Circle.id).where(Circle.id.not_in(circle_ids))
                  .tuples()]
        if len(others) < len(circle_ids):
            return f"{words} NOT circle : ({_any_circle(others)})" if others else words
    return f"circle : ({_any_circle(circle_ids)}) AND {words}"


def _any_circle(circle_ids):
    return " OR ".join(f'"c{circle_id}"' for circle_id in circle_ids)
