"""Privacy: no pictures from other sites in stored HTML, and addresses nobody can guess for private circles.

Stored Markdown is rendered again with today's renderer, which turns a picture from another site into a
link; only rows that hold a picture are touched. Each private circle's address gets a random ending
(its members find it under "My circles"; invitation links carry tokens, not addresses, so they keep
working), and notices that linked to its old address follow it.
"""
from peewee import *

from learncircle.circles.models import private_slug
from learncircle.text import render_markdown


def up(migrator, db):
    def rendered(table, source, html):
        class Rendered(Model):
            class Meta:
                database = db
                table_name = table
        Rendered._meta.add_field(source, TextField(default=''))
        Rendered._meta.add_field(html, TextField(default=''))
        return Rendered, getattr(Rendered, source), getattr(Rendered, html)

    for table, source, html in (('post', 'body', 'body_html'), ('user', 'bio', 'bio_html'),
                                ('circle', 'goals', 'goals_html'), ('circle', 'conduct', 'conduct_html'),
                                ('review_round', 'brief', 'brief_html'),
                                ('submission_version', 'body', 'body_html'),
                                ('revision_plan', 'body', 'body_html')):
        model, source_field, html_field = rendered(table, source, html)
        rows = list(model.select(model.id, source_field).where(html_field.contains('<img')).tuples())
        for row_id, text in rows:
            model.update({html_field: render_markdown(text)}).where(model.id == row_id).execute()

    class Circle(Model):
        slug = CharField(max_length=60, unique=True)
        visibility = CharField(max_length=10, default='private')
        class Meta:
            database = db
            table_name = 'circle'

    class Notice(Model):
        url = CharField(max_length=500, default='')
        class Meta:
            database = db
            table_name = 'notice'

    for circle_id, old in list(Circle.select(Circle.id, Circle.slug).where(Circle.visibility == 'private').tuples()):
        new = private_slug(old)
        Circle.update(slug=new).where(Circle.id == circle_id).execute()
        before, after = f'/c/{old}', f'/c/{new}'
        for notice_id, url in list(Notice.select(Notice.id, Notice.url)
                                   .where((Notice.url == before) | Notice.url.startswith(before + '/')
                                          | Notice.url.startswith(before + '?')).tuples()):
            Notice.update(url=after + url[len(before):]).where(Notice.id == notice_id).execute()
