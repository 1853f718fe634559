"""`learncircle remind`: the meetings' reminders that are due, sent once, for cron or a systemd timer where the
server's own background run (housekeeping) is not used, or beside it: no reminder is sent twice."""
import click
from flask.cli import with_appcontext

from .. import db
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..i18n import ngettext
from . import reminders


@click.command(help=_l("Send the meetings' reminders that are due (a day before, and within the hour before), "
                       "then stop.\n\nFor cron or a systemd timer, every few minutes: `learncircle serve` does the "
                       "same every 5 minutes. Running both is safe: no reminder is sent twice."))
@with_appcontext
def remind():
    """Send the due reminders once (what --help says is above)."""
    with db.database.connection_context():
        for name in db.upgrade():
            click.echo(_("applied migration %(name)s", name=name))
        sent = reminders.remind()
    click.echo(ngettext("%(num)d reminder sent.", "%(num)d reminders sent.", sent))
