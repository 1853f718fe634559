'''Live meetings (meetings/): a meeting and its occurrences (a series written out as rows), answers, attendance,
facilitators' reflections; polls with candidate slots and votes for finding a time; each member's calendar feed.

Indexes: a circle's occurrences by start (its upcoming and past meetings), every occurrence by start (the
reminders due, a member's feed), an occurrence's answers by kind and time (the waiting list, first come first
admitted), and one row per person where one answer, vote, attendance or reflection is allowed.
'''
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
        class Meta:
            database = db
            table_name = 'thread'

    class Meeting(Model):
        circle = ForeignKeyField(Circle, backref='+', on_delete='CASCADE')
        organiser = ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
        title = CharField(max_length=200)
        agenda = TextField(default='')
        agenda_html = TextField(default='')
        zone = CharField(max_length=64)
        local_start = DateTimeField()
        duration_minutes = IntegerField()
        link = CharField(max_length=500, default='')
        place = CharField(max_length=300, default='')
        capacity = IntegerField(null=True)
        repeat = CharField(max_length=12, default='once')
        until = DateField(null=True)
        times = IntegerField(null=True)
        rotation = CharField(max_length=200, default='')
        created_at = DateTimeField()
        cancelled_at = DateTimeField(null=True)
        cancel_reason = CharField(max_length=300, default='')

        class Meta:
            database = db
            table_name = 'meeting'
            indexes = ((('circle', 'created_at'), False),)

    class Occurrence(Model):
        meeting = ForeignKeyField(Meeting, backref='occurrences', on_delete='CASCADE')
        circle = ForeignKeyField(Circle, backref='+', on_delete='CASCADE')
        number = IntegerField()
        starts_at = DateTimeField()
        ends_at = DateTimeField()
        slot_start = DateTimeField()
        moved_at = DateTimeField(null=True)
        cancelled_at = DateTimeField(null=True)
        cancel_reason = CharField(max_length=300, default='')
        notes = TextField(default='')
        notes_html = TextField(default='')
        notes_thread = ForeignKeyField(Thread, null=True, backref='+', on_delete='SET NULL')
        notes_at = DateTimeField(null=True)
        attendance_taken_at = DateTimeField(null=True)
        attendance_count = IntegerField(null=True)
        reminded_day_at = DateTimeField(null=True)
        reminded_hour_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'meeting_occurrence'
            indexes = (
                (('meeting', 'number'), True),
                (('circle', 'starts_at'), False),
                (('starts_at',), False),
            )

    class Rsvp(Model):
        occurrence = ForeignKeyField(Occurrence, backref='+', on_delete='CASCADE', index=False)
        user = ForeignKeyField(User, backref='+', on_delete='CASCADE')
        answer = CharField(max_length=10)
        note = CharField(max_length=300, default='')
        asked_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'meeting_rsvp'
            indexes = ((('occurrence', 'user'), True), (('occurrence', 'answer', 'asked_at'), False))

    class Attendance(Model):
        occurrence = ForeignKeyField(Occurrence, backref='+', on_delete='CASCADE', index=False)
        user = ForeignKeyField(User, backref='+', on_delete='CASCADE')

        class Meta:
            database = db
            table_name = 'meeting_attendance'
            indexes = ((('occurrence', 'user'), True),)

    class Reflection(Model):
        occurrence = ForeignKeyField(Occurrence, backref='+', on_delete='CASCADE', index=False)
        author = ForeignKeyField(User, backref='+', on_delete='CASCADE')
        rating = IntegerField()
        went_well = TextField(default='')
        to_change = TextField(default='')
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'meeting_reflection'
            indexes = ((('occurrence', 'author'), True),)

    class Poll(Model):
        circle = ForeignKeyField(Circle, backref='+', on_delete='CASCADE')
        author = ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
        title = CharField(max_length=200)
        zone = CharField(max_length=64)
        duration_minutes = IntegerField()
        weekly = BooleanField(default=False)
        created_at = DateTimeField()
        closed_at = DateTimeField(null=True)
        meeting = ForeignKeyField(Meeting, null=True, backref='+', on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'meeting_poll'
            indexes = ((('circle', 'created_at'), False),)

    class Slot(Model):
        poll = ForeignKeyField(Poll, backref='slots', on_delete='CASCADE', index=False)
        starts_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'meeting_slot'
            indexes = ((('poll', 'starts_at'), True),)

    class Vote(Model):
        slot = ForeignKeyField(Slot, backref='+', on_delete='CASCADE', index=False)
        user = ForeignKeyField(User, backref='+', on_delete='CASCADE')
        answer = CharField(max_length=10)
        voted_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'meeting_vote'
            indexes = ((('slot', 'user'), True),)

    class CalendarFeed(Model):
        user = ForeignKeyField(User, backref='+', on_delete='CASCADE', unique=True)
        token_hash = CharField(max_length=64, unique=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'meeting_calendar_feed'

    db.create_tables([Meeting, Occurrence, Rsvp, Attendance, Reflection, Poll, Slot, Vote, CalendarFeed])


def down(migrator, db):
    for table in ('meeting_calendar_feed', 'meeting_vote', 'meeting_slot', 'meeting_poll', 'meeting_reflection',
                  'meeting_attendance', 'meeting_rsvp', 'meeting_occurrence', 'meeting'):
        migrator.migrate(migrator.drop_table(table))
