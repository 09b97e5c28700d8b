"""Plain information pages: start, about, privacy."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def start():
    """The start page: what this is and is not, privacy, emergencies, Start."""
    return render_template("pages/start.html")


@bp.get("/about")
def about():
    """What the tool does, how it was built, and its limits."""
    return render_template("pages/about.html")


@bp.get("/privacy")
def privacy():
    """What happens to what a person enters: nothing is stored on the server."""
    return render_template("pages/privacy.html")
