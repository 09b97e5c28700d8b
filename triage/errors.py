"""Friendly error pages in the site's layout.

Every error a person can cause (a bad request, a page that does not exist, a
form that is too big, an expired form) gets a calm page that says what to do
next. Server errors say sorry and never show internals.

Server errors are logged for the operator without the exception's message:
a message can quote the data being handled (``KeyError('round_patches')``,
``ValueError("invalid literal for int(): '34 years'")``), and nothing a
person answers may reach a log. The log line keeps the path, the method, the
exception types and the stack (file, line, function, source line).
"""

from __future__ import annotations

import traceback
from types import TracebackType

from flask import Flask, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

# Each page's heading is set in its template.
_PAGES = {
    400: "errors/400.html",
    404: "errors/404.html",
    405: "errors/400.html",
    413: "errors/413.html",
    500: "errors/500.html",
}


def _render(code: int, status: int | None = None, error: HTTPException | None = None) -> ResponseReturnValue:
    template = _PAGES[code]
    # Keep the error's own headers (Allow on a 405, Content-Range on a 416), not its content type.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"] if error else []
    return render_template(template), status or code, headers


def register(app: Flask) -> None:
    """Attach the error handlers to ``app``."""

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> ResponseReturnValue:
        # Say what really happened to the answers: kept, or gone with the session
        # (cleared, expired after the time limit, or the browser was closed).
        kept = bool(session.get("answers"))
        return render_template("errors/csrf.html", answers_kept=kept), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if code in _PAGES:
            return _render(code, error=error)
        if 400 <= code < 500:
            return _render(400, code, error)
        # Unhandled exceptions arrive here as InternalServerError after Flask has
        # logged them (path and traceback, never form data); the page shows no internals.
        return _render(500, code)


def log_exception_without_data(
    app: Flask,
    exc_info: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None],
) -> None:
    """Log an unhandled exception like Flask does, minus every exception message."""
    _type, error, tb = exc_info
    chain: list[str] = []
    seen: set[int] = set()
    while error is not None and id(error) not in seen and len(chain) < 10:
        seen.add(id(error))
        chain.append(type(error).__qualname__)
        error = error.__cause__ or error.__context__
    stack = "".join(traceback.format_list(traceback.extract_tb(tb))) if tb is not None else ""
    app.logger.error(
        "Exception on %s [%s]: %s (message withheld: it may quote answers)\n"
        "Traceback (most recent call last):\n%s",
        request.path,
        request.method,
        " <- ".join(chain) or "unknown",
        stack.rstrip(),
    )
