"""Email pages: choosing which mail comes, one-click unsubscribe, a forgotten password, a new address, and
the links that confirm an address. Without SMTP_HOST each says that email is off and what to do instead."""
from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from .. import i18n, limits, web
from ..accounts.models import User
from ..circles.models import Invitation
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..limits import limiter
from . import account_mail, addresses, enabled, preferences, unsubscribe
from .forms import ButtonForm, EmailSettingsForm, ForgotPasswordForm, NewAddressForm

bp = Blueprint("mail", __name__)

LINK_UNUSABLE = _l("This link cannot be used: it has expired, been used already, or been changed on the way. "
                   "Ask for a new one.")
# The same words as registration's own refusals (accounts/views.py).
REFUSALS = {
    "closed": _l("Registration is closed on this site. Ask the person who runs it to create an account for you."),
    "stale": _l("This invitation link can no longer be used: it has expired, been revoked or been used up. "
                "Ask whoever sent it for a new one."),
}
TOO_MANY = _l("Too many requests from your network. Try again in a few minutes.")


def _no_referrer(response):
    response.headers["Referrer-Policy"] = "no-referrer"  # the address is the key: never pass it on
    return response


def _unusable():
    return _no_referrer(web.render("errors/error.html", code=404, title=_("This link cannot be used"),
                                   message=LINK_UNUSABLE, status=404))


# ---- choosing which mail comes ---------------------------------------------------------------------

@bp.route("/settings/email", methods=["GET", "POST"])
@login_required
def settings():
    user = current_user._get_current_object()
    form = EmailSettingsForm(data=preferences.choices(user.id))
    if form.validate_on_submit():
        preferences.choose_all(user.id, {category: form[category].data for category in preferences.CATEGORIES})
        flash(_("Your email settings are saved."), "success")
        return web.see_other(url_for("mail.settings"))
    return web.render("mail/settings.html", form=form, email_on=enabled(), status=422 if form.errors else 200)


# ---- one-click unsubscribe: the signed token is the authority, no login ------------------------------

@bp.route("/unsubscribe/<unsubscribe_token>", methods=["GET", "POST"])
def unsubscribe_page(unsubscribe_token):
    found = unsubscribe.read(unsubscribe_token)
    if found is None or User.get_or_none(User.id == found[0]) is None:
        return _unusable()
    user_id, category = found
    label = preferences.label(category)
    if request.method == "POST":
        # RFC 8058: a mail program POSTs "List-Unsubscribe=One-Click" with no token of ours and no confirmation.
        preferences.stop(user_id, category)
        return _no_referrer(web.render("mail/unsubscribed.html", label=label))
    return _no_referrer(web.render("mail/unsubscribe.html", label=label, token=unsubscribe_token))


# ---- a forgotten password -------------------------------------------------------------------------

@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], key_func=lambda: f"forgot:{get_remote_address()}",
               methods=["POST"], error_message=limits.limit_message(TOO_MANY))
def forgot_password():
    form = ForgotPasswordForm()
    if not enabled():
        return web.render("mail/forgot_password.html", form=None, email_on=False)
    if form.validate_on_submit():
        user = User.get_or_none(User.email == form.email.data.strip().lower())
        if user is not None:
            account_mail.send_reset_link(user)
        # The same answer for every address: whether one has an account stays private.
        return web.render("mail/forgot_password_sent.html", address=form.email.data.strip().lower())
    return web.render("mail/forgot_password.html", form=form, email_on=True, status=422 if form.errors else 200)


# ---- a new address for one's account ----------------------------------------------------------------

@bp.route("/settings/email/address", methods=["GET", "POST"])
@login_required
def change_address():
    user = current_user._get_current_object()
    form = NewAddressForm()
    if enabled() and form.validate_on_submit():
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append(_("That is not your current password."))
        else:
            addresses.request_change(user, form.email.data, i18n.page_language())
            flash(_("We sent a link to %(address)s. Your address changes once you follow it; until then mail "
                    "goes to %(old)s.", address=form.email.data.strip().lower(), old=user.email), "success")
            return web.see_other(url_for("mail.settings"))
    return web.render("mail/change_address.html", form=form, email_on=enabled(),
                      status=422 if form.errors else 200)


@bp.route("/email/confirm/<address_token>", methods=["GET", "POST"])
def confirm_address(address_token):
    payload = account_mail.read_token(account_mail.NEW_ADDRESS, address_token)
    if payload is None:
        return _unusable()
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        try:
            addresses.confirm_change(payload)
        except addresses.LinkUsed:
            return _unusable()
        except addresses.Taken:
            flash(_("That address now belongs to another account, so your address stays as it was."), "error")
            return web.see_other(url_for("accounts.login"))
        flash(_("Your email address is now %(address)s.", address=payload["new"]), "success")
        return web.see_other(url_for("mail.settings") if current_user.is_authenticated else url_for("accounts.login"))
    return _no_referrer(web.render("mail/confirm.html", form=ButtonForm(), address=payload["new"],
                                   action=url_for("mail.confirm_address", address_token=address_token),
                                   button=_("Use this address")))


def _registration_refused(invite):
    """Why the account a link names may not be made now (registration closed, or by invitation and the link's
    invitation spent since it was mailed), or None."""
    mode = current_app.config["REGISTRATION"]
    if mode == "closed":
        return REFUSALS["closed"]
    if mode == "invite":
        invitation = Invitation.by_token(invite) if invite else None
        if invitation is None or not invitation.is_usable:
            return REFUSALS["stale"]
    return None


@bp.route("/register/confirm/<account_token>", methods=["GET", "POST"])
def confirm_account(account_token):
    payload = account_mail.read_token(account_mail.NEW_ACCOUNT, account_token)
    pending = addresses.pending_account(payload) if payload is not None else None
    if pending is None:
        return _unusable()
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        refusal = _registration_refused(pending.invite)
        if refusal:
            return web.render("accounts/register_refused.html", status=403, message=refusal)
        try:
            addresses.create_account(pending)
        except addresses.LinkUsed:
            return _unusable()
        except addresses.Taken as taken:
            if taken.field == "email":  # someone registered this address meanwhile
                return _unusable()
            flash(_("Someone took the username %(username)s meanwhile. Register again with another one.",
                    username=pending.username), "error")
            return web.see_other(url_for("accounts.register", invite=pending.invite or None))
        flash(_("Your account is ready. Log in with the password you chose."), "success")
        target = url_for("circles.invitation", token=pending.invite) if pending.invite else None
        return web.see_other(url_for("accounts.login", next=target))
    return _no_referrer(web.render("mail/confirm.html", form=ButtonForm(), address=pending.email,
                                   action=url_for("mail.confirm_account", account_token=account_token),
                                   button=_("Create my account")))
