"""Threads and posts: a circle's asynchronous conversation."""
import datetime as dt
from dataclasses import dataclass

import peewee

from .. import clock, formkeys
from ..accounts.models import User
from ..circles.models import Circle
from ..db import BaseModel, Prepared, database
from ..i18n import lazy_gettext as _l
from ..notices import kinds
from ..notices.models import Notice
from . import mentions

DISCUSSION, QUESTION = "discussion", "question"
KINDS = (DISCUSSION, QUESTION)
# What a thread's kind is called on its badge, in the reader's language.
KIND_LABELS = {DISCUSSION: _l("discussion"), QUESTION: _l("question")}
THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 50
TITLE_MAX = 200
BODY_MAX = 50_000
HIDE_REASON_MAX = 300


# The thread list's filters (the `show=` of a circle's page); anything else shows every thread.
SHOW_ALL, SHOW_QUESTIONS, SHOW_UNANSWERED, SHOW_MINE = "all", "questions", "unanswered", "mine"
SHOWS = (SHOW_ALL, SHOW_QUESTIONS, SHOW_UNANSWERED, SHOW_MINE)


class ThreadLocked(Exception):
    pass


class AnswerRefused(Exception):
    """A post that cannot be a thread's accepted answer; `reason` says why (one of the names below)."""
    NOT_A_QUESTION, OTHER_THREAD = "not_a_question", "other_thread"
    OPENING_POST, NOT_SHOWN = "opening_post", "not_shown"

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class Thread(BaseModel):
    circle = peewee.ForeignKeyField(Circle, backref="threads", on_delete="CASCADE")
    author = peewee.ForeignKeyField(User, on_delete="CASCADE")
    title = peewee.CharField(max_length=TITLE_MAX)
    kind = peewee.CharField(max_length=20, default=DISCUSSION)
    pinned = peewee.BooleanField(default=False)
    locked = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=clock.now)
    # Kept up to date by each new post so the list needs no aggregate query.
    post_count = peewee.IntegerField(default=0)
    last_activity_at = peewee.DateTimeField(default=clock.now)
    last_author = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    # For questions: the reply its author or a facilitator accepted as the answer, and when. Deferred:
    # posts point at their thread too (Peewee adds the constraint after both tables; see migration 0009).
    answer = peewee.DeferredForeignKey("Post", null=True, on_delete="SET NULL", backref="+", lazy_load=False)
    answered_at = peewee.DateTimeField(null=True)
    # A facilitator's scheduled prompt: hidden from all but the circle's facilitators until then (None: a
    # thread published when it was started). An explicit column, not a date in the future: a server whose
    # clock is set back (a Raspberry Pi booting without one) must not hide the threads it already shows.
    publish_at = peewee.DateTimeField(null=True)
    # Hidden from the circle's list and page (moderation/): why, by whom ("" a moderator, "flags" members' flags
    # until reviewed, "approval" a new member's first thread waiting for a facilitator); the author still reads it.
    hidden_at = peewee.DateTimeField(null=True)
    hidden_kind = peewee.CharField(max_length=10, default="", constraints=[peewee.SQL("DEFAULT ''")])
    hidden_reason = peewee.CharField(max_length=HIDE_REASON_MAX, default="", constraints=[peewee.SQL("DEFAULT ''")])

    class Meta:
        indexes = (
            (("circle", "pinned", "last_activity_at"), False),
            # The list's filters: a circle's questions (answered or not), one person's threads.
            (("circle", "kind", "pinned", "last_activity_at"), False),
            (("circle", "author", "pinned", "last_activity_at"), False),
            # "Every voice": a circle's questions with no reply yet, newest first (voices.py).
            (("circle", "kind", "post_count", "created_at"), False),
            # A circle's scheduled prompts, soonest first.
            (("circle", "publish_at"), False),
        )

    @property
    def reply_count(self):
        return max(self.post_count - 1, 0)

    @property
    def is_question(self):
        return self.kind == QUESTION

    @property
    def page_count(self):
        return max((self.post_count - 1) // POSTS_PER_PAGE + 1, 1)

    @classmethod
    def listing(cls, circle):
        """A circle's threads with their authors: pinned first, then by last activity."""
        LastAuthor = User.alias()
        # Authors' names only: never their private columns.
        return (cls.select(cls, User.id, User.username, User.display_name,
                           LastAuthor.id, LastAuthor.username, LastAuthor.display_name)
                .join(User, on=(cls.author == User.id))
                .switch(cls).join(LastAuthor, peewee.JOIN.LEFT_OUTER, on=(cls.last_author == LastAuthor.id),
                                  attr="last_author")
                .where((cls.circle == circle) & cls.is_published(clock.now()))
                .order_by(cls.pinned.desc(), cls.last_activity_at.desc(), cls.id.desc()))

    @classmethod
    def is_published(cls, now):
        """The condition a thread the circle may see meets: not a prompt still waiting for its time."""
        return cls.publish_at.is_null() | (cls.publish_at <= now)

    @property
    def is_scheduled(self):
        """A prompt whose publishing time has not come: the clock decides, no job has to run."""
        return self.publish_at is not None and self.publish_at > clock.now()

    @classmethod
    def with_circle(cls, thread_id):
        """Return the thread with its circle (one query), or None."""
        return cls._with_circle.first(thread_id)

    @Prepared
    def _with_circle(thread_id):
        return Thread.select(Thread, Circle).join(Circle).where(Thread.id == thread_id).limit(1)

    @classmethod
    def questions(cls, circle):
        return cls.listing(circle).where(cls.kind == QUESTION)

    @classmethod
    def unanswered(cls, circle):
        """A circle's questions with no accepted answer."""
        return cls.questions(circle).where(cls.answer.is_null())

    @classmethod
    def started_by(cls, circle, user):
        return cls.listing(circle).where(cls.author == user)

    @classmethod
    def filtered(cls, circle, show, user):
        """The list a filter of the circle's page shows (SHOW_ALL for an unknown one)."""
        if show == SHOW_QUESTIONS:
            return cls.questions(circle)
        if show == SHOW_UNANSWERED:
            return cls.unanswered(circle)
        if show == SHOW_MINE and user is not None and getattr(user, "is_authenticated", False):
            return cls.started_by(circle, user)
        return cls.listing(circle)

    @classmethod
    def start(cls, *, circle, author, title, kind, body, form_key=None, publish_at=None, held=False):
        """Open a thread with its first post; raises formkeys.DuplicateSubmission on a resend.

        With publish_at (a later UTC moment: a facilitator's scheduled prompt) the thread and its post are
        dated then, and until then only the circle's facilitators see it (is_scheduled). held: a new member's
        thread waiting for a facilitator's approval (newcomers/approvals.py), hidden and told to nobody yet."""
        now = clock.now()
        if publish_at is not None and publish_at > now:
            now = publish_at
        else:
            publish_at = None
        rendered = mentions.render(body, circle.id)  # outside the write lock: parsing is the slow part
        hold = {"hidden_at": now, "hidden_kind": "approval"} if held else {}  # mentions and watchers skip it
        with database.atomic():
            claimed = formkeys.claim(form_key, author)
            thread = cls.create(circle=circle, author=author, title=title.strip(), kind=kind, publish_at=publish_at,
                                created_at=now, last_activity_at=now, last_author=author, post_count=1, **hold)
            post = Post.create(thread=thread, author=author, number=1, body=body, body_html=rendered.html,
                               created_at=now, **hold)
            mentions.notify(rendered, post=post, thread=thread, author=author)
            ReadState.upsert(author.id, thread.id, 1)  # one's own post is never news to oneself
            watching.watch_by_default(author.id, thread.id)
            watching.tell_of_new_thread(thread, author, circle.name)
            formkeys.record_result(claimed, f"/t/{thread.id}")
        return thread

    def reply(self, *, author, body, form_key=None, held=False):
        """Add a reply (held: as for start); raises ThreadLocked, or formkeys.DuplicateSubmission on a resend."""
        now = clock.now()
        rendered = mentions.render(body, self.circle_id)  # outside the write lock: parsing is the slow part
        hold = {"hidden_at": now, "hidden_kind": "approval"} if held else {}
        with database.atomic():
            claimed = formkeys.claim(form_key, author)
            # Re-read inside the transaction: the number must follow the last one committed.
            current = Thread.select(Thread.post_count, Thread.locked).where(Thread.id == self.id).get()
            if current.locked:
                raise ThreadLocked()
            number = current.post_count + 1
            post = Post.create(thread=self, author=author, number=number, body=body, body_html=rendered.html,
                               created_at=now, **hold)
            mentions.notify(rendered, post=post, thread=self, author=author)
            changes = {Thread.post_count: number} if held else {  # a held reply is no activity the circle sees
                Thread.post_count: number, Thread.last_activity_at: now, Thread.last_author: author}
            Thread.update(changes).where(Thread.id == self.id).execute()
            ReadState.upsert(author.id, self.id, number)
            watching.watch_by_default(author.id, self.id)
            watching.tell_of_reply(self, post, author, skip=rendered.mentioned)
            formkeys.record_result(claimed, f"/p/{post.id}")
        self.post_count, self.last_activity_at = number, now
        return post

    def accept_answer(self, post, by, url=""):
        """Mark post, a reply of this question, as its answer (in place of any other); its author gets a
        notice linking to url unless they accepted it themselves. Raises AnswerRefused. Who may is the
        caller's question (access.can_accept_answer)."""
        if not self.is_question:
            raise AnswerRefused(AnswerRefused.NOT_A_QUESTION)
        if post.thread_id != self.id:
            raise AnswerRefused(AnswerRefused.OTHER_THREAD)
        if post.number == 1:
            raise AnswerRefused(AnswerRefused.OPENING_POST)
        now = clock.now()
        with database.atomic():
            # Read again inside the transaction: the post may have been deleted or hidden meanwhile.
            current = Post.select(Post.deleted_at, Post.hidden_at).where(Post.id == post.id).first()
            if current is None or current.deleted_at is not None or current.hidden_at is not None:
                raise AnswerRefused(AnswerRefused.NOT_SHOWN)
            previous = Thread.select(Thread.answer).where(Thread.id == self.id).scalar()
            if previous == post.id:
                self.answer_id = post.id  # already the answer: nothing changes, nobody is told twice
                return False
            Thread.update(answer=post.id, answered_at=now).where(Thread.id == self.id).execute()
            if post.author_id != by.id:
                Notice.send([post.author_id], kinds.reply_accepted(thread=self.title), url, self.circle_id, sender=by)
        self.answer_id, self.answered_at = post.id, now
        return True

    def clear_answer(self, by):
        """Leave the question with no accepted answer (by: who cleared it; the caller checked they may)."""
        with database.atomic():
            Thread.update(answer=None, answered_at=None).where(Thread.id == self.id).execute()
        self.answer_id, self.answered_at = None, None

    def answer_among(self, posts):
        """The accepted answer as a PostLine, and whether it is among posts (the page shown): taken from
        them when it is, else read (one small query, for a question with an answer elsewhere)."""
        if not self.is_question or self.answer_id is None:
            return None, False
        for post in posts:
            if post.id == self.answer_id:
                return post, True
        return Post.line(self.answer_id), False

    def set_pinned(self, pinned):
        with database.atomic():
            Thread.update(pinned=pinned).where(Thread.id == self.id).execute()
        self.pinned = pinned

    def set_locked(self, locked):
        with database.atomic():
            Thread.update(locked=locked).where(Thread.id == self.id).execute()
        self.locked = locked


class PostState:
    """What a post's columns say about it, for a Post and a PostLine alike."""

    __slots__ = ()

    @property
    def page(self):
        return (self.number - 1) // POSTS_PER_PAGE + 1

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def is_hidden(self):
        return self.hidden_at is not None


class Post(PostState, BaseModel):
    thread = peewee.ForeignKeyField(Thread, backref="posts", on_delete="CASCADE")
    author = peewee.ForeignKeyField(User, on_delete="CASCADE")
    number = peewee.IntegerField()  # 1 is the opening post
    body = peewee.TextField()
    body_html = peewee.TextField()
    created_at = peewee.DateTimeField(default=clock.now)
    edited_at = peewee.DateTimeField(null=True)
    deleted_at = peewee.DateTimeField(null=True)
    # A facilitator hid the post from the circle; its author still reads it, and why.
    hidden_at = peewee.DateTimeField(null=True)
    hidden_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    hidden_reason = peewee.CharField(max_length=HIDE_REASON_MAX, default="")
    hidden_kind = peewee.CharField(max_length=10, default="", constraints=[peewee.SQL("DEFAULT ''")])  # as a thread's
    # How many people found it helpful and said thanks, kept in step by reactions.py for the thread page (the
    # database's default too: migration 0012 added them in place).
    helpful_count = peewee.IntegerField(default=0, constraints=[peewee.SQL("DEFAULT 0")])
    thanks_count = peewee.IntegerField(default=0, constraints=[peewee.SQL("DEFAULT 0")])

    class Meta:  # the second: posts waiting for approval, oldest first (newcomers/approvals.py)
        indexes = ((("thread", "number"), True), (("hidden_kind", "created_at"), False))

    # The reader's own reactions (reactions.BITS), which a PostLine of the thread page brings along; unknown
    # on a Post read alone (the template asks reactions.mine then).
    mine = None

    @property
    def author_name(self):
        return self.author.display_name

    @classmethod
    def page_of(cls, thread, page, viewer=None):
        """One page of a thread's posts in order, as PostLines (what the page shows, with the author's name
        and, for viewer (an id), which reactions are theirs)."""
        first = (page - 1) * POSTS_PER_PAGE + 1
        return _lines(cls._page_rows.raw(thread.id, first, first + POSTS_PER_PAGE, viewer or 0))

    @Prepared
    def _page_rows(thread_id, first, end, viewer_id):
        # Only what the page shows: the Markdown source and the authors' private columns stay behind.
        return (_line_columns(viewer_id)
                .where((Post.thread == thread_id) & (Post.number >= first) & (Post.number < end))
                .order_by(Post.number))

    @classmethod
    def line(cls, post_id):
        """One post as a PostLine (a question's answer on another page than the one shown), or None."""
        lines = _lines(cls._line_row.raw(post_id))
        return lines[0] if lines else None

    @Prepared
    def _line_row(post_id):
        return _line_columns().where(Post.id == post_id)

    @classmethod
    def with_thread(cls, post_id):
        """Return the post with its author, thread and the thread's circle (one query), or None."""
        return (cls.select(cls, Thread, Circle, User).join(Thread).join(Circle).switch(cls)
                .join(User, on=(cls.author == User.id))
                .where(cls.id == post_id).first())

    def edit(self, body):
        """Replace the text, rendered once here, and mark the post as edited now; people it mentions
        now and did not before get a notice."""
        rendered = mentions.render(body, self.thread.circle_id)
        with database.atomic():
            before = self.body_html
            self.body, self.body_html, self.edited_at = body, rendered.html, clock.now()
            self.save(only=[Post.body, Post.body_html, Post.edited_at])
            mentions.notify(rendered, post=self, thread=self.thread, author=self.author, before=before)

    def hide(self, by, reason, url=""):
        """Hide the post from the circle (a facilitator's decision); its author still sees it, and why,
        and gets a notice linking to url."""
        now = clock.now()
        reason = " ".join(reason.split())[:HIDE_REASON_MAX]
        with database.atomic():
            Post.update(hidden_at=now, hidden_by=by, hidden_reason=reason).where(Post.id == self.id).execute()
            self._stop_being_the_answer()
            Notice.send([self.author_id], kinds.post_hidden(thread=self.thread.title, reason=reason),
                        url, self.thread.circle_id)
        self.hidden_at, self.hidden_by, self.hidden_reason = now, by, reason

    def unhide(self):
        """Show a hidden post to the circle again."""
        with database.atomic():
            Post.update(hidden_at=None, hidden_by=None, hidden_reason="").where(Post.id == self.id).execute()
        self.hidden_at, self.hidden_by, self.hidden_reason = None, None, ""

    def soft_delete(self):
        """Blank the post but keep its place, so replies around it still read in order."""
        with database.atomic():
            self.body, self.body_html, self.deleted_at = "", "", clock.now()
            self.save(only=[Post.body, Post.body_html, Post.deleted_at])
            self._stop_being_the_answer()

    def _stop_being_the_answer(self):
        """A deleted or hidden reply is no question's answer any more (inside the caller's transaction)."""
        cleared = Thread.update(answer=None, answered_at=None).where(
            (Thread.id == self.thread_id) & (Thread.answer == self.id)).execute()
        thread = self.__rel__.get("thread")  # the loaded thread, if any, says so too
        if cleared and thread is not None:
            thread.answer_id, thread.answered_at = None, None


def _line_columns(viewer_id=None):
    from ..people.models import muted_by
    from .reactions import mine_column  # reactions.py builds on Post

    return (Post.select(Post.id, Post.thread, Post.author, Post.number, Post.body_html, Post.created_at,
                        Post.edited_at, Post.deleted_at, User.display_name, Post.hidden_at, Post.hidden_reason,
                        Post.hidden_kind, Post.helpful_count, Post.thanks_count, mine_column(viewer_id),
                        muted_by(viewer_id, Post.author))
            .join(User, on=(Post.author == User.id)))


def _lines(rows):
    as_time = Post.created_at.python_value  # SQLite gives text, PostgreSQL datetimes: both become datetimes
    return [PostLine(id, thread_id, author_id, number, body_html, as_time(created), as_time(edited),
                     as_time(deleted), author_name, as_time(hidden), why_hidden, hiding, helpful, thanks, mine, muted)
            for id, thread_id, author_id, number, body_html, created, edited, deleted, author_name, hidden,
            why_hidden, hiding, helpful, thanks, mine, muted in rows]


class ReadState(BaseModel):
    """How far a member read a thread: the number of the last post they saw (reading.py reads and keeps it)."""
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+", index=False)  # (user, thread) serves
    thread = peewee.ForeignKeyField(Thread, on_delete="CASCADE", backref="+")
    last_read = peewee.IntegerField()

    class Meta:
        indexes = ((("user", "thread"), True),)

    @classmethod
    def upsert(cls, user_id, thread_id, number):
        """Seen up to number: never less than before (two tabs, an older page). Inside the caller's write."""
        (cls.insert(user=user_id, thread=thread_id, last_read=number)
         .on_conflict(conflict_target=[cls.user, cls.thread], update={cls.last_read: peewee.EXCLUDED.last_read},
                      where=(peewee.EXCLUDED.last_read > cls.last_read))
         .execute())


@dataclass(slots=True)
class PostLine(PostState):
    """A post as a thread page shows it, read as one row.

    A page has fifty posts; building them as Peewee models with their authors joined costs more than
    the query itself. `_posts.html` reads the same names from a PostLine and from a Post.
    """
    id: int
    thread_id: int
    author_id: int
    number: int
    body_html: str
    created_at: dt.datetime
    edited_at: dt.datetime | None
    deleted_at: dt.datetime | None
    author_name: str
    hidden_at: dt.datetime | None
    hidden_reason: str
    hidden_kind: str
    helpful_count: int
    thanks_count: int
    mine: int
    muted: int  # the reader muted or blocked its author (people/): _posts.html collapses it


# Last: who hears of a new thread or reply (watching.py, with its ThreadWatch) builds on the models above.
from . import watching  # noqa: E402
from .watching import ThreadWatch  # noqa: E402,F401
