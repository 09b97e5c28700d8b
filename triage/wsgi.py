"""WSGI entry point for gunicorn: ``gunicorn triage.wsgi:app``."""

from __future__ import annotations

import sys

from triage.app import create_app
from triage.config import ConfigError
from triage.rulebook import RulebookError

try:
    app = create_app()
except ConfigError as exc:
    # One line for the operator, no traceback: the fix is in the message.
    print(f"triage: refusing to start: {exc}", file=sys.stderr)
    raise SystemExit(1) from None
except RulebookError as exc:
    # Every problem, each as file:line:col: message.
    print(f"triage: refusing to start: the rule files are invalid:\n{exc}", file=sys.stderr)
    raise SystemExit(1) from None

# The clinician review (every worked case, coverage, lints) is built here, once, in the
# gunicorn master before it forks (preload_app), so that no worker pays for it.
from triage.clinician import prepare  # noqa: E402

prepare(app)

if app.config.get("TRIAGE_ENV") == "production" and not app.config.get("TRIAGE_HOSTS_SET"):
    print(
        "triage: warning: TRIAGE_HOSTS is not set, so only the loopback names "
        f"({', '.join(app.config['TRUSTED_HOSTS'])}) are answered; set it to this site's host names",
        file=sys.stderr,
    )
