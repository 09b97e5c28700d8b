"""Plain information pages: start, about, privacy, accessibility.

They are the same for everyone, so each is rendered once per process
(:mod:`triage.render_cache`).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, render_template

from triage.render_cache import render_cached

bp = Blueprint("pages", __name__)

_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+")


def _page(template: str, **context: Any) -> str:
    return render_cached(("page", template), lambda: render_template(template, **context))


@bp.app_template_global()
def session_lifetime() -> str:
    """How long the server honours a session cookie, in words ("4 hours", "90 minutes")."""
    minutes = round(current_app.permanent_session_lifetime.total_seconds() / 60)
    if minutes % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


def contact() -> dict[str, str] | None:
    """TRIAGE_CONTACT as text and, for a web address or an email address, a link."""
    value = current_app.config.get("TRIAGE_CONTACT") or ""
    if not value:
        return None
    if value.startswith("https://") and not any(c.isspace() or c in "<>\"'" for c in value):
        return {"text": value, "href": value}
    if _EMAIL.fullmatch(value):
        return {"text": value, "href": f"mailto:{value}"}
    return {"text": value, "href": ""}


@bp.get("/")
def start() -> str:
    """The start page: what this is and is not, privacy, emergencies, Start."""
    return _page("pages/start.html")


@bp.get("/about")
def about() -> str:
    """What the tool does, how it was built, and its limits (with how much of it clinicians have reviewed)."""
    from triage import clinician

    return _page("pages/about.html", review=clinician.prepare(current_app))


@bp.get("/privacy")
def privacy() -> str:
    """What happens to what a person enters: only in their browser, encrypted; nothing on the server."""
    return _page("pages/privacy.html")


@bp.get("/accessibility")
def accessibility() -> str:
    """The accessibility statement: the standard aimed at, how it is tested, known limits, contact."""
    return _page("pages/accessibility.html", contact=contact())
