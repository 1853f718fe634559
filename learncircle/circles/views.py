"""Circles: the start page, circle home, settings, members, joining and invitations."""
from flask import Blueprint

bp = Blueprint("circles", __name__)


@bp.route("/")
def home():
    return "home"
