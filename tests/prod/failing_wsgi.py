"""The real app plus one route that fails on purpose, for the log tests under gunicorn.

The failure quotes the person's answers in its message, the worst case: the
log must still not contain them.
"""

from __future__ import annotations

from flask import session

from triage import create_app

app = create_app()


@app.get("/__test__/boom")
def boom():
    raise RuntimeError(f"failed while handling {session.get('answers')!r}")


@app.get("/__test__/sleep")
def sleep():
    """Outlives a short worker timeout (the log test runs gunicorn with --timeout 5)."""
    import time

    time.sleep(30)
    return "late"
