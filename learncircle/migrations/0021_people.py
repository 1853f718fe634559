"""Muting and blocking (people/): one row per person, the person they muted or blocked, and which.

The unique index (who, whom, kind) makes a second mute the same as one, and answers the thread page's "did the
reader mute this post's author" and a notice's "did its reader block whoever caused it" from its first columns;
(who, created_at) gives a person's list, newest first.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Block(Model):
        who = ForeignKeyField(User, on_delete='CASCADE', backref='+', index=False)
        whom = ForeignKeyField(User, on_delete='CASCADE', backref='+')
        kind = CharField(max_length=10)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'person_block'
            indexes = ((('who', 'whom', 'kind'), True), (('who', 'created_at'), False))

    db.create_tables([Block])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('person_block'))
