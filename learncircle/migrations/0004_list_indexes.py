"""Indexes that give three lists in the order they are shown, so a page reads only the rows it shows:
a person's notices newest first, the public circles most populous first, a circle's invitation links
newest first."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Circle(Model):
        visibility = CharField(max_length=10)
        member_count = IntegerField()
        class Meta:
            database = db
            table_name = 'circle'

    class Notice(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'notice'

    class Invitation(Model):
        circle = ForeignKeyField(Circle, on_delete='CASCADE')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'invitation'

    for index in (Notice.index(Notice.user, Notice.created_at),
                  Circle.index(Circle.visibility, Circle.member_count.desc(), Circle.id),
                  Invitation.index(Invitation.circle, Invitation.created_at)):
        db.execute(index)


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('notice', 'notice_user_id_created_at'),
        migrator.drop_index('circle', 'circle_visibility_member_count_id'),
        migrator.drop_index('invitation', 'invitation_circle_id_created_at'),
    )
