"""Calendar files: one meeting's or a series' .ics, and each member's private feed. (Not built yet.)"""
from flask import Blueprint, abort

from .loading import blueprint_loading

bp = blueprint_loading(Blueprint("calendar", __name__))


@bp.route("/c/<slug>/meetings/<int:occurrence_id>.ics")
def occurrence_ics():
    abort(404)


@bp.route("/c/<slug>/meetings/series/<int:meeting_id>.ics")
def series_ics():
    abort(404)


@bp.route("/calendar/<token>.ics")
def feed():
    abort(404)


@bp.route("/settings/calendar", methods=["GET", "POST"])
def settings():
    abort(404)
