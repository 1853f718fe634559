"""Accounts: first-run setup, register, log in and out, profile, password and sessions."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import peewee
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from .. import clock, web
from ..circles.models import Invitation
from ..errors import MESSAGES
from ..limits import limiter
from .access import can_view_profile
from .forms import AccountForm, LoginForm, PasswordForm, ProfileForm, SignOutElsewhereForm
from .models import SetupAlreadyDone, User, taken_field
from .profiles import shared_circles

bp = Blueprint("accounts", __name__)

LOGIN_FAILED = "Username/email or password is wrong."
TOO_MANY_LOGINS = "Too many login attempts. To protect the account, try again in a few minutes."
TOO_MANY_PASSWORD_TRIES = "Too many wrong current passwords. Try again in a few minutes."
TAKEN = {
    "username": "That username is taken. Choose another one.",
    "email": "An account with this email address already exists. Log in instead.",
}
REFUSALS = {
    "closed": "Registration is closed on this site. Ask the person who runs it to create an account for you.",
    "invite": "Registration here is by invitation only. Ask a circle's facilitator for an invitation link "
              "and open it to create your account.",
    "stale": "This invitation link can no longer be used: it has expired, been revoked or been used up. "
             "Ask whoever sent it for a new one.",
}
SHARED_CIRCLES_PER_PAGE = 50


# ---- rate limits: only failed attempts spend the budget ------------------------------------------

def _login_limit():
    return current_app.config["LOGIN_LIMIT"]


def _address_key():
    return f"address:{get_remote_address()}"


def _account_key():
    """One budget per account, whether it is named by username or by email."""
    typed = request.form.get("login", "").strip().lower()
    user = User.by_login(typed) if typed.isprintable() else None
    return f"account:{user.id}" if user is not None else f"login:{typed}"


def _password_key():
    # The account id, not the session id: signing out elsewhere must not refill the budget.
    return f"password-check:{current_user.id if current_user.is_authenticated else '-'}"


def _attempt_failed(response):
    return g.get("attempt_failed", False)


def _failed_attempts_limit(key_func, message):
    return limiter.limit(_login_limit, key_func=key_func, methods=["POST"], deduct_when=_attempt_failed,
                         error_message=message)


@bp.errorhandler(429)
def too_many_attempts(error):
    """Answer a spent budget with the same form and the name typed kept, plus a clear message."""
    if request.endpoint == "accounts.login":
        return _login_page(LoginForm(), status=429, too_many=TOO_MANY_LOGINS)
    if request.endpoint == "accounts.settings_password" and current_user.is_authenticated:
        return _password_page(PasswordForm(), status=429, too_many=TOO_MANY_PASSWORD_TRIES)
    title, message = MESSAGES[429]
    return render_template("errors/error.html", code=429, title=title, message=message), 429


# ---- first run, registration ---------------------------------------------------------------------

def _account_fields(form):
    return dict(username=form.username.data, email=form.email.data, password=form.password.data,
                display_name=form.display_name.data or None, timezone=form.timezone.data)


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    if User.exists():
        abort(404)
    form = AccountForm()
    if form.validate_on_submit():
        try:
            admin = User.create_first_admin(**_account_fields(form))
        except SetupAlreadyDone:
            abort(404)
        login_user(admin)
        flash("Welcome! You are this site's admin. Start by creating a circle.", "success")
        return web.see_other(url_for("circles.home"))
    return web.render("accounts/setup.html", form=form, status=422 if form.errors else 200)


def _refusal(mode, token, invitation):
    """Why this visitor may not register now, or None when they may."""
    if mode == "closed":
        return REFUSALS["closed"]
    if mode == "invite" and invitation is None:
        return REFUSALS["stale"] if token else REFUSALS["invite"]
    return None


@bp.route("/register", methods=["GET", "POST"])
def register():
    token = request.args.get("invite", "")
    found = Invitation.by_token(token) if token else None
    invitation = found if found is not None and found.is_usable else None
    if current_user.is_authenticated:
        return redirect(url_for("circles.invitation", token=token) if invitation else url_for("circles.home"))
    refusal = _refusal(current_app.config["REGISTRATION"], token, invitation)
    if refusal:
        return web.render("accounts/register_refused.html", status=403, message=refusal)

    form = AccountForm()
    if form.validate_on_submit():
        try:
            user = User.register(**_account_fields(form))
        except peewee.IntegrityError as error:
            field = taken_field(error)
            form[field].errors.append(TAKEN[field])
        else:
            login_user(user)
            if invitation:
                return web.see_other(url_for("circles.invitation", token=token))
            flash(f"Welcome, {user.display_name}!", "success")
            return web.see_other(url_for("circles.home"))
    return web.render("accounts/register.html", form=form, invitation=invitation,
                      token=token if invitation else None, stale_invitation=bool(token) and not invitation,
                      status=422 if form.errors else 200)


# ---- logging in and out --------------------------------------------------------------------------

def _login_page(form, status=200, error=None, too_many=None):
    next_path = web.safe_next(request.args.get("next"), None)
    return web.render("accounts/login.html", form=form, next_path=next_path, error=error, too_many=too_many,
                      status=status)


@bp.route("/login", methods=["GET", "POST"])
@_failed_attempts_limit(_address_key, TOO_MANY_LOGINS)
@_failed_attempts_limit(_account_key, TOO_MANY_LOGINS)
def login():
    target = web.safe_next(request.args.get("next"), url_for("circles.home"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, status=422 if form.errors else 200)
    user = User.authenticate(form.login.data, form.password.data)
    if user is None:
        g.attempt_failed = True
        return _login_page(form, status=422, error=LOGIN_FAILED)
    login_user(user, remember=form.remember.data)
    return web.see_other(target)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("You have logged out.", "info")
    return web.see_other(url_for("circles.home"))


# ---- profile -------------------------------------------------------------------------------------

def _zone(name):
    """The named time zone, or UTC for a name this system's zone database no longer knows."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@bp.route("/u/<username>")
