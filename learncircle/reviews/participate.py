"""Participant routes for peer review rounds."""
from .blueprint import bp  # noqa: F401
