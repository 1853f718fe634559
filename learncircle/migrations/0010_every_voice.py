""""Every voice", the facilitators' view of who has not been heard: the welcomes and check-ins sent (one row
per member and circle, the latest), and two indexes that give its lists in the order shown: a circle's
questions with no reply yet, newest first, and a circle's members by when they joined.
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

    class Thread(Model):
        circle = ForeignKeyField(Circle, on_delete='CASCADE')
        kind = CharField(max_length=20, default='discussion')
        post_count = IntegerField(default=0)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'thread'

    class Membership(Model):
        circle = ForeignKeyField(Circle, on_delete='CASCADE')
        role = CharField(max_length=20, default='member')
        joined_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'membership'

    class Greeting(Model):
        circle = ForeignKeyField(Circle, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        kind = CharField(max_length=20)
        sent_by = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        sent_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'greeting'
            indexes = ((('circle', 'user'), True),)

    db.create_tables([Greeting])
    for index in (Thread.index(Thread.circle, Thread.kind, Thread.post_count, Thread.created_at),
                  Membership.index(Membership.circle, Membership.role, Membership.joined_at)):
        db.execute(index)


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('thread', 'thread_circle_id_kind_post_count_created_at'),
        migrator.drop_index('membership', 'membership_circle_id_role_joined_at'),
        migrator.drop_table('greeting'),
    )
