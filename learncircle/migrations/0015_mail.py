"""Email: the outbox every mail goes through, each member's choice per category of mail, and when their
last digests went."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Outbox(Model):
        user = ForeignKeyField(User, null=True, on_delete='CASCADE', backref='+')
        address = CharField(max_length=254)
        kind = CharField(max_length=40)
        subject = CharField(max_length=300)
        text = TextField()
        html = TextField()
        headers = TextField(default='{}')
        message_id = CharField(max_length=200)
        created_at = DateTimeField()
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField()
        claimed_at = DateTimeField(null=True)
        claimed_by = CharField(max_length=40, default='')
        sent_at = DateTimeField(null=True)
        last_error = TextField(default='')
        class Meta:
            database = db
            table_name = 'mail_outbox'
            indexes = ((('sent_at', 'next_attempt_at'), False),)

    class MailPreference(Model):
        user = ForeignKeyField(User, on_delete='CASCADE', backref='+', index=False)
        category = CharField(max_length=20)
        frequency = CharField(max_length=10)
        class Meta:
            database = db
            table_name = 'mail_preference'
            indexes = ((('user', 'category'), True),)

    class MailDigest(Model):
        user = ForeignKeyField(User, on_delete='CASCADE', backref='+', unique=True)
        daily_at = DateTimeField(null=True)
        weekly_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'mail_digest'

    class PendingAccount(Model):
        nonce = CharField(max_length=64)
        username = CharField(max_length=30)
        email = CharField(max_length=254)
        display_name = CharField(max_length=80, default='')
        timezone = CharField(max_length=64, default='UTC')
        password_hash = CharField(max_length=255)
        invite = CharField(max_length=200, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'mail_pending_account'
            indexes = ((('created_at',), False),)

    db.create_tables([Outbox, MailPreference, MailDigest, PendingAccount])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('mail_pending_account'), migrator.drop_table('mail_digest'),
                     migrator.drop_table('mail_preference'),
                     migrator.drop_table('mail_outbox'))
