"""Helpers test modules import (fixtures live in conftest.py and fixtures_*.py)."""
from bs4 import BeautifulSoup


def html(response):
    """Parse a response body for assertions about what a person sees."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")
