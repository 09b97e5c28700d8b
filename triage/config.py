"""Configuration from the environment.

Development runs get a fixed, clearly fake secret so `make run` works with no
setup. Production (``TRIAGE_ENV=production``) must be given a real secret of
at least 32 characters: the session cookie that holds a person's answers is
encrypted with a key derived from it (triage/session.py).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from datetime import timedelta

from triage.paths import default_rules_dir

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - deliberately public, refused in production
MIN_SECRET_LENGTH = 32
MAKE_A_SECRET = "python -c 'import secrets; print(secrets.token_hex(32))'"

# How long a session cookie is honoured after it was last written (the last answer saved).
DEFAULT_SESSION_HOURS = 4.0
MAX_SESSION_HOURS = 24.0 * 7

# Host names answered when TRIAGE_HOSTS is not set: this machine only. (Werkzeug cannot
# match an IPv6 literal such as [::1] in TRUSTED_HOSTS; use a name for IPv6.)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message is one line for the operator."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _check_secret(secret: str) -> None:
    if not secret:
        raise ConfigError(
            "TRIAGE_ENV=production needs TRIAGE_SECRET_KEY: set it to a long random value, "
            f"for example: {MAKE_A_SECRET}"
        )
    if secret == DEV_SECRET_KEY:
        raise ConfigError(
            f"TRIAGE_SECRET_KEY is the public development secret; make a new one with: {MAKE_A_SECRET}"
        )
    if len(secret) < MIN_SECRET_LENGTH or not secret.strip():
        raise ConfigError(
            f"TRIAGE_SECRET_KEY is too short ({len(secret)} characters, at least {MIN_SECRET_LENGTH} are needed); "
            f"make one with: {MAKE_A_SECRET}"
        )


def session_hours(value: str | None) -> float:
    """TRIAGE_SESSION_HOURS: a number of hours above 0 and at most a week (default 4)."""
    if value is None or not value.strip():
        return DEFAULT_SESSION_HOURS
    try:
        hours = float(value)
    except ValueError:
        hours = math.nan
    if not (0 < hours <= MAX_SESSION_HOURS):  # also refuses nan and inf
        raise ConfigError(
            f"TRIAGE_SESSION_HOURS must be a number of hours above 0 and at most {MAX_SESSION_HOURS:g}, not {value!r}"
        )
    return hours


def trusted_hosts(value: str | None) -> list[str]:
    """TRIAGE_HOSTS: comma-separated host names (a leading dot allows every subdomain)."""
    if value is None or not value.strip():
        return list(LOOPBACK_HOSTS)
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    for name in names:
        if not name.lstrip(".") or any(c in name for c in "/:[] \t@"):
            raise ConfigError(
                f"TRIAGE_HOSTS lists host names separated by commas (no scheme, port or path), not {name!r}"
            )
    return names


def config_from_env(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Build the Flask config mapping from environment variables.

    Raises ConfigError (one line) when production is asked for without a usable
    secret key, or when a setting cannot be read.
    """
    env = os.environ if environ is None else environ
    production = env.get("TRIAGE_ENV", "development").strip().lower() == "production"
    secret = env.get("TRIAGE_SECRET_KEY", "")
    previous = env.get("TRIAGE_SECRET_KEY_PREVIOUS", "")
    if production:
        _check_secret(secret)
        if previous == DEV_SECRET_KEY:
            raise ConfigError("TRIAGE_SECRET_KEY_PREVIOUS is the public development secret; leave it unset")
    https = _flag(env.get("TRIAGE_HTTPS")) if "TRIAGE_HTTPS" in env else production
    lifetime = timedelta(hours=session_hours(env.get("TRIAGE_SESSION_HOURS")))
    return {
        "TRIAGE_ENV": "production" if production else "development",
        "SECRET_KEY": secret or DEV_SECRET_KEY,
        # Older keys still decrypt a session cookie (which is then written with the new
        # key); they never encrypt one.
        "SECRET_KEY_FALLBACKS": [previous] if previous and previous != secret else [],
        # The Host names this app answers to; any other gets a 400 (security.py).
        "TRUSTED_HOSTS": trusted_hosts(env.get("TRIAGE_HOSTS")),
        "TRIAGE_HOSTS_SET": bool((env.get("TRIAGE_HOSTS") or "").strip()),
        "RULES_DIR": str(default_rules_dir(env)),
        # Where people report a problem (the accessibility statement): an address or a
        # web page, set by whoever runs the site. Empty: the page says none was given.
        "TRIAGE_CONTACT": (env.get("TRIAGE_CONTACT") or "").strip(),
        # Answers live only in the encrypted session cookie. It is a browser-session
        # cookie (no Expires), and the server refuses one written longer ago than this.
        "SESSION_PERMANENT": False,
        "PERMANENT_SESSION_LIFETIME": lifetime,
        "SESSION_COOKIE_NAME": "triage_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "TRIAGE_HTTPS": https,
        # Every form here is a handful of radio buttons or checkboxes.
        "MAX_CONTENT_LENGTH": 16 * 1024,
        "MAX_FORM_MEMORY_SIZE": 16 * 1024,
        "MAX_FORM_PARTS": 200,
        "WTF_CSRF_TIME_LIMIT": None,  # the token is tied to the session cookie (and its lifetime) instead
        # Flask-WTF's default also refuses any POST over HTTPS without a same-origin
        # Referer; but every page sends ``Referrer-Policy: no-referrer`` (security.py),
        # so browsers send none and every answer would be refused in production. The
        # session-bound token and the SameSite=Lax, Secure cookie (with HSTS) remain.
        "WTF_CSRF_SSL_STRICT": False,
    }
