"""Peer review (rounds, rubrics, submissions and versions, assignments, reviews, revision plans)
and in-app notices."""
from peewee import *

# Python-side defaults (clock.now) live in the models; the schema needs none.

def up(migrator, db):
    class Circle(Model):
        class Meta:
            database = db
            table_name = 'circle'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class ReviewRound(Model):
        circle = ForeignKeyField(Circle, on_delete='CASCADE')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        title = CharField(max_length=200)
        brief = TextField(default='')
        brief_html = TextField(default='')
        submission_format = CharField(max_length=10, default='text')
        reviews_per_submission = IntegerField(default=3)
        reviewer_pool = CharField(max_length=20, default='submitters')
        anonymity = CharField(max_length=20, default='reviewers_hidden')
        submission_deadline = DateTimeField()
        review_deadline = DateTimeField()
        accept_late = BooleanField(default=True)
        results_release = CharField(max_length=20, default='as_arrive')
        min_prompt_length = IntegerField(default=40)
        published_at = DateTimeField(null=True)
        reviewing_started_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)
        allocated_at = DateTimeField(null=True)
        allocation_notes = TextField(default='')
        copied_rubric_from = ForeignKeyField('self', null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'review_round'
            indexes = ((('circle', 'created_at'), False),)
    db.create_tables([ReviewRound])

    class Submission(Model):
        round = ForeignKeyField(ReviewRound, on_delete='CASCADE')
        author = ForeignKeyField(User, on_delete='CASCADE')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        is_late = BooleanField(default=False)
        version_count = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'submission'
            indexes = ((('round', 'author'), True),)
    db.create_tables([Submission])

    class Assignment(Model):
        round = ForeignKeyField(ReviewRound, on_delete='CASCADE')
        submission = ForeignKeyField(Submission, on_delete='CASCADE')
        reviewer = ForeignKeyField(User, on_delete='CASCADE')
        slot = IntegerField()
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'assignment'
            indexes = ((('submission', 'reviewer'), True), (('reviewer', 'round'), False))
    db.create_tables([Assignment])

    class Criterion(Model):
        round = ForeignKeyField(ReviewRound, on_delete='CASCADE')
        position = IntegerField()
        name = CharField(max_length=100)
        description = TextField(default='')
        kind = CharField(max_length=10, default='scale')
        levels = TextField(default='[]')
        class Meta:
            database = db
            table_name = 'criterion'
            indexes = ((('round', 'position'), False),)
    db.create_tables([Criterion])

    class Review(Model):
        assignment = ForeignKeyField(Assignment, unique=True, on_delete='CASCADE')
        status = CharField(max_length=10, default='draft')
        what_works = TextField(default='')
        could_be_better = TextField(default='')
        submitted_at = DateTimeField(null=True)
        is_late = BooleanField(default=False)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        helpfulness = IntegerField(null=True)
        helpfulness_note = TextField(default='')
        rated_at = DateTimeField(null=True)
        flagged_at = DateTimeField(null=True)
        flag_reason = TextField(default='')
        flagged_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        hidden_at = DateTimeField(null=True)
        hidden_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'review'
    db.create_tables([Review])

    class CriterionResponse(Model):
        review = ForeignKeyField(Review, on_delete='CASCADE')
        criterion = ForeignKeyField(Criterion, on_delete='CASCADE')
        level = IntegerField(null=True)
        comment = TextField(default='')
        class Meta:
            database = db
            table_name = 'criterion_response'
            indexes = ((('review', 'criterion'), True),)
    db.create_tables([CriterionResponse])

    class Notice(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        circle = ForeignKeyField(Circle, null=True, on_delete='CASCADE')
        text = TextField()
        url = CharField(max_length=500, default='')
        created_at = DateTimeField()
        read_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'notice'
            indexes = ((('user', 'read_at', 'created_at'), False),)
    db.create_tables([Notice])

    class RevisionPlan(Model):
        submission = ForeignKeyField(Submission, unique=True, on_delete='CASCADE')
        body = TextField(default='')
        body_html = TextField(default='')
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'revision_plan'
    db.create_tables([RevisionPlan])

    class SubmissionVersion(Model):
        submission = ForeignKeyField(Submission, on_delete='CASCADE')
        number = IntegerField()
        body = TextField(default='')
        body_html = TextField(default='')
        link = CharField(max_length=2000, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'submission_version'
            indexes = ((('submission', 'number'), True),)
    db.create_tables([SubmissionVersion])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('submission_version'))
    migrator.migrate(migrator.drop_table('revision_plan'))
    migrator.migrate(migrator.drop_table('notice'))
    migrator.migrate(migrator.drop_table('criterion_response'))
    migrator.migrate(migrator.drop_table('review'))
    migrator.migrate(migrator.drop_table('criterion'))
    migrator.migrate(migrator.drop_table('assignment'))
    migrator.migrate(migrator.drop_table('submission'))
    migrator.migrate(migrator.drop_table('review_round'))
