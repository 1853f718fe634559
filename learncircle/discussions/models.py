"""Threads and posts: a circle's asynchronous conversation."""
import peewee

from .. import clock, formkeys, text
from ..accounts.models import User
from ..circles.models import Circle
from ..db import BaseModel, database

DISCUSSION, QUESTION = "discussion", "question"
KINDS = (DISCUSSION, QUESTION)
THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 50
TITLE_MAX = 200
BODY_MAX = 50_000


class ThreadLocked(Exception):
    pass


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
    # For questions: when someone other than the asker first replied.
    answered_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("circle", "pinned", "last_activity_at"), False),)

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
                .where(cls.circle == circle)
                .order_by(cls.pinned.desc(), cls.last_activity_at.desc(), cls.id.desc()))

    @classmethod
    def with_circle(cls, thread_id):
        """Return the thread with its circle (one query), or None."""
        return cls.select(cls, Circle).join(Circle).where(cls.id == thread_id).first()

    @classmethod
    def unanswered(cls, circle):
        return cls.listing(circle).where((cls.kind == QUESTION) & cls.answered_at.is_null())

    @classmethod
    def start(cls, *, circle, author, title, kind, body, form_key=None):
        """Open a thread with its first post; raises formkeys.DuplicateSubmission on a resend."""
        now = clock.now()
        with database.atomic():
            claimed = formkeys.claim(form_key, author)
            thread = cls.create(circle=circle, author=author, title=title.strip(), kind=kind,
                                created_at=now, last_activity_at=now, last_author=author, post_count=1)
            Post.create(thread=thread, author=author, number=1, body=body,
                        body_html=text.render_markdown(body), created_at=now)
            formkeys.record_result(claimed, f"/t/{thread.id}")
        return thread

    def reply(self, *, author, body, form_key=None):
        """Add a reply; raises ThreadLocked, or formkeys.DuplicateSubmission on a resend."""
        now = clock.now()
        body_html = text.render_markdown(body)  # outside the write lock: parsing is the slow part
        with database.atomic():
            claimed = formkeys.claim(form_key, author)
            # Re-read inside the transaction: the number must follow the last one committed.
            current = Thread.select(Thread.post_count, Thread.locked).where(Thread.id == self.id).get()
            if current.locked:
                raise ThreadLocked()
            number = current.post_count + 1
            post = Post.create(thread=self, author=author, number=number, body=body, body_html=body_html,
                               created_at=now)
            changes = {Thread.post_count: number, Thread.last_activity_at: now, Thread.last_author: author}
            if self.kind == QUESTION and author.id != self.author_id:
                changes[Thread.answered_at] = peewee.fn.COALESCE(Thread.answered_at, now)
            Thread.update(changes).where(Thread.id == self.id).execute()
            formkeys.record_result(claimed, f"/p/{post.id}")
        self.post_count, self.last_activity_at = number, now
        return post

    def set_pinned(self, pinned):
        with database.atomic():
            Thread.update(pinned=pinned).where(Thread.id == self.id).execute()
        self.pinned = pinned

    def set_locked(self, locked):
        with database.atomic():
            Thread.update(locked=locked).where(Thread.id == self.id).execute()
        self.locked = locked


class Post(BaseModel):
    thread = peewee.ForeignKeyField(Thread, backref="posts", on_delete="CASCADE")
    author = peewee.ForeignKeyField(User, on_delete="CASCADE")
    number = peewee.IntegerField()  # 1 is the opening post
    body = peewee.TextField()
    body_html = peewee.TextField()
    created_at = peewee.DateTimeField(default=clock.now)
    edited_at = peewee.DateTimeField(null=True)
    deleted_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("thread", "number"), True),)

    @property
    def page(self):
        return (self.number - 1) // POSTS_PER_PAGE + 1

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @classmethod
    def page_of(cls, thread, page):
        """One page of a thread's posts, with their authors, in order."""
        first = (page - 1) * POSTS_PER_PAGE + 1
        # Only what the page shows: the Markdown source and the authors' private columns stay behind.
        shown = (cls.id, cls.thread, cls.author, cls.number, cls.body_html, cls.created_at, cls.edited_at,
                 cls.deleted_at, User.id, User.username, User.display_name)
        return (cls.select(*shown).join(User)
                .where((cls.thread == thread) & (cls.number >= first) & (cls.number < first + POSTS_PER_PAGE))
                .order_by(cls.number))

    @classmethod
    def with_thread(cls, post_id):
        """Return the post with its author, thread and the thread's circle (one query), or None."""
        return (cls.select(cls, Thread, Circle, User).join(Thread).join(Circle).switch(cls).join(User)
                .where(cls.id == post_id).first())

    def edit(self, body):
        """Replace the text, rendered once here, and mark the post as edited now."""
        body_html = text.render_markdown(body)
        with database.atomic():
            self.body, self.body_html, self.edited_at = body, body_html, clock.now()
            self.save(only=[Post.body, Post.body_html, Post.edited_at])

    def soft_delete(self):
        """Blank the post but keep its place, so replies around it still read in order."""
        with database.atomic():
            self.body, self.body_html, self.deleted_at = "", "", clock.now()
            self.save(only=[Post.body, Post.body_html, Post.deleted_at])
