"""A circle's meetings: scheduling one (or a series), its page, answers, moving and cancelling. (Not built yet.)"""
from flask import Blueprint, abort

from .loading import blueprint_loading

bp = blueprint_loading(Blueprint("meetings", __name__))


@bp.route("/c/<slug>/meetings/new", methods=["GET", "POST"])
def new():
    abort(404)


@bp.route("/c/<slug>/meetings/<int:occurrence_id>")
def occurrence():
    abort(404)


@bp.route("/c/<slug>/meetings/<int:occurrence_id>/rsvp", methods=["POST"])
def rsvp():
    abort(404)


@bp.route("/c/<slug>/meetings/<int:occurrence_id>/move", methods=["GET", "POST"])
def move():
    abort(404)


@bp.route("/c/<slug>/meetings/<int:occurrence_id>/cancel", methods=["POST"])
def cancel():
    abort(404)


@bp.route("/c/<slug>/meetings/series/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit():
    abort(404)


@bp.route("/c/<slug>/meetings/series/<int:meeting_id>/cancel", methods=["POST"])
def cancel_series():
    abort(404)
