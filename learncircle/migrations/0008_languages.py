"""Languages: each person's chosen language, and notices stored as a kind and parameters.

A person's `language` is empty until they choose one (their browser's then counts). Each stored
notice's English text is read back into its kind and parameters where it is one of the texts
LearnCircle wrote until now, so it too is shown in its reader's language; any other text is kept
as written, as the `text` kind.
"""
import json
import re

from peewee import *

# The texts notices were written in until now (frozen here: later changes to the kinds do not apply).
KNOWN = [
    (re.compile(r'A review of your work in “(?P<round>.*)” arrived\.'), 'review_arrived', {'readable_now': True}),
    (re.compile(r'A review of your work in “(?P<round>.*)” arrived\. You can read it once reviewing closes\.'),
     'review_arrived', {'readable_now': False}),
    (re.compile(r'The author rated your review in “(?P<round>.*)”: (?P<score>[1-5]) out of 5 helpful\.'),
     'review_rated', {}),
    (re.compile(r'A review in “(?P<round>.*)” was flagged as unkind or unhelpful\.'), 'review_flagged', {}),
    (re.compile(r'Reminder: “(?P<round>.*)” is waiting for your submission\.'), 'submission_reminder', {}),
    (re.compile(r'Reminder: you have (?P<count>\d+) reviews? to finish in “(?P<round>.*)”\.'), 'review_reminder', {}),
    (re.compile(r'Reviewing has started in “(?P<round>.*)”: you have (?P<count>\d+) reviews? to do\.'),
     'reviewing_started', {}),
    (re.compile(r'A late submission in “(?P<round>.*)” was given to you to review\.'), 'late_submission_assigned', {}),
    (re.compile(r'You have a new review to do in “(?P<round>.*)”\.'), 'review_assigned', {}),
    (re.compile(r'A facilitator hid your post in “(?P<thread>.*?)”: (?P<reason>.*)', re.DOTALL), 'post_hidden', {}),
]


def kind_of(text):
    """(kind, params) for a notice's stored text."""
    for pattern, kind, extra in KNOWN:
        found = pattern.fullmatch(text)
        if found:
            params = {name: int(value) if name in ('count', 'score') else value
                      for name, value in found.groupdict().items()}
            return kind, {**params, **extra}
    return 'text', {'text': text}


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('user', 'language', CharField(max_length=16, default='')),
        migrator.add_column('notice', 'kind', CharField(max_length=40, default='text')),
        migrator.add_column('notice', 'params', TextField(default='{}')),
    )

    class Notice(Model):
        text = TextField()
        kind = CharField(max_length=40)
        params = TextField()

        class Meta:
            database = db
            table_name = 'notice'

    last = 0
    while True:
        rows = list(Notice.select(Notice.id, Notice.text).where(Notice.id > last).order_by(Notice.id)
                    .limit(500).tuples())
        if not rows:
            break
        for notice_id, text in rows:
            kind, params = kind_of(text or '')
            Notice.update(kind=kind, params=json.dumps(params, ensure_ascii=False, separators=(',', ':'),
                                                       sort_keys=True)).where(Notice.id == notice_id).execute()
        last = rows[-1][0]

    migrator.migrate(migrator.drop_column('notice', 'text'))
