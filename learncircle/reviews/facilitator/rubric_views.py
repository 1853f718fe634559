"""The facilitator's rubric builder: adding, editing, moving and removing criteria in place (htmx)
or through plain forms, and copying an earlier round's rubric. Once reviewers are allocated the
rubric is fixed, and every change says so.

For the people who run the round its address names: `_load` refuses everyone else, once, before
any view runs (see reviews.loading); the views receive the round and the criterion.
"""
from flask import Blueprint, abort, request, url_for
from flask_login import current_user

from ... import web
from ...i18n import gettext as _
from .. import loading, rubric
from ..rules import Refused, ValidationError
from . import queries
from .forms import ButtonForm, CriterionForm, MoveForm

bp = Blueprint("reviews_rubric", __name__)

NEW_CRITERION = "new-criterion"
# A criterion removed twice (a double click) is no error: the second removal shows the rubric as it is.
MAY_BE_GONE = {"remove_criterion"}


@bp.before_request
def _load():
    """The round (and criterion) the address names, for those who run it: see reviews.loading."""
    loading.for_managers({}, may_be_gone=MAY_BE_GONE)


def _rubric_url(round, criterion=None):
    anchor = f"criterion-{criterion.id}" if criterion is not None else None
    return url_for("reviews_rubric.builder", round_id=round.id, _anchor=anchor)


def _rubric_context(round, **overrides):
    context = dict(round=round, circle=round.circle, criteria=round.rubric(), editors={}, problem=None,
                   new_form=CriterionForm(formdata=None, prefix=NEW_CRITERION),
                   sources=queries.rubric_sources(round.circle, exclude=round))
    context.update(overrides)
    return context


def _rubric_response(round, status=200, **overrides):
    """The builder page, or only the rubric (#rubric-<id>) for htmx."""
    return web.render("reviews/rubric.html", block="rubric", status=status, **_rubric_context(round, **overrides))


def _rubric_problem(round, problem):
    """Say why the rubric cannot change; htmx puts the whole rubric (now without edit buttons) in place."""
    context = _rubric_context(round, problem=problem)
    if web.is_fragment_request():
        return web.fragment("reviews/rubric.html", status=422, block="rubric", retarget=f"#rubric-{round.id}",
                            reswap="outerHTML", **context)
    return web.render("reviews/rubric.html", status=422, **context)


def _criterion_response(round, criterion, editor=None, status=200):
    """One criterion (#criterion-<id>) for htmx, shown or in its edit form; it takes the focus."""
    ids = [c.id for c in round.rubric()]
    return web.fragment("reviews/_criterion.html", status=status, round=round, criterion=criterion,
                        index=ids.index(criterion.id) + 1, count=len(ids), editor=editor, focus=True)


def _editor(criterion, **kwargs):
    return CriterionForm(criterion=criterion, prefix=f"criterion-{criterion.id}", **kwargs)


@bp.route("/r/<int:round_id>/rubric")
def builder(round):
    return _rubric_response(round)


@bp.route("/r/<int:round_id>/rubric/criteria", methods=["POST"])
def add_criterion(round):
    form = CriterionForm(prefix=NEW_CRITERION)
    if form.validate():
        try:
            criterion = queries.add_criterion_once(round, form.criterion(), form_key=form.form_key.data,
                                                   user=current_user._get_current_object())
        except ValidationError as error:
            form.show_errors(error.errors)
        except Refused as error:
            return _rubric_problem(round, str(error))
        else:
            if not web.is_fragment_request():
                return web.see_other(_rubric_url(round, criterion))
            return _rubric_response(round, focus_id=criterion.id)
    if web.is_fragment_request():
        # Only the form comes back, so criteria being edited elsewhere on the page keep what was typed.
        return web.fragment("reviews/_new_criterion.html", status=422, retarget=f"#rubric-{round.id}-new",
                            reswap="outerHTML", round=round, new_form=form)
    return _rubric_response(round, status=422, new_form=form)


@bp.route("/r/<int:round_id>/rubric/criteria/<int:criterion_id>", methods=["GET"], endpoint="criterion")
def show_criterion(round, criterion):
    """A criterion as shown in the builder: htmx gets it alone (to end an edit), others the builder."""
    if not web.is_fragment_request():
        return web.see_other(_rubric_url(round, criterion))
    return _criterion_response(round, criterion)


@bp.route("/r/<int:round_id>/rubric/criteria/<int:criterion_id>/edit")
def criterion_editor(round, criterion):
    """The edit form of a criterion: in place for htmx, in the builder page otherwise."""
    if round.rubric_locked:
        return _rubric_problem(round, _("The rubric is fixed once reviewing has started."))
    editor = _editor(criterion, formdata=None)
    if web.is_fragment_request():
        return _criterion_response(round, criterion, editor=editor)
    return _rubric_response(round, editors={criterion.id: editor})


@bp.route("/r/<int:round_id>/rubric/criteria/<int:criterion_id>", methods=["POST"])
def edit_criterion(round, criterion):
    form = _editor(criterion)
    if form.validate():
        try:
            rubric.edit_criterion(criterion, form.criterion())
        except ValidationError as error:
            form.show_errors(error.errors)
        except Refused as error:
            return _rubric_problem(round, str(error))
        else:
            if not web.is_fragment_request():
                return web.see_other(_rubric_url(round, criterion))
            return _criterion_response(round, criterion)
    criterion = loading.found(loading.criterion_in_round(round, criterion.id))  # as stored, beside what was typed
    if web.is_fragment_request():
        return _criterion_response(round, criterion, editor=form, status=422)
    return _rubric_response(round, status=422, editors={criterion.id: form})


def _rubric_changed(round, change, focus_id=None):
    """Run a change to the whole rubric; answer with the rubric (htmx: the criterion focus_id names takes
    the focus, else the rubric's heading) or a redirect back to the builder."""
    try:
        change()
    except Refused as error:
        return _rubric_problem(round, str(error))
    if web.is_fragment_request():
        return _rubric_response(round, focus_id=focus_id, focus_rubric=focus_id is None)
    return web.see_other(_rubric_url(round))


@bp.route("/r/<int:round_id>/rubric/criteria/<int:criterion_id>/remove", methods=["POST"])
def remove_criterion(round, criterion):
    ButtonForm.check()
    if criterion is None:
        # Already removed (a double click): the rubric as it now is.
        return _rubric_changed(round, lambda: None)
    return _rubric_changed(round, lambda: rubric.remove_criterion(criterion))


@bp.route("/r/<int:round_id>/rubric/criteria/<int:criterion_id>/move", methods=["POST"])
def move_criterion(round, criterion):
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    return _rubric_changed(round, lambda: rubric.move_criterion(criterion, form.offset), focus_id=criterion.id)


@bp.route("/r/<int:round_id>/rubric/copy", methods=["POST"])
def copy_rubric(round):
    ButtonForm.check()
    sources = {source.id: source for source in queries.rubric_sources(round.circle, exclude=round)}
    chosen = request.form.get("source", type=int)
    if chosen not in sources:
        return _rubric_problem(round, _("Choose an earlier round of this circle that has a rubric."))
    return _rubric_changed(round, lambda: rubric.copy_rubric(sources[chosen], round))
