"""The floor: the least Flask + Peewee + Jinja code that renders a thread's first 50 posts.

It reads the same SQLite file as LearnCircle and shows the same content (the thread's title, each
post's author and stored HTML), with nothing else: no login, no layout, no headers. LearnCircle's
figures are reported as a ratio to this app's, measured on the same machine in the same run.

    python bench/floor.py --database PATH --port 8001 --threads 8
"""
import argparse
from pathlib import Path

import peewee
from flask import Flask, abort, render_template

database = peewee.SqliteDatabase(None)


class BaseModel(peewee.Model):
    class Meta:
        database = database


class User(BaseModel):
    display_name = peewee.CharField()

    class Meta:
        table_name = "user"


class Thread(BaseModel):
    title = peewee.CharField()

    class Meta:
        table_name = "thread"


class Post(BaseModel):
    thread = peewee.ForeignKeyField(Thread)
    author = peewee.ForeignKeyField(User)
    number = peewee.IntegerField()
    body_html = peewee.TextField()

    class Meta:
        table_name = "post"


def create_floor_app(database_path):
    """Build the floor app on a SQLite file."""
    database.init(str(database_path))
    app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not database.is_closed():
            database.close()

    @app.route("/t/<int:thread_id>")
    def thread(thread_id):
        found = Thread.get_or_none(Thread.id == thread_id) or abort(404)
        posts = (Post.select(Post, User).join(User).where(Post.thread == found)
                 .order_by(Post.number).limit(50))
        return render_template("floor_thread.html", thread=found, posts=posts)

    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLite file seeded for the benchmark")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    from waitress import serve
    serve(create_floor_app(args.database), host=args.host, port=args.port, threads=args.threads, _quiet=True)


if __name__ == "__main__":
    main()