@login_required
def profile(username):
    user = User.by_username(username)
    if user is None or not can_view_profile(current_user, user):
        abort(404)  # whether an account exists is private too
    circles = web.Page(shared_circles(user, current_user), web.page_number(), SHARED_CIRCLES_PER_PAGE)
    local_time = web.to_local(clock.now(), _zone(user.timezone)).strftime("%H:%M")
    return web.render("accounts/profile.html", user=user, circles=circles, local_time=local_time,
                      own=user.id == current_user.id)


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def settings_profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        user.update_profile(display_name=form.display_name.data or user.username, bio=form.bio.data or "",
                            timezone=form.timezone.data, pronouns=form.pronouns.data or "")
        flash("Your profile is saved.", "success")
        return web.see_other(url_for("accounts.profile", username=user.username))
    return web.render("accounts/settings_profile.html", form=form, status=422 if form.errors else 200)


# ---- password and sessions -----------------------------------------------------------------------

def _stay_signed_in(user):
    """Sign this browser in again after the session token rotated, keeping its remember-me choice."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(user, remember=remembered, fresh=True)


def _password_page(form, status=200, too_many=None):
    return web.render("accounts/settings_password.html", form=form, sessions_form=SignOutElsewhereForm(),
                      too_many=too_many, status=status)


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
@_failed_attempts_limit(_password_key, TOO_MANY_PASSWORD_TRIES)
def settings_password():
    user = current_user._get_current_object()
    form = PasswordForm()
    if not form.validate_on_submit():
        return _password_page(form, status=422 if form.errors else 200)
    if not user.check_password(form.current_password.data):
        g.attempt_failed = True
        form.current_password.errors.append("That is not your current password.")
        return _password_page(form, status=422)
    user.set_password(form.new_password.data)
    _stay_signed_in(user)
    flash("Your password is changed. Every other session of your account has been signed out.", "success")
    return web.see_other(url_for("accounts.settings_password"))


@bp.route("/settings/sessions", methods=["POST"])
@login_required
def settings_sessions():
    if not SignOutElsewhereForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    user.end_all_sessions()
    _stay_signed_in(user)
    flash("You are signed out everywhere else. This browser stays signed in.", "success")
    return web.see_other(url_for("accounts.settings_password"))
