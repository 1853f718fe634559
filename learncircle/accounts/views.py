"""Accounts: first-run setup, register, log in and out, profile."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    return "setup"


@bp.route("/login", methods=["GET", "POST"])
def login():
    return "login"


@bp.route("/logout", methods=["POST"])
def logout():
    return "logout"


@bp.route("/register", methods=["GET", "POST"])
def register():
    return "register"


@bp.route("/u/<username>")
def profile(username):
    return "profile"
