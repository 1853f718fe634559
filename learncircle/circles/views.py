"""Circles: the start page, circle home, settings, members, joining and invitations."""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user, login_required
from peewee import IntegrityError

from .. import errors, limits, site, web
from ..discussions import access as discussion_access
from ..discussions import muting, prompts, reading
from ..discussions.models import SHOW_ALL, SHOWS, THREADS_PER_PAGE, Thread
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..moderation import hooks as moderation_hooks
from ..moderation import visibility
from ..reviews.pending import pending_for
from . import access
from .forms import (AcceptConductForm, ButtonForm, CircleForm, CircleSettingsForm, InvitationForm,
                    RemoveMemberForm, RoleForm, TransferForm)
from .models import FACILITATOR, PUBLIC, AlreadyMember, Circle, Invitation, Membership, expiry_from_days, slugify

bp = Blueprint("circles", __name__)

CIRCLES_PER_PAGE = 25
MEMBERS_PER_PAGE = 50
INVITATIONS_PER_PAGE = 25
SLUG_TAKEN = _l("That address is taken; choose another.")


def _refuse(title, message):
    """Answer 403 with a message that says why, in the error page's shape."""
    return errors.page(403, title, message)


@bp.errorhandler(429)
def _too_many_links(error):
    """Over the invitation-link budget: the invitations page again, the choices kept, and why."""
    if not limits.wants_form_again(error) or request.endpoint != "circles.invitations":
        return limits.refusal(error)
    circle = access.circle_or_404(request.view_args["slug"])
    if not access.can_invite(current_user, circle):
        abort(403)
    flash(error.description, "error")
    links = web.Page(Invitation.listing(circle), web.page_number(), INVITATIONS_PER_PAGE)
    return web.render("circles/invitations.html", status=429, circle=circle, form=InvitationForm(), links=links,
                      invitation_url=_invitation_url, address_mismatch=site.address_mismatch())


def _home_url(circle):
    return url_for("circles.circle", slug=circle.slug)


# ---- start page and creation --------------------------------------------------------------------

@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return web.render("circles/welcome.html")
    mine = web.Page(Circle.of_user(current_user), web.page_number("mine"), CIRCLES_PER_PAGE)
    new_posts = {} if web.is_fragment_request() else reading.unread_by_circle(current_user, [c.id for c in mine.items])
    public = web.Page(Circle.discoverable(current_user), web.page_number(), CIRCLES_PER_PAGE)
    pending = [] if web.is_fragment_request() else pending_for(current_user)
    return web.render("circles/start.html", block="public_circles", mine=mine, public=public, pending=pending,
                      new_posts=new_posts)


@bp.route("/circles/new", methods=["GET", "POST"])
@login_required
def new():
    form = CircleForm()
    if form.validate_on_submit():
        if not form.slug.data:
            # A private address gets a random ending anyway: no need to step around others' addresses.
            public = form.visibility.data == PUBLIC
            form.slug.data = Circle.suggest_slug(form.name.data) if public else slugify(form.name.data)
        try:
            circle = Circle.found(owner=current_user, slug=form.slug.data, **form.settings())
        except IntegrityError:
            form.slug.errors.append(SLUG_TAKEN)
        else:
            flash(_("%(name)s is ready. Invite people with a link from its invitations page.", name=circle.name),
                  "success")
            return web.see_other(_home_url(circle))
    status = 422 if form.is_submitted() else 200
    return web.render("circles/new.html", status=status, form=form)


# ---- one circle ---------------------------------------------------------------------------------

@bp.route("/c/<slug>")
def circle(slug):
    circle = access.circle_or_404(slug)
    show = request.args.get("show", SHOW_ALL)
    if show not in SHOWS:
        show = SHOW_ALL  # an old or mistyped link shows every thread
    membership = access.membership(current_user, circle)
    listed = muting.mark_threads(reading.with_read_state(Thread.filtered(circle, show, current_user), current_user),
                                 current_user)
    # Hidden threads (moderation/): listed for their author and the circle's moderators only.
    listed = visibility.threads_shown(listed, current_user.id if current_user.is_authenticated else None,
                                      access.can_moderate(current_user, circle))
    threads = web.Page(listed, web.page_number(), THREADS_PER_PAGE)
    reading.annotate(threads.items, membership.joined_at if membership else None)
    # The list's own rows say whether there is anything new (what is new was active last, so it heads the
    # list); My circles counts a circle's new posts, here that would be one more query on every visit.
    has_new = any(thread.unread for thread in threads.items)
    # Only members have work waiting, and an htmx page of threads does not show it (nor scheduled prompts).
    inline = web.is_fragment_request()
    schedules = not inline and discussion_access.can_schedule_prompts(current_user, circle)
    scheduled = list(prompts.scheduled(circle)) if schedules else []
    show_pending = membership is not None and not inline
    return web.render("circles/home.html", block="threads", circle=circle, threads=threads, membership=membership,
                      pending=pending_for(current_user, circle) if show_pending else [], show=show, inline=inline,
                      has_new=has_new, scheduled=scheduled)


