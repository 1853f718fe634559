"""Reactions: "Helpful" and "Thanks" on a post, one of each per person (discussions/reactions.py).

Each post keeps how many of each it has, so the thread page reads the counts with its posts; every post has
none yet. The unique index (post, user, kind) refuses a second reaction of a kind and finds a post's reactions.
"""
from peewee import *

COLUMNS = ('helpful_count', 'thanks_count')


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Post(Model):
        class Meta:
            database = db
            table_name = 'post'

    class Reaction(Model):
        post = ForeignKeyField(Post, on_delete='CASCADE', backref='+', index=False)
        user = ForeignKeyField(User, on_delete='CASCADE', backref='+')
        kind = CharField(max_length=20)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'reaction'
            indexes = ((('post', 'user', 'kind'), True),)

    # Added in place with the database's own default (Peewee's add_column would copy the table on SQLite,
    # which its search triggers do not survive, and write every row on PostgreSQL).
    for column in COLUMNS:
        db.execute_sql(f'ALTER TABLE "post" ADD COLUMN "{column}" INTEGER NOT NULL DEFAULT 0')
    db.create_tables([Reaction])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('reaction'))
    for column in COLUMNS:
        db.execute_sql(f'ALTER TABLE "post" DROP COLUMN "{column}"')
