"""The clinician's way through: the rulebook as a readable document under /rules."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("clinician", __name__, url_prefix="/rules")


@bp.get("/")
def index():
    """Overview of the loaded rulebook: version, counts and how to check it."""
    return render_template("clinician/index.html", rulebook=current_app.extensions.get("rulebook"))
