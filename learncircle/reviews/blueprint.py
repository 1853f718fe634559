"""The peer-review blueprint: facilitator routes live in manage.py, participant routes in participate.py."""
from flask import Blueprint

bp = Blueprint("reviews", __name__)
