"""Discussions: a circle's threads, a thread's posts, replies, edits, pin and lock."""
from flask import Blueprint

bp = Blueprint("discussions", __name__)
