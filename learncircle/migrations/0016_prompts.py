"""Scheduled prompts: a thread a facilitator wrote ahead publishes itself at `publish_at` (NULL for every
other thread). The clock decides on each request; the index gives a circle's scheduled prompts in order."""
from peewee import *


def up(migrator, db):
    class Circle(Model):
        class Meta:
            database = db
            table_name = 'circle'

    class Thread(Model):
        circle = ForeignKeyField(Circle, on_delete='CASCADE')
        publish_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'thread'

    # A nullable column: added in place on SQLite too (no table copy, so the search triggers stay).
    migrator.migrate(migrator.add_column('thread', 'publish_at', DateTimeField(null=True)))
    db.execute(Thread.index(Thread.circle, Thread.publish_at))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('thread', 'thread_circle_id_publish_at'),
        migrator.drop_column('thread', 'publish_at'),
    )
