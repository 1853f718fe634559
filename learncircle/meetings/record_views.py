"""The rhythm page, attendance over time, and after a meeting: attendance, notes, reflection. (Not built yet.)"""
from flask import Blueprint, abort

from .loading import blueprint_loading

bp = blueprint_loading(Blueprint("meeting_records", __name__))


@bp.route("/c/<slug>/meetings")
def rhythm():
    abort(404)


@bp.route("/c/<slug>/meetings/attendance")
def attendance():
    abort(404)


@bp.route("/c/<slug>/meetings/<int:occurrence_id>/record", methods=["GET", "POST"])
def record():
    abort(404)


@bp.route("/c/<slug>/meetings/<int:occurrence_id>/reflection", methods=["GET", "POST"])
def reflection():
    abort(404)
