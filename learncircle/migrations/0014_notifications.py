"""Notification levels: per member and thread (watching, normal or muted; authors and repliers watch by
default), and per member and circle, on the membership (normal unless they choose)."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Thread(Model):
        class Meta:
            database = db
            table_name = 'thread'

    class ThreadWatch(Model):
        user = ForeignKeyField(User, on_delete='CASCADE', backref='+', index=False)
        thread = ForeignKeyField(Thread, on_delete='CASCADE', backref='+')
        level = CharField(max_length=10)
        class Meta:
            database = db
            table_name = 'thread_watch'
            indexes = ((('user', 'thread'), True),)

    # In place with the database's own default: no table copy on SQLite, no rewrite on PostgreSQL.
    db.execute_sql('ALTER TABLE "membership" ADD COLUMN "notify_level" VARCHAR(10) NOT NULL DEFAULT \'normal\'')
    db.create_tables([ThreadWatch])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('thread_watch'))
    db.execute_sql('ALTER TABLE "membership" DROP COLUMN "notify_level"')
