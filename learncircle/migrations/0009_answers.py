"""Accepted answers: a question's author or a facilitator marks one reply as its answer.

`thread.answer_id` names the accepted reply (cleared when that post goes); `answered_at` now says when
the current answer was accepted. It said when someone other than the asker first replied: no question
has an accepted answer yet, so it is cleared. Two indexes give the thread list's filters in the order
shown: a circle's questions (all or unanswered) and one person's threads.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Circle(Model):
        class Meta:
            database = db
            table_name = 'circle'

    class Post(Model):
        class Meta:
            database = db
            table_name = 'post'

    class Thread(Model):
        circle = ForeignKeyField(Circle, on_delete='CASCADE')
        author = ForeignKeyField(User, on_delete='CASCADE')
        kind = CharField(max_length=20, default='discussion')
        pinned = BooleanField(default=False)
        last_activity_at = DateTimeField()
        answered_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'thread'

    migrator.migrate(
        migrator.add_column('thread', 'answer_id',
                            ForeignKeyField(Post, field=Post.id, null=True, on_delete='SET NULL')),
    )
    Thread.update(answered_at=None).where(Thread.answered_at.is_null(False)).execute()
    for index in (Thread.index(Thread.circle, Thread.kind, Thread.pinned, Thread.last_activity_at),
                  Thread.index(Thread.circle, Thread.author, Thread.pinned, Thread.last_activity_at)):
        db.execute(index)


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('thread', 'thread_circle_id_kind_pinned_last_activity_at'),
        migrator.drop_index('thread', 'thread_circle_id_author_id_pinned_last_activity_at'),
        migrator.drop_column('thread', 'answer_id'),
    )
