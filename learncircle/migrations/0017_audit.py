"""The instance's audit log (audit.py): admin and moderation actions with who, when and from where."""
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

    class AuditEvent(Model):
        created_at = DateTimeField()
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        actor_name = CharField(max_length=80, default='')
        address = CharField(max_length=45, default='')
        action = CharField(max_length=40)
        circle = ForeignKeyField(Circle, null=True, on_delete='SET NULL', backref='+')
        subject = CharField(max_length=200, default='')
        reason = CharField(max_length=300, default='')
        class Meta:
            database = db
            table_name = 'audit_event'
            indexes = ((('created_at',), False), (('circle', 'created_at'), False))

    db.create_tables([AuditEvent])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('audit_event'))
