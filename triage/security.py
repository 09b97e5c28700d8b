"""Security headers on every response, and HTTPS when ``TRIAGE_HTTPS`` is on.

Every response (pages, redirects, error pages, static files) gets:

- ``Content-Security-Policy``: ``default-src 'self'``, no inline script or
  style (tests/pagecheck.py checks every page), nothing from another origin,
  forms post only here, no framing, no ``<base>``, no plugins;
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
  ``X-Frame-Options: DENY`` (for browsers without ``frame-ancestors``) and a
  ``Permissions-Policy`` that turns off every device and tracking feature;
- ``Cache-Control: no-store`` on everything but the static files (and on
  their errors too): any page
  may show a person's answers (question pages, check answers, result, help
  now, the trace, an error page shown after a form), so no browser history
  cache or shared cache may keep one.

With ``TRIAGE_HTTPS`` on (the default in production), a request that did not
arrive over HTTPS is redirected to it, and one that did gets
``Strict-Transport-Security``. "Arrived over HTTPS" means the WSGI scheme is
https (gunicorn sets it from ``X-Forwarded-Proto`` sent by a proxy in
``FORWARDED_ALLOW_IPS``) or the request carries ``X-Forwarded-Proto: https``
(as flask-talisman does: trusting it from anyone only lets a client skip its
own redirect, and it spares a redirect loop behind a proxy that gunicorn was
not told about). With it off (development, the tests) there is no redirect and
no HSTS.

Host names: Flask's ``TRUSTED_HOSTS`` (``TRIAGE_HOSTS``; by default the
loopback names only) lists the names the app answers to. A request for any
other Host gets the friendly 400 page with every header above, and its
links are built against a trusted name, never the one sent. Every URL the
app builds itself (the trailing-slash redirect, the HTTPS redirect) therefore
starts with a trusted name. (:class:`TrustedHostsMixin` and the first
``before_request`` below.)

Why not flask-talisman (1.1.0), which sets the same headers: it fits the
tests, but it rebuilds every header string from its option dictionaries on
every response, about 80 µs per request on this project's 2-core machine:
more than a cached question page spends on everything else, and enough to
miss the "question page at 0.6 of a bare Flask route" target of ``make
bench``. These headers never change while the app runs, so they are built
once, here, and copied onto each response (a few µs).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, redirect, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import SecurityError
from werkzeug.routing import MapAdapter

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",  # img-src, style-src, script-src, font-src: this site only
    "base-uri": "'none'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}

# Nothing here needs a device, a sensor or payment; and no interest-based advertising.
PERMISSIONS_POLICY = {
    "accelerometer": "()",
    "browsing-topics": "()",
    "camera": "()",
    "display-capture": "()",
    "geolocation": "()",
    "gyroscope": "()",
    "interest-cohort": "()",
    "magnetometer": "()",
    "microphone": "()",
    "payment": "()",
    "usb": "()",
}

HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hosts under the domain are not ours to decide

HEADERS = (
    ("Content-Security-Policy", "; ".join(f"{k} {v}" for k, v in CONTENT_SECURITY_POLICY.items())),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", ", ".join(f"{k}={v}" for k, v in PERMISSIONS_POLICY.items())),
)


UNTRUSTED_HOST = "triage.untrusted_host"


class TrustedHostsMixin:
    """For the app class: a Host outside ``TRUSTED_HOSTS`` becomes a friendly 400.

    Flask checks the Host while it builds the request's URL adapter and, when
    the check fails, leaves the request with no adapter at all, so the error
    page could not build a single link. Here the request is bound to the
    first trusted name instead and marked; ``refuse_untrusted_host`` (the
    first ``before_request``) then answers 400 before anything else runs.
    """

    def create_url_adapter(self, request: Any) -> MapAdapter | None:
        try:
            return super().create_url_adapter(request)  # type: ignore[misc]
        except SecurityError:
            if request is None:
                raise
            trusted = [name.lstrip(".") for name in self.config["TRUSTED_HOSTS"] or () if name.lstrip(".")]  # type: ignore[attr-defined]
            safe = trusted[0] if trusted else "localhost"
            request.environ[UNTRUSTED_HOST] = True
            request.host = safe
            return self.url_map.bind(  # type: ignore[attr-defined]
                safe,
                script_name=request.root_path or "/",
                url_scheme=request.scheme,
                default_method=request.method,
                path_info=request.path,
            )


# --- what the access log may say about a request -------------------------------------

ROUTE_KIND = "triage.route"  # the WSGI environ key gunicorn's access log reads (gunicorn_conf.py)

# A page whose being served says something about the answers is logged under the
# neutral name of the pages around it: the crisis page (/help-now, served after an
# answer about self-harm) and every question (/questions/life_stage is asked only of
# some people) are all "question". Endpoints not named here are "other", never
# their own name, so a page added later reveals nothing until it is given a kind.
ROUTE_KINDS = {
    "pages.start": "page",
    "pages.about": "page",
    "pages.privacy": "page",
    "pages.accessibility": "page",
    "questionnaire.start": "question",
    "questionnaire.question": "question",
    "questionnaire.help_now": "question",
    "questionnaire.check_answers": "check-answers",
    "questionnaire.result": "result",
    "clinician.result_trace": "result",
    "questionnaire.clear": "clear",
    "questionnaire.cleared": "clear",
    "static": "static",
}


def route_kind(endpoint: str | None) -> str:
    """The name under which a request to ``endpoint`` may be logged."""
    if endpoint is None:
        return "none"  # no route matched: 404, 405, a refused Host
    kind = ROUTE_KINDS.get(endpoint)
    if kind is None and endpoint.startswith("clinician."):
        return "rules"
    return kind or "other"


def _arrived_over_https() -> bool:
    # A chain of proxies may append to the header ("https, http"): the first value is
    # what the client used.
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",", 1)[0]
    return request.is_secure or forwarded.strip().lower() == "https"


def init_app(app: Flask) -> None:
    """Attach the headers, and HTTPS handling when ``TRIAGE_HTTPS`` is on."""
    https = bool(app.config.get("TRIAGE_HTTPS"))

    @app.before_request
    def refuse_untrusted_host() -> None:
        if request.environ.get(UNTRUSTED_HOST):
            abort(400)

    if https:

        @app.before_request
        def require_https() -> ResponseReturnValue | None:
            if not _arrived_over_https():
                # 301 for GET and HEAD; 308 keeps the method and body of anything else.
                code = 301 if request.method in ("GET", "HEAD") else 308
                # request.host is a trusted name here (TRUSTED_HOSTS, checked above).
                return redirect(request.url.replace("http://", "https://", 1), code=code)
            return None

    @app.after_request
    def security_headers(response: Response) -> Response:
        request.environ[ROUTE_KIND] = route_kind(request.endpoint)
        headers = response.headers
        headers.update(HEADERS)
        if request.endpoint != "static" or response.status_code >= 400:
            headers["Cache-Control"] = "no-store"
        if https and _arrived_over_https():
            headers["Strict-Transport-Security"] = HSTS
        return response
