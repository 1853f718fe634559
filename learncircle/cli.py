"""The `learncircle` command: serve, db upgrade/status, and one command per admin task."""
import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import db


def _create_app():
    from . import create_app
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             help="Run and administer a LearnCircle instance.")
def main():
    pass


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
@with_appcontext
def serve(host, port, threads):
    """Apply pending migrations and serve with waitress."""
    from waitress import serve as waitress_serve

    applied = db.upgrade()
    for name in applied:
        click.echo(f"applied migration {name}")
    app = current_app._get_current_object()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"LearnCircle is running at http://{shown}:{port}/  (Ctrl+C to stop)", err=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="LearnCircle", _quiet=True)


@click.group("db")
def db_group():
    """Database migrations."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade():
    """Apply every pending migration."""
    applied = db.upgrade()
    click.echo("\n".join(f"applied {name}" for name in applied) or "the database is up to date")


@db_group.command("status")
@with_appcontext
def db_status():
    """List migrations and when each was applied."""
    for name, applied in db.status():
        click.echo(f"{name}  {applied:%Y-%m-%d %H:%M} applied" if applied else f"{name}  pending")


def init_app(app):
    app.cli.add_command(serve)
    app.cli.add_command(db_group)
