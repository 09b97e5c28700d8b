"""Plain information pages: start, about, privacy.

They are the same for everyone, so each is rendered once per process
(:mod:`triage.render_cache`).
"""

from __future__ import annotations

from flask import Blueprint, render_template

from triage.render_cache import render_cached

bp = Blueprint("pages", __name__)


def _page(template: str) -> str:
    return render_cached(("page", template), lambda: render_template(template))


@bp.get("/")
def start():
    """The start page: what this is and is not, privacy, emergencies, Start."""
    return _page("pages/start.html")


@bp.get("/about")
def about():
    """What the tool does, how it was built, and its limits."""
    return _page("pages/about.html")


@bp.get("/privacy")
def privacy():
    """What happens to what a person enters: nothing is stored on the server."""
    return _page("pages/privacy.html")
