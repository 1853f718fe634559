"""Moderation (moderation/): members' flags, the circle's moderation log, what moderators deleted (kept for a
while), each circle's auto-hide threshold and whether its log names moderators, and suspensions from a circle."""
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

    class Flag(Model):
        circle = ForeignKeyField(Circle, on_delete='CASCADE', backref='+')
        target_kind = CharField(max_length=10)
        target_id = IntegerField()
        flagger = ForeignKeyField(User, on_delete='CASCADE', backref='+')
        reason = CharField(max_length=12)
        conduct_point = IntegerField(null=True)
        note = CharField(max_length=500, default='')
        created_at = DateTimeField()
        resolved_at = DateTimeField(null=True)
        resolution = CharField(max_length=20, default='')
        class Meta:
            database = db
            table_name = 'flag'
            indexes = ((('flagger', 'target_kind', 'target_id'), True),
                       (('target_kind', 'target_id', 'resolved_at'), False),
                       (('circle', 'resolved_at', 'created_at'), False))

    class LogEntry(Model):
        circle = ForeignKeyField(Circle, on_delete='CASCADE', backref='+')
        created_at = DateTimeField()
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        actor_role = CharField(max_length=12)
        action = CharField(max_length=20)
        target_kind = CharField(max_length=10, default='')
        target_id = IntegerField(null=True)
        target_user = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        reason = CharField(max_length=300, default='')
        until = DateTimeField(null=True)
        reverses = ForeignKeyField('self', null=True, on_delete='SET NULL', backref='+')
        class Meta:
            database = db
            table_name = 'moderation_entry'
            indexes = ((('circle', 'created_at'), False), (('circle', 'target_user', 'created_at'), False),
                       (('target_kind', 'target_id'), False))

    class Removed(Model):
        circle = ForeignKeyField(Circle, on_delete='CASCADE', backref='+')
        target_kind = CharField(max_length=10)
        target_id = IntegerField()
        author = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        title = CharField(max_length=200, default='')
        body = TextField(default='')
        removed_at = DateTimeField()
        entry = ForeignKeyField(LogEntry, null=True, on_delete='SET NULL', backref='+')
        purge_after = DateTimeField()
        restored_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'removed_content'
            indexes = ((('target_kind', 'target_id'), False), (('purge_after',), False))

    db.create_tables([Flag, LogEntry, Removed])
    # In place with the database's own defaults (no table copy on SQLite, where a boolean is an integer).
    boolean = 'BOOLEAN' if isinstance(db, PostgresqlDatabase) else 'INTEGER'
    for statement in (
        'ALTER TABLE "circle" ADD COLUMN "auto_hide_threshold" INTEGER NOT NULL DEFAULT 2',
        f'ALTER TABLE "circle" ADD COLUMN "log_names_moderators" {boolean} NOT NULL DEFAULT FALSE',
        'ALTER TABLE "membership" ADD COLUMN "suspended_reason" VARCHAR(300) NOT NULL DEFAULT \'\'',
    ):
        db.execute_sql(statement)
    migrator.migrate(migrator.add_column('membership', 'suspended_until', DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_table('removed_content'), migrator.drop_table('moderation_entry'),
                     migrator.drop_table('flag'))
    for table, column in (("circle", "auto_hide_threshold"), ("circle", "log_names_moderators"),
                          ("membership", "suspended_reason"), ("membership", "suspended_until")):
        db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
