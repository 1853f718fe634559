"""Accounts: first-run setup, register, log in and out, profile, password and sessions."""
import peewee
from babel.dates import format_skeleton
from flask import Blueprint, abort, after_this_request, current_app, flash, g, redirect, request, url_for
from flask_babel import get_locale
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from .. import clock, i18n, limits, site, timefmt, web
from ..circles.models import Invitation
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..limits import limiter
from .. import mail
from ..mail import addresses
from ..people import models as people
from . import deletion, resets, sessions, throttle
from .data_forms import CancelDeletionForm
from .access import can_view_profile
from .forms import AccountForm, LoginForm, NewPasswordForm, PasswordForm, ProfileForm, SetupForm, SignOutElsewhereForm
from .models import SetupAlreadyDone, User, taken_field
from .profiles import shared_circles

bp = Blueprint("accounts", __name__)

LOGIN_FAILED = _l("Username/email or password is wrong.")
TOO_MANY_LOGINS = _l("Too many login attempts. To protect the account, try again in a few minutes.")
TOO_MANY_PASSWORD_TRIES = _l("Too many wrong current passwords. Try again in a few minutes.")
RESET_LINK_UNUSABLE = _l("This link to set a new password cannot be used: it has expired, been used already or "
                         "been replaced by a newer one. Ask your circle's organiser for a new link.")
TOO_MANY_REGISTRATIONS = _l("Many accounts were created from your network in the last hour, more than this site "
                            "allows. Try again later; what you typed is kept below, except the password.")
TAKEN = {
    "username": _l("That username is taken. Choose another one."),
    "email": _l("An account with this email address already exists. Log in instead."),
}
REFUSALS = {
    "closed": _l("Registration is closed on this site. Ask the person who runs it to create an account for you."),
    "invite": _l("Registration here is by invitation only. Ask a circle's facilitator for an invitation link "
                 "and open it to create your account."),
    "stale": _l("This invitation link can no longer be used: it has expired, been revoked or been used up. "
                "Ask whoever sent it for a new one."),
}
SHARED_CIRCLES_PER_PAGE = 50


# ---- rate limits ---------------------------------------------------------------------------------

def _password_hashed(response):
    return g.get("password_hashed", False)


@bp.errorhandler(429)
def too_many_attempts(error):
    """Answer a spent budget with the same form, what was typed kept, plus a clear message."""
    if request.endpoint == "accounts.settings_password" and current_user.is_authenticated:
        return _password_page(PasswordForm(), status=429, too_many=TOO_MANY_PASSWORD_TRIES)
    if request.endpoint == "accounts.register":
        return _register_page(AccountForm(), _usable_invitation(), status=429, too_many=TOO_MANY_REGISTRATIONS)
    return limits.refusal(error)


def _sign_in(user, remember=False):
    """Sign this browser in: a session record, the login cookie naming it, and a device cookie."""
    sessions.start(user, user_agent=request.user_agent.string, remember=remember)
    login_user(user, remember=remember)
    i18n.refresh_language()  # what is said next speaks the person's language, if they chose one
    device = throttle.after_sign_in(request.cookies.get(throttle.DEVICE_COOKIE), user.id)

    @after_this_request
    def _remember_device(response):
        response.set_cookie(throttle.DEVICE_COOKIE, device, max_age=throttle.DEVICE_COOKIE_DAYS * 86400,
                            path=url_for("accounts.login"), httponly=True, samesite="Lax",
                            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]))
        return response


# ---- first run, registration ---------------------------------------------------------------------

def _account_fields(form):
    return dict(username=form.username.data, email=form.email.data, password=form.password.data,
                display_name=form.display_name.data or None, timezone=form.timezone.data)


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    if User.exists():
        abort(404)
    form = SetupForm(data={"public_url": site.request_url()})
    if form.validate_on_submit():
        try:
            admin = User.create_first_admin(**_account_fields(form))
        except SetupAlreadyDone:
            abort(404)
        if not site.configured_url():
            site.store_url(form.public_url.data)
        _sign_in(admin)
        flash(_("Welcome! You are this site's admin. Start by creating a circle."), "success")
        return web.see_other(url_for("circles.home"))
    return web.render("accounts/setup.html", form=form, configured_url=site.configured_url(),
                      status=422 if form.errors else 200)


def _refusal(mode, token, invitation):
    """Why this visitor may not register now, or None when they may."""
    if mode == "closed":
        return REFUSALS["closed"]
    if mode == "invite" and invitation is None:
        return REFUSALS["stale"] if token else REFUSALS["invite"]
    return None


