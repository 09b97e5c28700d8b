"""WSGI entry point for gunicorn: ``gunicorn triage.wsgi:app``."""

from __future__ import annotations

import sys

from triage import ConfigError, create_app

try:
    app = create_app()
except ConfigError as exc:
    # One line for the operator, no traceback: the fix is in the message.
    print(f"triage: refusing to start: {exc}", file=sys.stderr)
    raise SystemExit(1) from None
