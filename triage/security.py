"""Security headers on every response, and HTTPS when ``TRIAGE_HTTPS`` is on.

Every response (pages, redirects, error pages, static files) gets:

- ``Content-Security-Policy``: ``default-src 'self'``, no inline script or
  style (tests/pagecheck.py checks every page), nothing from another origin,
  forms post only here, no framing, no ``<base>``, no plugins;
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
  ``X-Frame-Options: DENY`` (for browsers without ``frame-ancestors``) and a
  ``Permissions-Policy`` that turns off every device and tracking feature;
- ``Cache-Control: no-store`` on everything but the static files: any page
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

Why not flask-talisman (1.1.0), which sets the same headers: it fits the
tests, but it rebuilds every header string from its option dictionaries on
every response, about 80 µs per request on this project's 2-core machine:
more than a cached question page spends on everything else, and enough to
miss the "question page at 0.6 of a bare Flask route" target of ``make
bench``. These headers never change while the app runs, so they are built
once, here, and copied onto each response (a few µs).
"""

from __future__ import annotations

from flask import Flask, Response, redirect, request

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


def _arrived_over_https() -> bool:
    # A chain of proxies may append to the header ("https, http"): the first value is
    # what the client used.
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",", 1)[0]
    return request.is_secure or forwarded.strip().lower() == "https"


def init_app(app: Flask) -> None:
    """Attach the headers, and HTTPS handling when ``TRIAGE_HTTPS`` is on."""
    https = bool(app.config.get("TRIAGE_HTTPS"))

    if https:

        @app.before_request
        def require_https():
            if not _arrived_over_https():
                # 301 for GET and HEAD; 308 keeps the method and body of anything else.
                code = 301 if request.method in ("GET", "HEAD") else 308
                return redirect(request.url.replace("http://", "https://", 1), code=code)
            return None

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.update(HEADERS)
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        if https and _arrived_over_https():
            headers["Strict-Transport-Security"] = HSTS
        return response