def _usable_invitation():
    """The invitation the registration link names, when it can still be used."""
    token = request.args.get("invite", "")
    found = Invitation.by_token(token) if token else None
    return found if found is not None and found.is_usable else None


def _register_page(form, invitation, status=200, too_many=None):
    token = request.args.get("invite", "")
    return web.render("accounts/register.html", form=form, invitation=invitation,
                      token=token if invitation else None, stale_invitation=bool(token) and not invitation,
                      too_many=too_many, status=status)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_LIMIT"], key_func=lambda: f"register:{get_remote_address()}",
               methods=["POST"], deduct_when=_password_hashed,
               error_message=limits.limit_message(TOO_MANY_REGISTRATIONS))
def register():
    token = request.args.get("invite", "")
    invitation = _usable_invitation()
    if current_user.is_authenticated:
        return redirect(url_for("circles.invitation", token=token) if invitation else url_for("circles.home"))
    refusal = _refusal(current_app.config["REGISTRATION"], token, invitation)
    if refusal:
        return web.render("accounts/register_refused.html", status=403, message=refusal)

    form = AccountForm()
    if form.validate_on_submit():
        g.password_hashed = True  # each new account costs an argon2 hash: that is what the limit counts
        if mail.enabled():
            return _register_by_mail(form, token if invitation else "")
        try:
            user = User.register(**_account_fields(form))
        except peewee.IntegrityError as error:
            field = taken_field(error)
            form[field].errors.append(TAKEN[field])
        else:
            _sign_in(user)
            if invitation:
                return web.see_other(url_for("circles.invitation", token=token))
            flash(_("Welcome, %(name)s!", name=user.display_name), "success")
            return web.see_other(url_for("circles.home"))
    return _register_page(form, invitation, status=422 if form.errors else 200)


def _register_by_mail(form, token):
    """With email on, an account waits for its address to be confirmed by mail; whether the address already has
    an account is never said (its owner is mailed instead). A taken username is said, as usernames are shown."""
    if User.by_username(form.username.data) is not None:
        form.username.errors.append(TAKEN["username"])
        return _register_page(form, _usable_invitation(), status=422)
    addresses.request_account(**_account_fields(form), language=i18n.page_language(), invite=token)
    return web.render("mail/register_sent.html", address=form.email.data.strip().lower())


# ---- logging in and out --------------------------------------------------------------------------

def _login_page(form, status=200, error=None, too_many=None, suspended=None):
    next_path = web.safe_next(request.args.get("next"), None)
    return web.render("accounts/login.html", form=form, next_path=next_path, error=error, too_many=too_many,
                      suspended=suspended, status=status)


