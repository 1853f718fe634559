"""Unread tracking: per member and thread, the number of the last post they saw (discussions/reading.py).
One row per member and thread, so a visit is one upsert and a circle's unread count one join."""
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

    class ReadState(Model):
        user = ForeignKeyField(User, on_delete='CASCADE', backref='+', index=False)
        thread = ForeignKeyField(Thread, on_delete='CASCADE', backref='+')
        last_read = IntegerField()
        class Meta:
            database = db
            table_name = 'read_state'
            indexes = ((('user', 'thread'), True),)

    db.create_tables([ReadState])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('read_state'))
