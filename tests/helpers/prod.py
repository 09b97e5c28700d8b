"""The production tests' settings: the secret, the site name, the environment gunicorn runs with."""

from __future__ import annotations

from typing import Any

from triage.session import CookieCipher

SECRET = "prod-test-secret-0123456789abcdef"
# The name the shipped nginx config (deploy/nginx.conf) answers to, and loopback for
# the tests that talk to gunicorn directly.
SITE_NAME = "triage.example.org"
PROD_ENV = {
    "TRIAGE_ENV": "production",
    "TRIAGE_SECRET_KEY": SECRET,
    "TRIAGE_HTTPS": "0",
    "TRIAGE_HOSTS": f"{SITE_NAME},127.0.0.1,localhost",
}


def signed_cookie(app, data: Any, secret: str | None = None, issued_at: int | None = None) -> str:
    """``data`` as an (encrypted) session cookie for ``app``, or for a deployment with another ``secret``."""
    cipher = app.session_interface.get_signing_serializer(app) if secret is None else CookieCipher([secret])
    return cipher.dumps(data, issued_at=issued_at)


# The name under which the load test hands its figures to the end-of-run summary
# (tests/conftest.py): as a user property of its report, which pytest-xdist carries from
# the worker to the controller.
LOAD_FIGURES = "load figures"