@bp.route("/c/<slug>/settings", methods=["GET", "POST"])
def settings(slug):
    circle = access.circle_or_404(slug)
    if not access.can_manage(current_user, circle):
        abort(403)
    form = CircleSettingsForm(obj=circle)
    if form.validate_on_submit():
        new_slug = form.slug.data or circle.slug
        try:
            circle.update_settings(slug=new_slug, **form.settings())
        except IntegrityError:
            form.slug.errors.append(SLUG_TAKEN)
            circle = Circle.by_slug(slug)  # the failed save left the in-memory copy changed
        else:
            if circle.slug != slug:
                flash(_("Settings saved. The circle's address is now %(address)s; the old one no longer "
                        "leads here (invitation links still work).", address=_home_url(circle)), "success")
            else:
                flash(_("Settings saved."), "success")
            return web.see_other(_home_url(circle))
    status = 422 if form.is_submitted() else 200
    return web.render("circles/settings.html", status=status, circle=circle, form=form)


# ---- members ------------------------------------------------------------------------------------

def _target_membership(circle, membership_id):
    target = Membership.in_circle(circle, membership_id)
    if target is None:
        abort(404)
    return target


def _members_response(circle, target):
    """After a change to one member: their row (none once removed) for htmx, the roster page otherwise."""
    if not web.is_fragment_request():
        return web.see_other(url_for("circles.members", slug=circle.slug))
    if target is None:
        return web.fragment(None)  # an empty swap takes the row away
    return web.fragment("circles/_member.html", circle=circle, entry=target)


@bp.route("/c/<slug>/members")
def members(slug):
    circle = access.circle_or_404(slug)
    if not access.can_see_members(current_user, circle):
        abort(403)
    roster = web.Page(Membership.roster(circle), web.page_number(), MEMBERS_PER_PAGE)
    return web.render("circles/members.html", block="roster", circle=circle, roster=roster)


