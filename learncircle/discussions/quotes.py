"""Quoting a post in a reply: its Markdown source as a block quote, headed by its author and a link back."""
import re

from ..accounts.models import User
from ..i18n import gettext as _
from .models import BODY_MAX, Post

# CommonMark lets a backslash escape any ASCII punctuation: a name like "*Ana*" or "[Ana](x)" stays a name.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def quote(thread, post_id):
    """The Markdown that quotes a post of thread, to begin a reply with, or None when there is nothing to
    quote: a post of another thread, a deleted one, or one a facilitator hid (even from its author and
    the moderators who can still read it: a quote would show it to the whole circle again)."""
    if not 0 < post_id < 2**63:  # no such id, and no number too large for the database to compare
        return None
    found = (Post.select(Post.id, Post.body, User.display_name)
             .join(User, on=(Post.author == User.id))
             .where((Post.id == post_id) & (Post.thread == thread.id) & Post.deleted_at.is_null()
                    & Post.hidden_at.is_null())
             .tuples().first())
    if found is None:
        return None
    post_id, body, name = found
    bold_name, address = "**" + _PUNCTUATION.sub(r"\\\1", name) + "**", f"/p/{post_id}"
    # TRANSLATORS: Markdown heading a quoted post: keep [the link's words](%(url)s) in brackets, then the address.
    heading = _("%(name)s [wrote](%(url)s):", name=bold_name, url=address)
    lines = [heading, "", *body.splitlines()]
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in lines)
    return (quoted + "\n\n")[:BODY_MAX]
