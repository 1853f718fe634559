"""A circle's moderation pages: the review queue and its actions, undoing an action, the moderation log every
member reads, what moderators deleted (for the owner and the instance admins), and the moderation settings.

Every address starts with the circle's: `_load` finds it (a private circle does not exist for outsiders) and
refuses whoever the route is not for, once, before any view runs; the views get the circle.
"""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from .. import errors, web
from ..circles import access as circle_access
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from . import access, actions, conduct, items, logbook, queue, retention  # retention registers moderation.purge
from .links import item_url
from .models import LogEntry
from .queue_forms import ACTION_CHOICES, ActionForm, SettingsForm, UndoForm

bp = Blueprint("moderation", __name__)
KINDS = "any(post,thread,review,member)"

# Who each route is for (403 for the rest of those who may see the circle).
MAY = {"moderation.queue": access.can_review_flags, "moderation.item": access.can_review_flags,
       "moderation.undo": access.can_review_flags, "moderation.log_page": access.can_read_log,
       "moderation.removed": access.can_see_removed, "moderation.settings": access.can_read_moderation_settings}
DONE = {actions.KEPT: _l("Kept: its flags are dismissed."), actions.HIDDEN: _l("Hidden, with your reason."),
        actions.DELETED: _l("Deleted. The circle's owner and the instance admins can restore it for a while."),
        actions.WARNED: _l("Warning sent."), actions.SUSPENDED: _l("Suspended from the circle."),
        actions.REMOVED_MEMBER: _l("Removed from the circle.")}
REMOVED_PER_PAGE = 20


@bp.before_request
def _load():
    """The circle the address names, for those the route is for (after the CSRF check, as every before_request
    of a blueprint runs after the app's)."""
    values = request.view_args
    circle = circle_access.circle_or_404(values.pop("slug"))
    if not MAY[request.endpoint](current_user, circle):
        abort(403)
    values["circle"] = circle


def _user():
    return current_user._get_current_object()


def card_words(circle):
    """What every card of the queue says alike: the flags' reasons, each action's undoing, the code's points."""
    return {"reasons": queue.REASON_LABELS, "hints": {code: hint for code, (_label, hint) in ACTION_CHOICES.items()},
            "points": dict(conduct.points(circle.conduct))}


def _queue_url(circle):
    return url_for("moderation.queue", slug=circle.slug)


# ---- the review queue ---------------------------------------------------------------------------

@bp.route("/c/<slug>/moderation", endpoint="queue")
def queue_page(circle):
    page = web.Page(queue.open_items(circle), web.page_number(), queue.PER_PAGE)
    page.items = queue.entries(circle, page.items)
    return web.render("moderation/queue.html", circle=circle, page=page, forms={
        entry.item.key: ActionForm(item=entry.item, formdata=None) for entry in page.items},
        suspended=list(queue.suspended_now(circle)), item_url=item_url, card=card_words(circle))


@bp.route(f"/c/<slug>/moderation/<{KINDS}:kind>/<int:target_id>", methods=["GET", "POST"])
def item(circle, kind, target_id):
    """One item of the queue with its action form; the action taken (303 back to the queue)."""
    found = items.one(circle, kind, target_id)
    if found is None:
        abort(404)
    form = ActionForm(item=found)
    refusal = None
    if form.validate_on_submit():
        try:
            actions.act(circle, _user(), found, form.action.data, form.reason.data, until=form.suspended_until())
        except actions.Refused as refused:
            refusal = str(refused)
        else:
            message = str(DONE[form.action.data])
            if web.is_fragment_request():
                return web.fragment("moderation/_done.html", circle=circle, item=found, message=message)
            flash(message, "success")
            return web.see_other(_queue_url(circle))
    status = 422 if form.is_submitted() else 200
    entry = queue.entry(circle, found)
    return web.render("moderation/item.html", block="item", status=status, circle=circle, entry=entry, form=form,
                      refusal=refusal, item_url=item_url, card=card_words(circle), inline=web.is_fragment_request())


# ---- undoing ------------------------------------------------------------------------------------

def _entry_or_404(circle, entry_id):
    entry = LogEntry.get_or_none((LogEntry.id == entry_id) & (LogEntry.circle == circle.id))
    if entry is None:
        abort(404)
    return entry


@bp.route("/c/<slug>/moderation/log/<int:entry_id>/undo", methods=["GET", "POST"])
def undo(circle, entry_id):
    """Undo an action of the log: the page says whether it can be, and asks for a reason."""
    entry = _entry_or_404(circle, entry_id)
    if entry.action == actions.DELETED and not access.can_see_removed(current_user, circle):
        return errors.page(403, _("Only the owner can restore"),
                           _("What a moderator deleted is kept for the circle's owner and the instance admins: "
                             "ask the owner to restore it."))
    form = UndoForm()
    state = actions.undoable(circle, entry)
    if state is True and form.validate_on_submit():
        try:
            actions.undo(circle, _user(), entry, form.reason.data)
        except actions.Refused as refused:
            state = str(refused)
        else:
            flash(_("Done: %(action)s", action=logbook.ACTION_LABELS[actions.UNDOING[entry.action]]), "success")
            return web.see_other(url_for("moderation.log_page", slug=circle.slug))
    status = 422 if form.is_submitted() else 200
    line = logbook.lines(circle, [entry], current_user, True, item_url)[0]
    return web.render("moderation/undo.html", status=status, circle=circle, line=line, form=form,
                      refusal=None if state is True else state, UNDO_LABELS=logbook.UNDO_LABELS)


# ---- the log ------------------------------------------------------------------------------------

@bp.route("/c/<slug>/moderation/log", endpoint="log_page")
def log_page(circle):
    moderating = access.can_review_flags(current_user, circle)
    page = web.Page(logbook.entries_for(circle, moderating), web.page_number(), logbook.PER_PAGE)
    page.items = logbook.lines(circle, page.items, current_user, moderating, item_url)
    return web.render("moderation/log.html", block="entries", circle=circle, page=page, moderating=moderating,
                      UNDO_LABELS=logbook.UNDO_LABELS)


# ---- what moderators deleted --------------------------------------------------------------------

@bp.route("/c/<slug>/moderation/removed")
def removed(circle):
    page = web.Page(retention.kept_for(circle), web.page_number(), REMOVED_PER_PAGE)
    return web.render("moderation/removed.html", circle=circle, page=page, original=retention.original)


# ---- settings -----------------------------------------------------------------------------------

@bp.route("/c/<slug>/moderation/settings", methods=["GET", "POST"])
def settings(circle):
    changing = access.can_change_moderation_settings(current_user, circle)
    form = SettingsForm(obj=circle)
    if form.is_submitted() and not changing:
        abort(403)
    if form.validate_on_submit():
        actions.change_settings(circle, _user(), auto_hide_threshold=form.auto_hide_threshold.data,
                                log_names_moderators=form.log_names_moderators.data)
        flash(_("Moderation settings saved."), "success")
        return web.see_other(url_for("moderation.settings", slug=circle.slug))
    status = 422 if form.is_submitted() else 200
    return web.render("moderation/settings.html", status=status, circle=circle, form=form, changing=changing)
