"""Finding a time: a facilitator's candidate slots, members' votes, the fair result. (Not built yet.)"""
from flask import Blueprint, abort

from .loading import blueprint_loading

bp = blueprint_loading(Blueprint("meeting_polls", __name__))


@bp.route("/c/<slug>/meetings/polls/new", methods=["GET", "POST"])
def new():
    abort(404)


@bp.route("/c/<slug>/meetings/polls/<int:poll_id>")
def poll():
    abort(404)


@bp.route("/c/<slug>/meetings/polls/<int:poll_id>/vote", methods=["POST"])
def vote():
    abort(404)


@bp.route("/c/<slug>/meetings/polls/<int:poll_id>/close", methods=["POST"])
def close():
    abort(404)