@bp.route("/c/<slug>/members/<int:membership_id>/role", methods=["POST"])
def change_role(slug, membership_id):
    circle = access.circle_or_404(slug)
    if not access.can_manage(current_user, circle):
        abort(403)
    target = _target_membership(circle, membership_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    if target.is_owner:
        return _refuse(_("Ownership moves by transfer"),
                       _("To hand the circle over, use “Make owner” on another member."))
    target.set_role(form.role.data)
    if not web.is_fragment_request():
        name = target.user.display_name
        flash(_("%(name)s is now a facilitator.", name=name) if target.role == FACILITATOR
              else _("%(name)s is now a member.", name=name), "success")
    return _members_response(circle, target)


@bp.route("/c/<slug>/members/<int:membership_id>/remove", methods=["POST"])
def remove_member(slug, membership_id):
    circle = access.circle_or_404(slug)
    target = _target_membership(circle, membership_id)
    if not access.can_remove(current_user, circle, target):
        abort(403)
    form = RemoveMemberForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(" ".join(str(error) for error in form.reason.errors), "error")  # the field is required in the page
        return web.see_other(url_for("circles.members", slug=circle.slug))
    target.remove()
    moderation_hooks.member_removed(circle, current_user._get_current_object(), target, form.reason.data)  # logged
    if not web.is_fragment_request():
        flash(_("%(name)s is no longer a member.", name=target.user.display_name), "success")
    return _members_response(circle, None)


@bp.route("/c/<slug>/transfer", methods=["POST"])
def transfer(slug):
    circle = access.circle_or_404(slug)
    if not access.can_manage(current_user, circle):
        abort(403)
    form = TransferForm()
    if not form.validate_on_submit():
        abort(400)
    target = _target_membership(circle, int(form.membership_id.data))
    if target.user_id == current_user.id:
        abort(400)
    try:
        access.membership(current_user, circle).transfer_ownership(target)
    except ValueError:
        abort(403)  # someone else handed the circle over first
    flash(_("%(name)s now owns %(circle)s; you stay on as a facilitator.", name=target.user.display_name,
            circle=circle.name), "success")
    return web.see_other(url_for("circles.members", slug=circle.slug))


# ---- joining and leaving ------------------------------------------------------------------------

@bp.route("/c/<slug>/join", methods=["GET", "POST"])
def join(slug):
    circle = access.circle_or_404(slug)
    if access.membership(current_user, circle) is not None:
        flash(_("You are already a member of %(circle)s.", circle=circle.name), "info")
        return web.see_other(_home_url(circle))
    if not access.can_join(current_user, circle):
        abort(403)
    form = AcceptConductForm()
    if form.validate_on_submit():
        try:
            Membership.join(user=current_user, circle=circle)
        except AlreadyMember:
            flash(_("You are already a member of %(circle)s.", circle=circle.name), "info")
        else:
            flash(_("Welcome to %(circle)s!", circle=circle.name), "success")
        return web.see_other(_home_url(circle))
    status = 422 if form.is_submitted() else 200
    return web.render("circles/join.html", status=status, circle=circle, form=form,
                      action=url_for("circles.join", slug=circle.slug))


@bp.route("/c/<slug>/leave", methods=["GET", "POST"])
def leave(slug):
    """Leave a circle: a page (or, with htmx, a box in place) that says what it means, then the real form."""
    circle = access.circle_or_404(slug)
    found = access.membership(current_user, circle)
    if found is None:
        abort(403)
    if found.is_owner:
        return _refuse(_("Transfer ownership first"),
                       _("An owner cannot leave their circle. Make another member the owner on the members page, "
                         "then leave."))
    if request.method == "GET":
        return web.render("circles/leave.html", block="confirm", circle=circle, membership=found,
                          inline=web.is_fragment_request())
    if not ButtonForm().validate_on_submit():
        abort(400)
    found.leave()
    flash(_("You left %(circle)s.", circle=circle.name), "success")
    return web.see_other(url_for("circles.home"))


# ---- invitation links ---------------------------------------------------------------------------

def _invitation_url(invitation):
    return site.absolute(url_for("circles.invitation", token=invitation.token))


@bp.route("/c/<slug>/invitations", methods=["GET", "POST"])
@limits.invitations
def invitations(slug):
    circle = access.circle_or_404(slug)
    if not access.can_invite(current_user, circle):
        abort(403)
    form = InvitationForm()
    if form.is_submitted() and form.role.data == FACILITATOR \
            and not access.can_invite_facilitators(current_user, circle):
        abort(403)
    if form.validate_on_submit():
        Invitation.make(circle=circle, created_by=current_user, role=form.role.data,
                        expires_at=expiry_from_days(form.expires_in_days.data), max_uses=form.max_uses.data)
        flash(_("Invitation link created. Copy it from the list below."), "success")
        return web.see_other(url_for("circles.invitations", slug=circle.slug))
    links = web.Page(Invitation.listing(circle), web.page_number(), INVITATIONS_PER_PAGE)
    status = 422 if form.is_submitted() else 200
    return web.render("circles/invitations.html", status=status, circle=circle, form=form, links=links,
                      invitation_url=_invitation_url, address_mismatch=site.address_mismatch())


@bp.route("/site/address", methods=["POST"])
@login_required
def site_address():
    """The instance admin makes links start with the address in use now (offered where the two differ)."""
    if not current_user.is_admin:
        abort(403)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        stored = site.store_url(request.form.get("public_url", ""))
    except ValueError:
        abort(400)
    flash(_("Links to this site now start with %(address)s.", address=stored), "success")
    return web.see_other(web.safe_next(request.form.get("next"), url_for("circles.home")))


@bp.route("/c/<slug>/invitations/<int:invitation_id>/revoke", methods=["POST"])
def revoke_invitation(slug, invitation_id):
    circle = access.circle_or_404(slug)
    if not access.can_invite(current_user, circle):
        abort(403)
    invitation = Invitation.in_circle(circle, invitation_id)
    if invitation is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    invitation.revoke()
    flash(_("Invitation link revoked: it no longer lets anyone in."), "success")
    return web.see_other(url_for("circles.invitations", slug=circle.slug))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token):
    invitation = Invitation.by_token(token)
    if invitation is None:
        abort(404)
    circle = invitation.circle
    if access.membership(current_user, circle) is not None:
        flash(_("You are already a member of %(circle)s.", circle=circle.name), "info")
        return web.see_other(_home_url(circle))
    if not invitation.is_usable:
        return web.render("circles/invitation_gone.html", status=410)
    if request.method == "POST" and not current_user.is_authenticated:
        abort(401)
    form = AcceptConductForm()
    if current_user.is_authenticated and form.validate_on_submit():
        try:
            Membership.join(user=current_user, circle=circle, invitation=invitation)
        except AlreadyMember:
            flash(_("You are already a member of %(circle)s.", circle=circle.name), "info")
        except ValueError:
            return web.render("circles/invitation_gone.html", status=410)
        else:
            flash(_("Welcome to %(circle)s!", circle=circle.name), "success")
        return web.see_other(_home_url(circle))
    status = 422 if form.is_submitted() else 200
    return web.render("circles/invitation.html", status=status, circle=circle, invitation=invitation, form=form,
                      action=url_for("circles.invitation", token=token))