def _login_attempt(form, account):
    """Who this attempt is on, from where, and whether this browser has signed in to that account before."""
    device = throttle.device_for(request.cookies.get(throttle.DEVICE_COOKIE), account.id) if account else None
    return throttle.Attempt(account_id=account.id if account else None, typed=form.login.data.strip().lower(),
                            address=get_remote_address(), device=device)


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = web.safe_next(request.args.get("next"), url_for("circles.home"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, status=422 if form.errors else 200)
    attempt = _login_attempt(form, User.by_login(form.login.data))
    if throttle.refused(attempt):
        return _login_page(form, status=429, too_many=TOO_MANY_LOGINS)
    user = User.authenticate(form.login.data, form.password.data)
    if user is None:
        throttle.failed(attempt)
        return _login_page(form, status=422, error=LOGIN_FAILED)
    if user.is_suspended:  # said only to whoever knows the password: it tells until when and why
        return _login_page(form, status=403, suspended=user)
    if user.deletion_requested_at is not None:  # Your data: the grace period; only cancelling signs in now
        return web.render("accounts/deletion_pending.html", when=deletion.deletion_date(user),
                          owned=deletion.owned_circles(user),
                          form=CancelDeletionForm(data={"token": deletion.cancel_token(user)}))
    _sign_in(user, remember=form.remember.data)
    return web.see_other(target)


@bp.route("/login/cancel-deletion", methods=["POST"])
def cancel_deletion():
    """Keep the account whose pending deletion the sign-in page offered to cancel, and sign in."""
    form = CancelDeletionForm()
    user = deletion.account_of(form.token.data) if form.validate_on_submit() else None
    if user is None:
        flash(_("That page is too old to cancel the deletion. Log in again to cancel it."), "error")
        return web.see_other(url_for("accounts.login"))
    deletion.cancel_deletion(user)
    _sign_in(user)
    flash(_("The deletion is cancelled: your account stays."), "success")
    return web.see_other(url_for("yourdata.page"))


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        sessions.end(current_user, current_user.login_session.id)
    logout_user()
    i18n.refresh_language()
    flash(_("You have logged out."), "info")
    return web.see_other(url_for("circles.home"))


# ---- profile -------------------------------------------------------------------------------------

@bp.route("/u/<username>")
@login_required
def profile(username):
    user = User.by_username(username)
    if user is None or not can_view_profile(current_user, user):
        abort(404)  # whether an account exists is private too
    circles = web.Page(shared_circles(user, current_user), web.page_number(), SHARED_CIRCLES_PER_PAGE)
    local_time = format_skeleton("Hm", timefmt.to_local(clock.now(), timefmt.zone_named(user.timezone)),
                                 locale=get_locale())
    own = user.id == current_user.id
    return web.render("accounts/profile.html", user=user, circles=circles, local_time=local_time, own=own,
                      held=frozenset() if own else people.held(current_user.id, user.id))  # Mute and Block


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def settings_profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        user.update_profile(display_name=form.display_name.data or user.username, bio=form.bio.data or "",
                            timezone=form.timezone.data, pronouns=form.pronouns.data or "",
                            language=form.language.data or "")
        i18n.refresh_language()  # the confirmation below speaks the language just chosen
        flash(_("Your profile is saved."), "success")
        return web.see_other(url_for("accounts.profile", username=user.username))
    return web.render("accounts/settings_profile.html", form=form, status=422 if form.errors else 200)


# ---- password and sessions -----------------------------------------------------------------------

def _password_page(form, status=200, too_many=None):
    user = current_user._get_current_object()
    return web.render("accounts/settings_password.html", form=form, sessions_form=SignOutElsewhereForm(),
                      sessions=sessions.active(user), browser_label=sessions.browser_label,
                      this_session=user.login_session.id, too_many=too_many,
                      status=status)


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
@limits.password_checks(TOO_MANY_PASSWORD_TRIES)
def settings_password():
    user = current_user._get_current_object()
    form = PasswordForm()
    if not form.validate_on_submit():
        return _password_page(form, status=422 if form.errors else 200)
    if not user.check_password(form.current_password.data):
        g.attempt_failed = True
        form.current_password.errors.append(_("That is not your current password."))
        return _password_page(form, status=422)
    user.set_password(form.new_password.data, keep_session=user.login_session.id)
    flash(_("Your password is changed. Every other session of your account has been signed out."), "success")
    return web.see_other(url_for("accounts.settings_password"))


@bp.route("/settings/sessions", methods=["POST"])
@login_required
def settings_sessions():
    if not SignOutElsewhereForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    user.end_all_sessions(keep_session=user.login_session.id)
    flash(_("You are signed out everywhere else. This browser stays signed in."), "success")
    return web.see_other(url_for("accounts.settings_password"))


@bp.route("/settings/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id):
    """Sign one browser out: another one of the person's, or this one."""
    if not SignOutElsewhereForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    if session_id == user.login_session.id:
        return logout()
    if sessions.end(user, session_id):
        flash(_("That browser is signed out. It needs the password to come back."), "success")
    else:  # someone else's, or already over: either way there is nothing of this person's to end
        flash(_("That session had already ended."), "info")
    return web.see_other(url_for("accounts.settings_password"))


# ---- forgotten passwords: a one-time link from `learncircle reset-password` ----------------------

def _unusable_link():
    response = web.render("errors/error.html", code=404, title=_("This link cannot be used"),
                          message=RESET_LINK_UNUSABLE, status=404)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/reset-password/<reset_token>", methods=["GET", "POST"])
def reset_password(reset_token):
    reset = resets.find(reset_token)
    if reset is None:
        return _unusable_link()
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            resets.use(reset, form.new_password.data)
        except resets.LinkUsed:
            return _unusable_link()
        if current_user.is_authenticated and current_user.id == reset.user_id:
            logout_user()  # its session has just ended with every other: clear the cookies too
        flash(_("Your new password is set, and every session of your account has ended. Log in with it now."),
              "success")
        return web.see_other(url_for("accounts.login"))
    response = web.render("accounts/reset_password.html", form=form, account=reset.user,
                          status=422 if form.errors else 200)
    response.headers["Referrer-Policy"] = "no-referrer"  # the address is the key: never pass it on
    return response
