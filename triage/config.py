"""Configuration from the environment.

Development runs get a fixed, clearly fake secret so `make run` works with no
setup. Production (``TRIAGE_ENV=production``) must be given a real secret:
the session cookie that holds a person's answers is signed with it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - deliberately public, refused in production

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message is one line for the operator."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def config_from_env(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Build the Flask config mapping from environment variables.

    Raises ConfigError when production is asked for without a secret key.
    """
    env = os.environ if environ is None else environ
    production = env.get("TRIAGE_ENV", "development").strip().lower() == "production"
    secret = env.get("TRIAGE_SECRET_KEY", "")
    if production and not secret:
        raise ConfigError(
            "TRIAGE_ENV=production needs TRIAGE_SECRET_KEY: set it to a long random value "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    https = _flag(env.get("TRIAGE_HTTPS")) if "TRIAGE_HTTPS" in env else production
    return {
        "TRIAGE_ENV": "production" if production else "development",
        "SECRET_KEY": secret or DEV_SECRET_KEY,
        "RULES_DIR": env.get("TRIAGE_RULES_DIR") or str(PROJECT_ROOT / "rules"),
        # Answers live only in the signed session cookie; it ends with the browser session.
        "SESSION_PERMANENT": False,
        "SESSION_COOKIE_NAME": "triage_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "TRIAGE_HTTPS": https,
        # Every form here is a handful of radio buttons or checkboxes.
        "MAX_CONTENT_LENGTH": 16 * 1024,
        "MAX_FORM_MEMORY_SIZE": 16 * 1024,
        "MAX_FORM_PARTS": 200,
        "WTF_CSRF_TIME_LIMIT": None,  # the token is tied to the browser session instead
        # Flask-WTF's default also refuses any POST over HTTPS without a same-origin
        # Referer; but every page sends ``Referrer-Policy: no-referrer`` (security.py),
        # so browsers send none and every answer would be refused in production. The
        # session-bound token and the SameSite=Lax, Secure cookie (with HSTS) remain.
        "WTF_CSRF_SSL_STRICT": False,
    }
